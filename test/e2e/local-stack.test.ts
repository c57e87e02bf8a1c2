// `npm start` really works: scripts/start.ts as a user runs it (a process of its own, on a free port),
// driven with the credentials and endpoint it prints, stopped with SIGTERM, leaving nothing behind;
// `npm start` itself stopped by a signal to the npm process alone; killed outright (kill -9), what it
// started stops by itself; the banner's commands run with both AWS CLIs in every profile; a
// `serverless package` run meanwhile changes nothing it serves; DynamoDB Local listens on loopback
// only; and each way start-up can fail ends it with one clear line, the last one, and no banner.
//
// Nothing here waits a fixed time: each step waits for what it needs (a line of output, a process's
// end) with a generous deadline, so a loaded machine makes the file slower, not red.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, describe, inject, it, type OnTestFinishedHandler } from 'vitest';
import { storage } from '../../lib/storage/index.ts';
import { run as runAdmin } from '../../scripts/admin.ts';
import { freePort, ROOT, runNodeChild } from '../../scripts/local-stack.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import {
  childrenOf,
  descendantsOf,
  inotifyWatchesOf,
  isRunning,
  stackProcessesOf,
  stackProcessesWith,
  waitUntilGone,
} from '../helpers/processes.ts';

const READY = 'bucket-encryption-api is running';
/** A key of its own, so the test also shows start.ts seeds (and prints) what it is given. */
const IDENTITY = {
  accessKeyId: 'AKIALOCALSTACKTEST01',
  secretAccessKey: 'local-stack-test/secret/0000000000000000',
};

const workDir = mkdtempSync(join(tmpdir(), 'local-stack-test-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Printed {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The addresses sockets listen on at `port`, from the kernel's tables (IPv4 and IPv6). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  // Each 32-bit word of an address in /proc/net/tcp* is in host (little-endian) order.
  const bytes = (hex: string) =>
    (hex.match(/.{8}/g) ?? []).flatMap((word) =>
      (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)),
    );
  const text = (hex: string) => {
    const all = bytes(hex);
    const v4 =
      all.length === 4
        ? all
        : all.slice(0, 10).every((b) => b === 0) && all[10] === 255 && all[11] === 255
          ? all.slice(12)
          : undefined;
    if (v4) return v4.join('.');
    return (
      all
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('')
        .match(/.{4}/g) ?? []
    ).join(':');
  };
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local = '', , state] = line.trim().split(/\s+/);
      const [address = '', localPort] = local.split(':');
      if (state === '0A' && localPort === hexPort) found.push(text(address));
    }
  }
  return found;
}

