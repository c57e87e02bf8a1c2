// `npm run admin -- <command>`: accounts and access keys, and buckets' change history, against the
// local stack or a deployed stage's table. Secrets are shown once, at creation, and stored sealed (lib/auth/secrets.ts).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { kmsCipher, localCipher, type SecretCipher } from '../lib/auth/secrets.ts';
import { type AccountStore, createAccountStore } from '../lib/storage/accounts.ts';
import {
  createHistoryStore,
  type HistoryEntry,
  type HistoryStore,
  InvalidCursor,
} from '../lib/storage/history.ts';
import { localDynamoClient, ROOT, SERVICE_NAME } from './local-stack.ts';

export const LOCAL_STATE_FILE = join(ROOT, '.local', 'stack.json');

const USAGE = `usage: npm run admin -- <command> [options]

commands:
  account create --name NAME        create an account; prints its id
  account list                      list accounts
  key create --account ID           create an access key for an account; prints the secret once
  key list [--account ID]           list access keys (never secrets)
  key disable ACCESS_KEY_ID         stop a key from working (within the credential cache TTL, 60 s)
  key enable ACCESS_KEY_ID          let a disabled key work again
  key delete ACCESS_KEY_ID          delete a key for good
  history BUCKET [--since ISO] [--limit N] [--account ID] [--after CURSOR]
                                    the bucket's changes, newest first (docs/history.md); --account:
                                    only the lives of the bucket that account owned

target (default: the stack \`npm start\` is running, from .local/stack.json):
  --endpoint URL --table NAME       a DynamoDB endpoint (DynamoDB Local) and table; secrets sealed with the local key
  --stage STAGE [--region REGION]   a deployed stage: table ${SERVICE_NAME}-STAGE, secrets sealed by
                                    KMS alias/${SERVICE_NAME}-STAGE-secrets (AWS credentials from the environment)
  --json                            machine-readable output`;

export class UsageError extends Error {}

interface Target {
  accounts: AccountStore;
  history: HistoryStore;
  cipher: SecretCipher;
  describe: string;
  close(): void;
}

interface Options {
  name?: string | undefined;
  since?: string | undefined;
  limit?: string | undefined;
  after?: string | undefined;
  account?: string | undefined;
  endpoint?: string | undefined;
  table?: string | undefined;
  stage?: string | undefined;
  region?: string | undefined;
  json?: boolean | undefined;
}

function target(options: Options, env: NodeJS.ProcessEnv): Target {
  if (options.stage) {
    if (!/^[a-zA-Z0-9-]+$/.test(options.stage))
      throw new UsageError(`--stage must be letters, digits and dashes (got "${options.stage}")`);
    const region = options.region ?? env.AWS_REGION ?? 'us-east-1';
    const tableName = `${SERVICE_NAME}-${options.stage}`;
    const client = new DynamoDBClient({ region });
    return {
      accounts: createAccountStore(client, tableName),
      history: createHistoryStore(client, tableName),
      cipher: kmsCipher({ region, keyId: `alias/${SERVICE_NAME}-${options.stage}-secrets` }),
      describe: `table ${tableName} in ${region}`,
      close: () => client.destroy(),
    };
  }
  let endpoint = options.endpoint ?? env.DYNAMODB_ENDPOINT;
  let tableName = options.table ?? env.TABLE_NAME;
  const stateFile = env.LOCAL_STATE_FILE ?? LOCAL_STATE_FILE;
  if (!endpoint && existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      dynamodbEndpoint?: string;
      tableName?: string;
    };
    endpoint = state.dynamodbEndpoint;
    tableName ??= state.tableName;
  }
  if (!endpoint || !tableName) {
    throw new UsageError(
      'no target: start the local stack with `npm start`, or pass --endpoint URL --table NAME, or --stage STAGE',
    );
  }
  const client = localDynamoClient(endpoint);
  return {
    accounts: createAccountStore(client, tableName),
    history: createHistoryStore(client, tableName),
    cipher: localCipher(env.LOCAL_SECRETS_KEY || undefined),
    describe: `table ${tableName} at ${endpoint}`,
    close: () => client.destroy(),
  };
}

// AWS's shapes: 12-digit account ids, AKIA + 16 base-32 characters, 40-character secrets.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const newAccountId = () =>
  String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(0, 10)).join('');
const newAccessKeyId = () => `AKIA${Array.from({ length: 16 }, () => BASE32[randomInt(0, 32)]).join('')}`;
const newSecret = () => randomBytes(30).toString('base64');

type Output = (human: string, data: unknown) => void;

