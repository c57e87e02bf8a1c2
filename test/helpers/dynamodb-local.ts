// One DynamoDB Local for a vitest run, with the table and the test identities, shared by every project
// whose global setup asks for it (integration, e2e): run together they share one, run alone each starts
// its own. Vitest loads each project's global setup on its own, so the one instance lives on globalThis;
// the last project to release it stops it. Should vitest be interrupted (Ctrl-C, SIGTERM, killed) before
// its teardown runs, DynamoDB Local stops by itself (its lifeline: scripts/local-stack.ts spawnChild);
// should vitest be orphaned (npm test's shell killed), it exits, and the same follows.
import {
  DEFAULT_LOCAL_IDENTITY,
  ensureTable,
  exitWhenOrphaned,
  LOCAL_TABLE_NAME,
  seedIdentity,
  startDynamoDbLocal,
} from '../../scripts/local-stack.ts';
import { SECOND_IDENTITY } from './identities.ts';

interface Shared {
  started: Promise<{ endpoint: string; stop: () => Promise<void> }>;
  users: number;
}

const KEY = Symbol.for('bucket-encryption-api.test.dynamodb-local');
const registry = globalThis as { [KEY]?: Shared };

async function start() {
  exitWhenOrphaned();
  const dynamo = await startDynamoDbLocal();
  try {
    await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
    await seedIdentity(dynamo.endpoint, LOCAL_TABLE_NAME, DEFAULT_LOCAL_IDENTITY);
    await seedIdentity(dynamo.endpoint, LOCAL_TABLE_NAME, SECOND_IDENTITY);
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  return dynamo;
}

/** The run's DynamoDB Local (started on first use) and the table's name; `release` when done with it. */
export async function acquireDynamoDbLocal(): Promise<{
  endpoint: string;
  tableName: string;
  release: () => Promise<void>;
}> {
  registry[KEY] ??= { started: start(), users: 0 };
  const shared = registry[KEY];
  shared.users++;
  const release = async () => {
    shared.users--;
    if (shared.users > 0) return;
    delete registry[KEY];
    await (await shared.started).stop();
  };
  try {
    const { endpoint } = await shared.started;
    return { endpoint, tableName: LOCAL_TABLE_NAME, release };
  } catch (error) {
    shared.users--;
    if (shared.users === 0) delete registry[KEY];
    throw error;
  }
}