/** Whether a TCP connection to address:port is refused. */
async function refused(address: string, port: number): Promise<boolean> {
  const socket = connect(port, address);
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

/** One `node scripts/start.ts` run, or with `npm: true` one `npm start` run (npm from PATH). */
class LocalStack {
  readonly process: ChildProcess;
  output = '';
  readonly stateFile: string;
  /** Processes it started (DynamoDB Local's java, serverless-offline), for cleanup if a test fails. */
  descendants: number[] = [];

  readonly port: number;

  constructor(
    port: number,
    args: string[],
    env: Record<string, string | undefined>,
    options: { npm?: boolean; stateFile?: string } = {},
  ) {
    this.port = port;
    this.stateFile = options.stateFile ?? join(workDir, `state-${Math.random().toString(36).slice(2)}.json`);
    const environment: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      LOCAL_ACCESS_KEY_ID: IDENTITY.accessKeyId,
      LOCAL_SECRET_ACCESS_KEY: IDENTITY.secretAccessKey,
      LOCAL_STATE_FILE: this.stateFile,
      // The test process's own settings (test/helpers/env.ts) are not the user's.
      DYNAMODB_ENDPOINT: undefined,
      TABLE_NAME: undefined,
      S3_BASE_DOMAIN: undefined,
      LOG_LEVEL: undefined,
      POWERTOOLS_LOG_LEVEL: undefined,
      ...env,
    };
    const [command, commandArgs] = options.npm
      ? ['npm', ['start', '--', ...args]]
      : [process.execPath, [join(ROOT, 'scripts', 'start.ts'), ...args]];
    this.process = spawn(command, commandArgs, {
      cwd: ROOT,
      env: Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    this.process.stdout?.on('data', collect);
    this.process.stderr?.on('data', collect);
  }

  /**
   * Resolves as soon as `condition` holds for the output read so far, checked at each chunk; rejects
   * if the process ends (its output all read) first, or after `timeoutMs`.
   */
  until(condition: () => boolean, what: string, timeoutMs = 240_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const streams = [this.process.stdout, this.process.stderr];
      const done = (error?: Error) => {
        clearTimeout(timer);
        for (const stream of streams) stream?.off('data', check);
        this.process.off('close', closed);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (condition()) done();
      };
      const closed = () => {
        if (condition()) done();
        else done(new Error(`start.ts exited (${this.process.exitCode}) before ${what}:\n${this.output}`));
      };
      const timer = setTimeout(
        () => done(new Error(`start.ts: no ${what} after ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      // After the collecting listeners (constructor): `output` already holds the chunk.
      for (const stream of streams) stream?.on('data', check);
      this.process.once('close', closed);
      if (this.process.exitCode !== null || this.process.signalCode !== null) closed();
      else check();
    });
  }

  /** Resolves with what it printed once it is ready; rejects if it exits first or takes too long. */
  async ready(): Promise<Printed> {
    await this.until(() => this.output.includes(READY), 'banner');
    const printed = (label: string) => {
      const value = new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(this.output)?.[1];
      if (!value) throw new Error(`start.ts printed no ${label}:\n${this.output}`);
      return value;
    };
    this.descendants = descendantsOf(this.process.pid ?? -1).map((child) => child.pid);
    return {
      endpoint: printed('endpoint'),
      region: printed('region'),
      accessKeyId: printed('access key id'),
      secretAccessKey: printed('secret access key'),
    };
  }

  /** Its exit code, once it exits on its own (start-up failures) and all it printed is read. */
  async exited(timeoutMs = 120_000): Promise<number | null> {
    if (this.process.exitCode === null || this.process.stdout?.readable || this.process.stderr?.readable) {
      const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
      await once(this.process, 'close');
      clearTimeout(timer);
    }
    return this.process.exitCode;
  }

  /** SIGTERM, then the exit code (SIGKILL for it and what it started if it does not stop in time). */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      this.killLeftovers();
      return this.process.exitCode;
    }
    const exited = once(this.process, 'exit');
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.process.kill('SIGKILL');
      this.killLeftovers();
    }, timeoutMs);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    return code;
  }

  /** After a failed test: nothing it started may outlive it. */
  killLeftovers(): void {
    for (const pid of this.descendants) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
}

/**
 * Starts a stack that is stopped when the test ends, whatever happened. Its port is free when chosen,
 * and stays unused for the seconds start.ts takes to listen on it; should another process of the
 * suite take it meanwhile (the kernel hands free ports out again), the stack says so and exits, and
 * another port is tried: the one race a test cannot close, since start.ts takes a port, not a socket.
 */
async function start(
  onTestFinished: (cleanup: OnTestFinishedHandler) => void,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  options: { npm?: boolean; stateFile?: string } = {},
) {
  for (let attempt = 1; ; attempt++) {
    const stack = new LocalStack(await freePort(), args, env, options);
    onTestFinished(async (context) => {
      // A failed test shows what the stack logged as failing (its ERROR lines): the cause of a 5xx the
      // client only saw as "InternalError" is there, and gone with the stack.
      if (context.task.result?.state === 'fail') {
        const failures = stack.output.split('\n').filter((line) => line.includes('"level":"ERROR"'));
        if (failures.length > 0) console.error(`npm start logged:\n${failures.slice(0, 20).join('\n')}`);
      }
      await stack.stop();
    });
    try {
      return { stack, printed: await stack.ready() };
    } catch (error) {
      const taken = `npm start: port ${stack.port} is already in use`;
      if (attempt === 3 || !stack.output.trim().split('\n').at(-1)?.startsWith(taken)) throw error;
    }
  }
}

/** Runs start.ts expecting it to fail: its exit code and output. */
async function failedStart(
  onTestFinished: (cleanup: OnTestFinishedHandler) => void,
  env: Record<string, string | undefined> = {},
  options: { port?: number; stateFile?: string; args?: string[] } = {},
) {
  const stack = new LocalStack(options.port ?? (await freePort()), options.args ?? [], env, options);
  onTestFinished(async () => {
    await stack.stop();
  });
  const code = await stack.exited();
  return { stack, code, output: stack.output };
}

const clientFor = (printed: Printed, maxAttempts = 1) =>
  new S3Client({
    endpoint: printed.endpoint,
    region: printed.region,
    forcePathStyle: true,
    maxAttempts,
    credentials: { accessKeyId: printed.accessKeyId, secretAccessKey: printed.secretAccessKey },
  });

async function listedBuckets(printed: Printed, maxAttempts = 1): Promise<string[]> {
  const client = clientFor(printed, maxAttempts);
  try {
    return ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((bucket) => bucket.Name ?? '');
  } finally {
    client.destroy();
  }
}

async function createBucket(printed: Printed, bucket: string): Promise<void> {
  const client = clientFor(printed);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

const dynamoDbLocalChildren = (stack: LocalStack) =>
  childrenOf(stack.process.pid ?? -1).filter((child) => child.args.includes('DynamoDBLocal.jar'));

const execFileAsync = promisify(execFile);

/** The two AWS CLIs a user may have: v1 (`aws` on PATH here, sends CRC32) and v2 (sends Content-MD5). */
const AWS_CLI_V1 = 'aws';
const AWS_CLI_V2 = '/usr/bin/aws';

/**
 * The banner's `export …` line and `aws …` commands, each run as a user pastes it: in `sh`, with the
 * given AWS CLI (and no AWS configuration or variable of the machine's user: the export line is all
 * it has, so AWS CLI v1, which reads AWS_DEFAULT_REGION and not AWS_REGION, shows the banner exports
 * both; a stale AWS_SESSION_TOKEN shows that the export line empties it). Returns each command's stdout.
 */
async function runBannerCommands(output: string, cli: string): Promise<string[]> {
  const lines = output.split('\n').map((line) => line.trim());
  const exportLine = lines.find((line) => line.startsWith('export AWS_ACCESS_KEY_ID='));
  const commands = lines.filter((line) => line.startsWith('aws '));
  if (!exportLine || commands.length !== 3) throw new Error(`no example commands in the banner:\n${output}`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const results: string[] = [];
  for (const command of commands) {
    const { stdout } = await execFileAsync(
      'sh',
      ['-c', `${exportLine}\n${cli}${command.slice('aws'.length)}`],
      {
        env: {
          ...env,
          AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
          // A session token left in the shell from real AWS work: the export line empties it, or the CLI
          // would send it with the local key and get 400 InvalidToken.
          AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE-left-over',
        },
        timeout: 120_000,
      },
    );
    results.push(stdout);
  }
  return results;
}

/** What start.ts printed before its banner. */
const beforeBanner = (output: string) => output.slice(0, output.indexOf(READY));

// The runs are independent (ports, state files, data directories of their own): concurrent.
describe.concurrent('npm start (scripts/start.ts)', () => {
  it('returns a working S3 endpoint with the printed credentials and leaves no process behind on SIGTERM', async ({
    expect,
    onTestFinished,
  }) => {
    const { stack, printed } = await start(onTestFinished);
    expect(printed).toEqual({
      endpoint: expect.stringMatching(/^http:\/\/localhost:\d+$/),
      region: 'us-east-1',
      ...IDENTITY,
    });
    const [java, ...more] = dynamoDbLocalChildren(stack);
    expect(more).toEqual([]);
    expect(java?.args).toContain('-inMemory');
    const offline = childrenOf(stack.process.pid ?? -1).find((child) =>
      child.args.includes('serverless.js offline'),
    );
    expect(offline).toBeDefined();
    const parts = stackProcessesOf(stack.process.pid ?? -1);
    expect(new Set(parts.map((part) => part.kind))).toEqual(
      new Set(['java', 'serverless-offline', 'esbuild']),
    );
    expect(JSON.parse(readFileSync(stack.stateFile, 'utf8'))).toMatchObject({
      pid: stack.process.pid,
      dynamodbEndpoint: expect.any(String),
    });

    const bucket = uniqueBucket('npm-start');
    await createBucket(printed, bucket);
    expect(await listedBuckets(printed)).toContain(bucket);
    // It processes the table's stream: the change is in `npm run admin -- history` a moment later.
    const history = async () => {
      const lines: string[] = [];
      await runAdmin(['history', bucket, '--json'], { LOCAL_STATE_FILE: stack.stateFile }, (line) =>
        lines.push(line),
      );
      // One JSON document; until the entry is written the bucket's version shows as a pending gap.
      const { entries } = JSON.parse(lines.join('\n')) as { entries: { kind: string; operation?: string }[] };
      return entries.map((entry) => entry.operation ?? entry.kind);
    };
    await expect.poll(history, { timeout: 60_000 }).toEqual(['CreateBucket']);

    // A second start with the same state file refuses, before starting anything, and leaves it alone.
    const before = readFileSync(stack.stateFile, 'utf8');
    const second = await failedStart(onTestFinished, {}, { stateFile: stack.stateFile });
    expect(second.code).toBe(1);
    expect(second.output).toContain(`npm start: a local stack is already running (pid ${stack.process.pid}`);
    expect(second.output).not.toContain(READY);
    expect(second.output).not.toContain('Starting DynamoDB Local');
    expect(readFileSync(stack.stateFile, 'utf8')).toBe(before);

    expect(await stack.stop()).toBe(0);
    expect(parts.filter((part) => isRunning(part.pid))).toEqual([]);
    expect(existsSync(stack.stateFile)).toBe(false);
  }, 300_000);

  it('leaves no DynamoDB Local, serverless-offline or esbuild within 5 s when killed with SIGKILL', async ({
    expect,
    onTestFinished,
  }) => {
    const { stack } = await start(onTestFinished);
    const parts = stackProcessesOf(stack.process.pid ?? -1);
    expect(new Set(parts.map((part) => part.kind))).toEqual(
      new Set(['java', 'serverless-offline', 'esbuild']),
    );
    // Nothing can stop anything now: the children must notice on their own that their parent is gone.
    process.kill(stack.process.pid ?? -1, 'SIGKILL');
    await once(stack.process, 'exit');
    expect(
      await waitUntilGone(
        parts.map((part) => part.pid),
        5_000,
      ),
    ).toEqual([]);
  }, 300_000);

  it('keeps answering every route while and after `serverless package` runs, including routes first loaded after it', async ({
    expect,
    onTestFinished,
  }) => {
    const { printed } = await start(onTestFinished);
    const bucket = uniqueBucket('packaged');
    // The service route (`/`) is loaded now; the bucket and object routes only after the package.
    expect(await listedBuckets(printed)).not.toContain(bucket);

    // As a deployer runs it, in this repository: serverless-esbuild's default work folder (.esbuild),
    // which it deletes when done. Its output goes elsewhere (.serverless is not this stack's either).
    const home = mkdtempSync(join(workDir, 'home-'));
    // Meanwhile, the stack is asked again and again.
    let packaging = true;
    const meanwhile: string[][] = [];
    const asking = (async () => {
      // As clients do, a 503 (the service's "slow down": DynamoDB Local out of time while packaging takes
      // the machine's CPU, seen under two busy loops) is retried; a route broken by packaging (500) fails
      // every attempt.
      while (packaging) meanwhile.push(await listedBuckets(printed, 5));
    })();
    await runNodeChild(
      join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      ['package', '--package', mkdtempSync(join(workDir, 'package-')), '--stage', 'dev'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
        },
        timeoutMs: 240_000,
      },
    ).finally(() => {
      packaging = false;
    });
    await asking;
    expect(meanwhile.length).toBeGreaterThan(0);
    expect(existsSync(join(ROOT, '.esbuild'))).toBe(false);

    await createBucket(printed, bucket);
    expect(await listedBuckets(printed)).toContain(bucket);
    const client = clientFor(printed);
    try {
      const objectRoute = await client
        .send(new GetObjectCommand({ Bucket: bucket, Key: 'a/key' }))
        .catch((error: unknown) => error);
      expect(objectRoute).toBeInstanceOf(S3ServiceException);
      expect(objectRoute).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    } finally {
      client.destroy();
    }
  }, 300_000);

  it('watches no file and keeps answering when a source file is saved while it runs, a route first loaded after it too', async ({
    expect,
    onTestFinished,
  }) => {
    const { stack, printed } = await start(onTestFinished);
    const [gateway] = stackProcessesOf(stack.process.pid ?? -1).filter(
      (part) => part.kind === 'serverless-offline',
    );
    expect(gateway).toBeDefined();
    // serverless-esbuild's default in serverless-offline: ≈ 600 watches on the repository, and a
    // rebuild on every save that replaced the chunks of operations not loaded yet (serverless.yml).
    expect(inotifyWatchesOf(gateway?.pid ?? -1)).toBe(0);

    // A save as an editor makes it: the file's times change, its text does not.
    const saved = join(ROOT, 'lib', 'errors.ts');
    const now = new Date();
    utimesSync(saved, now, now);
    // GetBucketPolicy is none of the operations `npm start` warms up: its module loads now.
    const client = clientFor(printed);
    try {
      const missing = await client
        .send(new GetBucketPolicyCommand({ Bucket: uniqueBucket('never-created') }))
        .catch((error: unknown) => error);
      expect(missing).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    } finally {
      client.destroy();
    }
  }, 300_000);

  it('returns the buckets of the previous run when started again with --persist DIR, creating DIR', async ({
    expect,
    onTestFinished,
  }) => {
    const dataDir = join(workDir, `data-${Math.random().toString(36).slice(2)}`, 'nested');
    expect(existsSync(dataDir)).toBe(false);
    const bucket = uniqueBucket('persisted');
    const first = await start(onTestFinished, ['--persist', dataDir]);
    expect(existsSync(dataDir)).toBe(true);
    expect(dynamoDbLocalChildren(first.stack)[0]?.args).toContain(dataDir);
    await createBucket(first.printed, bucket);
    expect(await first.stack.stop()).toBe(0);

    const second = await start(onTestFinished, ['--persist', dataDir]);
    expect(await listedBuckets(second.printed)).toContain(bucket);
    expect(await second.stack.stop()).toBe(0);
  }, 400_000);

  it('returns buckets stored in the DynamoDB named by DYNAMODB_ENDPOINT, starting no DynamoDB Local, and logs refusals at DEBUG', async ({
    expect,
    onTestFinished,
  }) => {
    const dynamodbEndpoint = inject('dynamodbEndpoint');
    const { stack, printed } = await start(onTestFinished, [], {
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      LOG_LEVEL: 'DEBUG',
    });
    expect(stack.output).toContain(`Using DynamoDB at ${dynamodbEndpoint}`);
    expect(dynamoDbLocalChildren(stack)).toEqual([]);
    const bucket = uniqueBucket('shared-db');
    await createBucket(printed, bucket);
    // The test process reads the same table directly (test/helpers/env.ts points it there).
    expect((await storage().buckets.getBucket(bucket))?.name).toBe(bucket);

    // LOG_LEVEL=DEBUG reaches the Lambdas: a refused body's reason is logged, not answered.
    const client = clientFor(printed);
    const refused = await client
      .send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES257' as 'AES256' } }],
          },
        }),
      )
      .catch((error: unknown) => error)
      .finally(() => client.destroy());
    expect(refused).toMatchObject({ name: 'MalformedXML', $metadata: { httpStatusCode: 400 } });
    expect(String((refused as Error).message)).not.toContain('AES257');
    await stack.until(() => stack.output.includes('"message":"request refused"'), 'the refusal line');
    const line = stack.output.split('\n').find((text) => text.includes('"message":"request refused"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'DEBUG',
      code: 'MalformedXML',
      reason: 'SSEAlgorithm is not one of AES256, aws:kms, aws:kms:dsse (profile aws)',
    });
    expect(await stack.stop()).toBe(0);
  }, 300_000);

  // `npm start` as a user runs it, in each profile: what it prints before the banner, then the
  // banner's commands pasted into a shell with each AWS CLI set and read back the configuration they
  // say. Then a signal to the npm process alone, as IDE stop buttons and process managers send it (npm
  // forwards it to the script, not to the process group), must stop everything the script started.
  it.for([
    { profile: 'aws', algorithm: 'aws:kms', keyId: 'alias/demo', signal: 'SIGTERM', cli: AWS_CLI_V2 },
    { profile: 'qstorage', algorithm: 'verenc', keyId: 'qkms:demo-key', signal: 'SIGINT', cli: AWS_CLI_V1 },
    { profile: 'obs', algorithm: 'kms', keyId: undefined, signal: 'SIGTERM', cli: AWS_CLI_V1 },
  ] as const)(
    "returns what the banner's commands set with $cli in the $profile profile, and no process left after $signal to npm",
    { timeout: 300_000 },
    async ({ profile, algorithm, keyId, signal, cli }, { expect, onTestFinished }) => {
      const { stack } = await start(onTestFinished, [], { S3_PROFILE: profile }, { npm: true });
      expect(stack.output).toContain(`bucket-encryption-api is running (profile ${profile})`);
      const startup = beforeBanner(stack.output);
      // A progress line while esbuild bundles (serverless-offline is silent meanwhile), and its end.
      expect(startup).toContain('Starting serverless-offline: bundling the functions with esbuild first…');
      expect(startup).toMatch(/^Bundled in \d+ s\.$/m);
      // The readiness probe is signed: no 403 AccessDenied access line before the banner.
      expect(startup).not.toContain('"status":403');
      expect(startup).not.toContain('AccessDenied');
      // The route table lists the routes clients use, not serverless-offline's internal invoke routes.
      expect(startup).toContain(`ANY  | http://127.0.0.1:${stack.port}/{bucket}`);
      expect(startup).not.toContain('/2015-03-31/functions/');
      expect(startup).not.toContain('Function names exposed for local invocation');
      expect(startup).not.toContain('[http for lambda]');
      expect(stack.output).toContain(
        ' AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_SESSION_TOKEN=\n',
      );

      const [created, put, got] = await runBannerCommands(stack.output, cli);
      expect(created).toContain('/demo');
      expect(put).toBe('');
      const rule = JSON.parse(got ?? '').ServerSideEncryptionConfiguration.Rules[0];
      expect(rule.ApplyServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: algorithm,
        ...(keyId ? { KMSMasterKeyID: keyId } : {}),
      });

      const parts = stackProcessesOf(stack.process.pid ?? -1);
      expect(new Set(parts.map((child) => child.kind))).toEqual(
        new Set(['java', 'serverless-offline', 'esbuild']),
      );
      // Everything below npm: scripts/start.ts too, which removes the state file once the parts stopped.
      const below = descendantsOf(stack.process.pid ?? -1);
      expect(existsSync(stack.stateFile)).toBe(true);
      process.kill(stack.process.pid ?? -1, signal);
      expect(await waitUntilGone(below.map((child) => child.pid))).toEqual([]);
      expect(existsSync(stack.stateFile)).toBe(false);
    },
  );

  it('returns exit 1 and one line naming the port, before DynamoDB Local, when the port is in use', async ({
    expect,
    onTestFinished,
  }) => {
    const blocker = createHttpServer((_request, response) => response.end('not the gateway'));
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    onTestFinished(() => void blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const { code, output } = await failedStart(onTestFinished, {}, { port });
    expect(code).toBe(1);
    expect(output.trim().split('\n').at(-1)).toBe(
      `npm start: port ${port} is already in use: stop what listens there, or set PORT to a free port`,
    );
    expect(output).not.toContain('Starting DynamoDB Local');
    expect(output).not.toContain(READY);
  }, 120_000);

  it('returns exit 1, one line and no banner when serverless-offline fails, though its port answers', async ({
    expect,
    onTestFinished,
  }) => {
    // The port is free when start.ts checks it; an HTTP server takes it as soon as start.ts says it
    // starts serverless-offline, which then bundles for seconds before it listens: it cannot listen,
    // and the port answers all the same. (Should serverless-offline ever be first, listen() fails and
    // so does this test, loudly.)
    const stack = new LocalStack(await freePort(), [], {});
    onTestFinished(async () => {
      await stack.stop();
    });
    await stack.until(() => stack.output.includes('Starting serverless-offline'), 'serverless-offline');
    // start.ts prints that line before it spawns serverless-offline: wait for the process itself (a loaded
    // CI run once looked in between and found only java).
    const parts = await stackProcessesWith(stack.process.pid ?? -1, ['java', 'serverless-offline']);
    expect(parts.map((part) => part.kind)).toEqual(expect.arrayContaining(['java', 'serverless-offline']));
    const blocker = createHttpServer((_request, response) => response.end('not the gateway'));
    blocker.listen(stack.port, '127.0.0.1');
    await once(blocker, 'listening');
    onTestFinished(() => void blocker.close());
    const code = await stack.exited();
    expect(code).toBe(1);
    // The last line, though serverless-offline's esbuild dies meanwhile: start.ts prints it once
    // everything it started has stopped and its output is all read.
    expect(stack.output.trim().split('\n').at(-1)).toBe(
      `npm start: port ${stack.port} is already in use: set PORT to a free port`,
    );
    expect(stack.output).not.toContain(READY);
    expect(await waitUntilGone(parts.map((part) => part.pid))).toEqual([]);
  }, 300_000);

  it.for<{ name: string; env: Record<string, string>; line: string }>([
    {
      name: 'S3_PROFILE',
      env: { S3_PROFILE: 'minio' },
      line: 'S3_PROFILE must be one of aws, qstorage, obs',
    },
    { name: 'S3_UNSET_ENCRYPTION', env: { S3_UNSET_ENCRYPTION: 'none' }, line: 'S3_UNSET_ENCRYPTION' },
    {
      name: 'S3_BUCKET_DEFAULTS',
      env: { S3_BUCKET_DEFAULTS: 'off' },
      line: 'S3_BUCKET_DEFAULTS must be one of secure, legacy',
    },
    { name: 'PORT', env: { PORT: 'http' }, line: 'PORT must be a TCP port number' },
    { name: 'LOG_LEVEL', env: { LOG_LEVEL: 'LOUD' }, line: 'LOG_LEVEL must be one of' },
    {
      name: 'DYNAMODB_ENDPOINT',
      env: { DYNAMODB_ENDPOINT: 'not a url' },
      line: 'DYNAMODB_ENDPOINT must be an http:// or https:// URL',
    },
    {
      name: 'DYNAMODB_ENDPOINT without a scheme',
      env: { DYNAMODB_ENDPOINT: 'localhost:8000' },
      line: 'DYNAMODB_ENDPOINT must be an http:// or https:// URL such as http://localhost:8000 (got "localhost:8000")',
    },
  ])(
    'returns exit 2 and a line naming $name when it is invalid, starting nothing',
    { timeout: 120_000 },
    async ({ env, line }, { expect, onTestFinished }) => {
      const { code, output } = await failedStart(onTestFinished, env);
      expect(code).toBe(2);
      expect(output.trim().split('\n')).toEqual([expect.stringContaining(`npm start: ${line}`)]);
    },
  );

  it('returns "Is Java ≥ 17 installed?" when java cannot be started at all', async ({
    expect,
    onTestFinished,
  }) => {
    const emptyPath = mkdtempSync(join(workDir, 'path-'));
    const { code, output } = await failedStart(onTestFinished, { PATH: emptyPath });
    expect(code).toBe(1);
    expect(output.trim().split('\n').at(-1)).toMatch(
      /^npm start: DynamoDB Local needs Java, and `java` could not be started \(spawn java ENOENT\)\. Is Java ≥ 17 installed\?$/,
    );
    expect(output).not.toContain(READY);
  }, 120_000);

  it('returns what DynamoDB Local said, and no question about Java, when java runs and fails', async ({
    expect,
    onTestFinished,
  }) => {
    const fakeBin = mkdtempSync(join(workDir, 'bin-'));
    writeFileSync(
      join(fakeBin, 'java'),
      '#!/bin/sh\necho "Could not load the database: disk on fire" >&2\nexit 3\n',
    );
    chmodSync(join(fakeBin, 'java'), 0o755);
    const { code, output } = await failedStart(onTestFinished, { PATH: `${fakeBin}:/usr/bin:/bin` });
    expect(code).toBe(1);
    expect(output).toContain('Could not load the database: disk on fire');
    expect(output.trim().split('\n').at(-1)).toBe(
      'npm start: DynamoDB Local exited (code 3) before it answered',
    );
    expect(output).not.toContain('Is Java');
    expect(output).not.toContain(READY);
  }, 120_000);
});

describe('DynamoDB Local (scripts/local-stack.ts)', () => {
  it('listens on 127.0.0.1 only: the kernel lists no other address for its port, and other addresses refuse', async ({
    expect,
  }) => {
    // The suite's own DynamoDB Local, started by the same code as `npm start`'s.
    const port = Number(new URL(inject('dynamodbEndpoint')).port);
    expect(listeningAddresses(port)).toEqual(['127.0.0.1']);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal && address.family === 'IPv4')
      .map((address) => address?.address ?? '');
    for (const address of others) expect(await refused(address, port)).toBe(true);
  });
});
