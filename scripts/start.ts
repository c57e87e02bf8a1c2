// `npm start`: the whole service on this machine. Starts DynamoDB Local (in memory, or
// `--persist DIR` / LOCAL_PERSIST_DIR to keep data), or uses DYNAMODB_ENDPOINT when set; creates the
// table from the definition serverless.yml deploys; seeds a local account and access key; starts
// serverless-offline on 127.0.0.1; prints what a user needs once the gateway answers.
//
// Every setting is checked before anything starts, and anything that fails ends it with a non-zero
// exit and one line saying why (`npm start: …`), printed once everything it started has stopped (so it
// is the last line), never with a banner. Ctrl-C, SIGTERM or SIGHUP stop everything it started. npm
// forwards SIGINT/SIGTERM only to the shell it runs the script in, which ignores SIGINT while it waits
// and dies of SIGTERM without passing it on: package.json's `exec node scripts/start.ts` makes this
// process that shell. Should its parent go away all the same (npm killed), this process notices the
// new parent and stops too; should this process be killed outright (kill -9), what it started notices
// on its own (scripts/local-stack.ts, spawnChild's lifeline).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readConfig } from '../lib/config.ts';
import { LOCAL_STATE_FILE } from './admin.ts';
import { banner } from './banner.ts';
import { startHistoryStream } from './history-stream.ts';
import {
  DEFAULT_LOCAL_IDENTITY,
  ensureTable,
  isAlive,
  LOCAL_TABLE_NAME,
  LocalStackError,
  type Stoppable,
  seedIdentity,
  startDynamoDbLocal,
  startOffline,
  warmUpDynamoDbLocal,
  whenOrphaned,
} from './local-stack.ts';
import { isWarmUpBucket, warmUpGateway } from './warm-up.ts';

const USAGE = `usage: npm start [-- --persist DIR]

environment (defaults in brackets):
  PORT                      gateway port [3000]
  LOCAL_ACCESS_KEY_ID       seeded access key id [${DEFAULT_LOCAL_IDENTITY.accessKeyId}]
  LOCAL_SECRET_ACCESS_KEY   its secret [${DEFAULT_LOCAL_IDENTITY.secretAccessKey}]
  LOCAL_PERSIST_DIR         keep DynamoDB Local's data in this directory (created if missing) [in memory]
  DYNAMODB_ENDPOINT         use this DynamoDB (http://host:port) instead of starting DynamoDB Local
  LOCAL_STATE_FILE          where \`npm run admin\` finds this stack [.local/stack.json]
  S3_PROFILE                aws | qstorage | obs [aws]
  S3_UNSET_ENCRYPTION       default | not-found [default]
  S3_BUCKET_DEFAULTS        secure | legacy: what a new bucket gets [secure]
  LOG_LEVEL                 the Lambdas' log level: DEBUG (adds why requests were refused) | INFO | WARN | ERROR | SILENT [INFO]`;

/** A setting or situation that stops start-up: printed as one line, exit code 2 (usage) or 1. */
class StartError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