export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      account: { type: 'string' },
      endpoint: { type: 'string' },
      table: { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
      since: { type: 'string' },
      limit: { type: 'string' },
      after: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb, argument] = positionals;
  if (values.help || !noun) {
    print(USAGE);
    return;
  }
  const output: Output = (human, data) => print(values.json ? JSON.stringify(data) : human);
  const command = noun === 'history' ? noun : `${noun} ${verb ?? ''}`.trim();
  const commands: Record<string, (t: Target) => Promise<void>> = {
    'account create': async ({ accounts }) => {
      const name = values.name?.trim();
      if (!name) throw new UsageError('account create needs --name NAME');
      const account = { accountId: newAccountId(), name, createdAt: new Date().toISOString() };
      if (!(await accounts.putAccount(account))) throw new Error('account id collision; try again');
      output(`created account ${account.accountId} (${name})`, account);
    },
    'account list': async ({ accounts }) => {
      const list = (await accounts.listAccounts()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      output(
        list.map((a) => `${a.accountId}  ${a.name}  ${a.createdAt}`).join('\n') || '(no accounts)',
        list,
      );
    },
    'key create': async ({ accounts, cipher }) => {
      const accountId = values.account;
      if (!accountId) throw new UsageError('key create needs --account ID');
      if (!(await accounts.getAccount(accountId)))
        throw new UsageError(`no account ${accountId} (see: account list)`);
      const accessKeyId = newAccessKeyId();
      const secretAccessKey = newSecret();
      const created = await accounts.putAccessKey({
        accessKeyId,
        accountId,
        sealedSecret: await cipher.seal(secretAccessKey, accessKeyId),
        status: 'Active',
        createdAt: new Date().toISOString(),
      });
      if (!created) throw new Error('access key id collision; try again');
      output(
        `created access key for account ${accountId}\n  access key id      ${accessKeyId}\n  secret access key  ${secretAccessKey}\nThe secret is shown only now.`,
        { accessKeyId, secretAccessKey, accountId },
      );
    },
    'key list': async ({ accounts }) => {
      const list = (await accounts.listAccessKeys())
        .filter((key) => !values.account || key.accountId === values.account)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      output(
        list.map((k) => `${k.accessKeyId}  ${k.accountId}  ${k.status}  ${k.createdAt}`).join('\n') ||
          '(no keys)',
        list,
      );
    },
    'key disable': (t) => setStatus(t, argument, 'Inactive', output),
    'key enable': (t) => setStatus(t, argument, 'Active', output),
    history: (t) => printHistory(t.history, verb, values, print),
    'key delete': async ({ accounts }) => {
      if (!argument) throw new UsageError('key delete needs ACCESS_KEY_ID');
      if (!(await accounts.deleteAccessKey(argument))) throw new UsageError(`no access key ${argument}`);
      output(`deleted access key ${argument}`, { accessKeyId: argument, deleted: true });
    },
  };
  const handler = commands[command];
  if (!handler) throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  const chosen = target(values, env);
  try {
    await handler(chosen);
  } finally {
    chosen.close();
  }
}

async function setStatus(
  { accounts }: Target,
  accessKeyId: string | undefined,
  status: 'Active' | 'Inactive',
  output: Output,
): Promise<void> {
  if (!accessKeyId)
    throw new UsageError(`key ${status === 'Active' ? 'enable' : 'disable'} needs ACCESS_KEY_ID`);
  if (!(await accounts.setAccessKeyStatus(accessKeyId, status)))
    throw new UsageError(`no access key ${accessKeyId}`);
  output(
    `access key ${accessKeyId} is now ${status}${status === 'Inactive' ? ' (cached credentials expire within 60 s)' : ''}`,
    { accessKeyId, status },
  );
}

// `history BUCKET`: an operator's view, every life of the bucket name, each entry naming the life's
// owner; --account narrows it to the lives one account owned, all an owner may see of a name it re-created.
/** The fields `--json` prints, one object per line, in this order. */
const PUBLIC_FIELDS = [
  'time',
  'operation',
  'bucket',
  'accountId',
  'accessKeyId',
  'requestId',
  'sourceIp',
  'before',
  'after',
] as const satisfies readonly (keyof HistoryEntry)[];
const publicEntry = (entry: HistoryEntry) =>
  Object.fromEntries(PUBLIC_FIELDS.map((field) => [field, entry[field]]));

const humanEntry = (entry: HistoryEntry) =>
  [
    `${entry.time}  ${entry.operation}  by ${entry.accountId ?? '(unknown)'} with ${entry.accessKeyId ?? '-'} from ${entry.sourceIp ?? '-'}  request ${entry.requestId ?? '-'}  (owner ${entry.bucketOwner})`,
    `    before: ${JSON.stringify(entry.before)}`,
    `    after:  ${JSON.stringify(entry.after)}`,
  ].join('\n');

/** Entries read per request: long histories are printed page by page, never held whole. */
const PAGE = 100;

export async function printHistory(
  history: HistoryStore,
  bucket: string | undefined,
  options: Options,
  print: (line: string) => void,
): Promise<void> {
  if (!bucket) throw new UsageError('history needs BUCKET');
  let remaining = Number.POSITIVE_INFINITY;
  if (options.limit !== undefined) {
    remaining = Number(options.limit);
    if (!Number.isInteger(remaining) || remaining <= 0)
      throw new UsageError(`--limit must be a positive integer (got "${options.limit}")`);
  }
  let since: string | undefined;
  if (options.since !== undefined) {
    const parsed = new Date(options.since);
    if (Number.isNaN(parsed.getTime()))
      throw new UsageError(`--since must be an ISO 8601 time (got "${options.since}")`);
    since = parsed.toISOString();
  }
  let cursor = options.after;
  let printed = 0;
  do {
    let page: Awaited<ReturnType<HistoryStore['listHistory']>>;
    try {
      page = await history.listHistory(bucket, {
        bucketOwner: options.account,
        since,
        limit: Math.min(remaining, PAGE),
        after: cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursor) throw new UsageError(`--after: ${error.message}`);
      throw error;
    }
    for (const entry of page.entries)
      print(options.json ? JSON.stringify(publicEntry(entry)) : humanEntry(entry));
    printed += page.entries.length;
    remaining -= page.entries.length;
    cursor = page.cursor;
  } while (cursor && remaining > 0);
  if (options.json) return;
  if (printed === 0) print(`(no history for ${bucket})`);
  if (cursor) print(`(more: --after ${cursor})`);
}

if (import.meta.main) {
  try {
    await run(process.argv.slice(2), process.env, (line) => console.log(line));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    process.exit(
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1,
    );
  }
}