// Powertools Logger's levels (what LOG_LEVEL may be; the logger would silently fall back otherwise).
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/** Every setting, checked before anything starts. */
function readSettings() {
  let values: { persist?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { persist: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new StartError(`${(error as Error).message} (npm start -- --help)`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const env = process.env;
  const port = Number(env.PORT ?? 3000);
  if (!/^\d+$/.test(env.PORT ?? '3000') || port <= 0 || port > 65535) {
    throw new StartError(`PORT must be a TCP port number, 1-65535 (got "${env.PORT}")`, 2);
  }
  // The Lambdas' own configuration, read as they will read it (lib/config.ts names the setting).
  try {
    readConfig({ ...env, TABLE_NAME: LOCAL_TABLE_NAME, SECRETS_MODE: 'local' });
  } catch (error) {
    if (error instanceof ConfigError) throw new StartError(error.message, 2);
    throw error;
  }
  const logLevel = env.LOG_LEVEL?.toUpperCase();
  if (logLevel && !LOG_LEVELS.includes(logLevel)) {
    throw new StartError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`, 2);
  }
  if (values.persist === '') throw new StartError('--persist needs a directory', 2);
  return {
    port,
    persistDir: values.persist ?? (env.LOCAL_PERSIST_DIR || undefined),
    profile: env.S3_PROFILE || 'aws',
    identity: {
      ...DEFAULT_LOCAL_IDENTITY,
      accessKeyId: env.LOCAL_ACCESS_KEY_ID || DEFAULT_LOCAL_IDENTITY.accessKeyId,
      secretAccessKey: env.LOCAL_SECRET_ACCESS_KEY || DEFAULT_LOCAL_IDENTITY.secretAccessKey,
    },
    // Where `npm run admin` finds this stack; LOCAL_STATE_FILE as admin.ts reads it (a second stack,
    // or a test, must not overwrite or delete the state file of the one a developer is running).
    stateFile: env.LOCAL_STATE_FILE || LOCAL_STATE_FILE,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
  };
}

interface State {
  pid: number;
  endpoint: string;
  dynamodbEndpoint: string;
  tableName: string;
}

/** The state file of a stack that is still running, if there is one. */
function liveState(stateFile: string): State | undefined {
  let state: Partial<State>;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as Partial<State>;
  } catch {
    return undefined; // missing or unreadable: nothing to protect
  }
  return typeof state.pid === 'number' && state.pid !== process.pid && isAlive(state.pid)
    ? (state as State)
    : undefined;
}

/** Fails if something already listens on the gateway's port (serverless-offline would fail later). */
async function checkPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartError(
              `port ${port} is already in use: stop what listens there, or set PORT to a free port`,
            )
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

// Printing after the terminal went away must not turn a clean stop into a crash.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const started: Stoppable[] = [];
let stopping: Promise<never> | undefined;
let ownsStateFile: string | undefined;
/**
 * Stops what was started, removes this stack's state file, then prints `lastWords` (to stderr) and
 * exits: nothing a stopping part writes can come after them. Later calls wait for the first.
 */
function stopAll(code: number, lastWords: string[] = []): Promise<never> {
  stopping ??= (async () => {
    for (const part of started.reverse()) await part.stop().catch(() => {});
    if (ownsStateFile) rmSync(ownsStateFile, { force: true });
    // Written before exiting: pipes are asynchronous on macOS, and process.exit would cut them short.
    if (lastWords.length > 0) {
      await new Promise((written) => process.stderr.write(`${lastWords.join('\n')}\n`, written));
    }
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stopAll(0, ['npm start: stopped everything it started']));
}
// Its parent going away (npm killed, or a shell that did not `exec`) re-parents this process: stop.
whenOrphaned(() => void stopAll(0));

/** A part that stops on its own after start-up ends everything, with a line saying which. */
const died = (what: string) => (exited: string) => {
  if (stopping) return;
  void stopAll(1, [`npm start: ${what} exited (${exited}); stopped everything`]);
};

/** Until `stop` is called: a line every 5 s saying how long `what` has been going on. */
function progress(what: string): () => number {
  const since = Date.now();
  const seconds = () => Math.round((Date.now() - since) / 1000);
  const timer = setInterval(() => console.log(`  … ${what} (${seconds()} s)`), 5_000);
  return () => {
    clearInterval(timer);
    return seconds();
  };
}

try {
  const settings = readSettings();
  const live = liveState(settings.stateFile);
  if (live) {
    throw new StartError(
      `a local stack is already running (pid ${live.pid}, ${live.endpoint}, state in ${settings.stateFile}): stop it, or start another with PORT and LOCAL_STATE_FILE of its own`,
    );
  }
  await checkPortFree(settings.port);
  if (settings.persistDir) await mkdir(settings.persistDir, { recursive: true });

  let dynamodbEndpoint = settings.dynamodbEndpoint;
  if (dynamodbEndpoint) {
    console.log(`Using DynamoDB at ${dynamodbEndpoint}`);
  } else {
    const where = settings.persistDir ? `data in ${settings.persistDir}` : 'in memory';
    console.log(`Starting DynamoDB Local (${where})…`);
    const dynamo = await startDynamoDbLocal({
      ...(settings.persistDir ? { persistDir: settings.persistDir } : {}),
      onSpawn: (part) => started.push(part),
      onExit: died('DynamoDB Local'),
      onWarning: (message) => console.warn(`npm start: ${message}`),
    });
    dynamodbEndpoint = dynamo.endpoint;
  }
  try {
    await ensureTable(dynamodbEndpoint, LOCAL_TABLE_NAME);
    await seedIdentity(dynamodbEndpoint, LOCAL_TABLE_NAME, settings.identity);
  } catch (error) {
    throw new StartError(`DynamoDB at ${dynamodbEndpoint} failed: ${String(error)}`);
  }
  // The stream Lambda's local stand-in: changes reach `npm run admin -- history` (docs/history.md).
  const history = await startHistoryStream({
    endpoint: dynamodbEndpoint,
    tableName: LOCAL_TABLE_NAME,
    onError: console.error,
    ignoreBucket: isWarmUpBucket,
  });
  started.push(history);

  // serverless-offline says nothing while serverless-esbuild bundles the functions (≈ 20 s).
  console.log('Starting serverless-offline: bundling the functions with esbuild first…');
  const bundling = progress('bundling');
  const gateway = startOffline({
    port: settings.port,
    dynamodbEndpoint,
    stdio: 'inherit',
    quietUntilResumed: true,
    // A signed request answers the readiness probe: no 403 AccessDenied line before the banner.
    probeIdentity: settings.identity,
    onBundled: () => console.log(`Bundled in ${bundling()} s.`),
    onSpawn: (part) => started.push(part),
    onExit: died('serverless-offline'),
  });
  gateway.finally(bundling).catch(() => {});
  // While serverless-offline builds: warm the JIT of the DynamoDB Local this stack started (a
  // DYNAMODB_ENDPOINT is someone else's). Local-only speed; see warmUpDynamoDbLocal.
  const warmUp = settings.dynamodbEndpoint
    ? Promise.resolve(0)
    : warmUpDynamoDbLocal(
        dynamodbEndpoint,
        gateway.catch(() => {}),
      ).catch(() => 0);
  const { resumeOutput } = await gateway;
  await warmUp;
  // Local-only speed (issue 19): the banner comes with a warm stack (scripts/warm-up.ts).
  await warmUpGateway({ endpoint: `http://127.0.0.1:${settings.port}`, credentials: settings.identity });
  // The warm-up's writes are records on the table's stream: read them now (≈ 1-2 s of GetRecords,
  // recording nothing), not beside the first requests the banner invites. Bounded: a stream that
  // cannot be read is history-stream.ts's to report, not a reason to hold the banner.
  await history.caughtUp(5_000);
  resumeOutput();

  // Created only if absent ('wx'): a stack started at the same moment cannot be overwritten either.
  await mkdir(dirname(settings.stateFile), { recursive: true });
  const state: State = {
    pid: process.pid,
    endpoint: `http://localhost:${settings.port}`,
    dynamodbEndpoint,
    tableName: LOCAL_TABLE_NAME,
  };
  if (!liveState(settings.stateFile)) rmSync(settings.stateFile, { force: true });
  try {
    writeFileSync(settings.stateFile, JSON.stringify(state), { flag: 'wx' });
  } catch {
    throw new StartError(`another local stack took ${settings.stateFile} while this one started`);
  }
  ownsStateFile = settings.stateFile;
  console.log(banner(settings, dynamodbEndpoint));
} catch (error) {
  if (!stopping) {
    const message = error instanceof Error ? error.message : String(error);
    await stopAll(error instanceof StartError ? error.exitCode : 1, [
      ...(error instanceof LocalStackError && error.detail ? [error.detail] : []),
      `npm start: ${message}`,
    ]);
  }
}
