// `npm start` really works: scripts/start.ts as a user runs it (a process of its own, on a free port),
// driven with the credentials and endpoint it prints, stopped with SIGTERM, leaving nothing behind;
// `npm start` itself stopped by a signal to the npm process alone; the banner's commands run with the
// AWS CLI in every profile; and each way start-up can fail ends it with one clear line and no banner.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, inject, it, type OnTestFinishedHandler } from 'vitest';
import { storage } from '../../lib/storage/index.ts';
import { run as runAdmin } from '../../scripts/admin.ts';
import { freePort, ROOT } from '../../scripts/local-stack.ts';
import { uniqueBucket } from '../helpers/identities.ts';

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

/** Every process, from `ps`: pid, parent, state and command line. */
function processTable(): Array<{ pid: number; ppid: number; state: string; args: string }> {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({
      pid: Number(match?.[1]),
      ppid: Number(match?.[2]),
      state: match?.[3] ?? '',
      args: match?.[4] ?? '',
    }));
}

/** The processes whose parent is `pid`. */
const childrenOf = (pid: number) => processTable().filter((row) => row.ppid === pid);

/** Every process below `pid` (children, their children, …). */
function descendantsOf(pid: number): Array<{ pid: number; args: string }> {
  const table = processTable();
  const found: Array<{ pid: number; args: string }> = [];
  const walk = (parent: number) => {
    for (const row of table.filter((candidate) => candidate.ppid === parent)) {
      found.push(row);
      walk(row.pid);
    }
  };
  walk(pid);
  return found;
}

/** Alive and not a zombie (an exited process whose new parent has not reaped it yet). */
function isRunning(pid: number): boolean {
  const row = processTable().find((candidate) => candidate.pid === pid);
  return row !== undefined && !row.state.startsWith('Z');
}

async function waitUntilGone(pids: number[], timeoutMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = pids.filter(isRunning);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 200));
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

  /** Resolves with what it printed once it is ready; rejects if it exits first or takes too long. */
  async ready(timeoutMs = 90_000): Promise<Printed> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(READY)) {
      if (this.process.exitCode !== null)
        throw new Error(`start.ts exited (${this.process.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`start.ts not ready after ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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

  /** Its exit code, once it exits on its own (start-up failures). */
  async exited(timeoutMs = 60_000): Promise<number | null> {
    if (this.process.exitCode !== null) return this.process.exitCode;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(this.process, 'exit')) as [number | null];
    clearTimeout(timer);
    return code;
  }

  /** SIGTERM, then the exit code (SIGKILL for it and what it started if it does not stop in time). */
  async stop(timeoutMs = 20_000): Promise<number | null> {
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

/** Starts a stack that is stopped when the test ends, whatever happened. */
async function start(
  onTestFinished: (cleanup: OnTestFinishedHandler) => void,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  options: { npm?: boolean; stateFile?: string } = {},
) {
  const stack = new LocalStack(await freePort(), args, env, options);
  onTestFinished(async () => {
    await stack.stop();
  });
  return { stack, printed: await stack.ready() };
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

const clientFor = (printed: Printed) =>
  new S3Client({
    endpoint: printed.endpoint,
    region: printed.region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: printed.accessKeyId, secretAccessKey: printed.secretAccessKey },
  });

async function listedBuckets(printed: Printed): Promise<string[]> {
  const client = clientFor(printed);
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

/**
 * The banner's `export …` line and `aws …` commands, each run as a user pastes it: in `sh`, with the
 * AWS CLI from PATH (and no AWS configuration of the machine's user). Returns each command's stdout.
 */
async function runBannerCommands(output: string): Promise<string[]> {
  const lines = output.split('\n').map((line) => line.trim());
  const exportLine = lines.find((line) => line.startsWith('export AWS_ACCESS_KEY_ID='));
  const commands = lines.filter((line) => line.startsWith('aws '));
  if (!exportLine || commands.length !== 3) throw new Error(`no example commands in the banner:\n${output}`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const results: string[] = [];
  for (const command of commands) {
    const { stdout } = await execFileAsync('sh', ['-c', `${exportLine}\n${command}`], {
      env: {
        ...env,
        AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
      },
      timeout: 60_000,
    });
    results.push(stdout);
  }
  return results;
}

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
      return lines.map((line) => JSON.parse(line).operation);
    };
    await expect.poll(history, { timeout: 10_000 }).toEqual(['CreateBucket']);

    // A second start with the same state file refuses, before starting anything, and leaves it alone.
    const before = readFileSync(stack.stateFile, 'utf8');
    const second = await failedStart(onTestFinished, {}, { stateFile: stack.stateFile });
    expect(second.code).toBe(1);
    expect(second.output).toContain(`npm start: a local stack is already running (pid ${stack.process.pid}`);
    expect(second.output).not.toContain(READY);
    expect(second.output).not.toContain('Starting DynamoDB Local');
    expect(readFileSync(stack.stateFile, 'utf8')).toBe(before);

    expect(await stack.stop()).toBe(0);
    expect([java, offline].filter((child) => child && isRunning(child.pid))).toEqual([]);
    expect(existsSync(stack.stateFile)).toBe(false);
  }, 120_000);

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
  }, 150_000);

  it('returns buckets stored in the DynamoDB named by DYNAMODB_ENDPOINT, starting no DynamoDB Local', async ({
    expect,
    onTestFinished,
  }) => {
    const dynamodbEndpoint = inject('dynamodbEndpoint');
    const { stack, printed } = await start(onTestFinished, [], { DYNAMODB_ENDPOINT: dynamodbEndpoint });
    expect(stack.output).toContain(`Using DynamoDB at ${dynamodbEndpoint}`);
    expect(dynamoDbLocalChildren(stack)).toEqual([]);
    const bucket = uniqueBucket('shared-db');
    await createBucket(printed, bucket);
    // The test process reads the same table directly (test/helpers/env.ts points it there).
    expect((await storage().buckets.getBucket(bucket))?.name).toBe(bucket);
    expect(await stack.stop()).toBe(0);
  }, 120_000);

  // `npm start` as a user runs it, in each profile: the banner's commands, pasted into a shell, set and
  // read back the configuration they say. Then a signal to the npm process alone, as IDE stop buttons
  // and process managers send it (npm forwards it to the script, not to the process group), must stop
  // everything the script started.
  it.for([
    { profile: 'aws', algorithm: 'aws:kms', keyId: 'alias/demo', signal: 'SIGTERM' },
    { profile: 'qstorage', algorithm: 'verenc', keyId: 'qkms:demo-key', signal: 'SIGINT' },
    { profile: 'obs', algorithm: 'kms', keyId: undefined, signal: 'SIGTERM' },
  ] as const)(
    "returns what the banner's AWS CLI commands set in the $profile profile, and no process left after $signal to npm",
    { timeout: 150_000 },
    async ({ profile, algorithm, keyId, signal }, { expect, onTestFinished }) => {
      const { stack } = await start(onTestFinished, [], { S3_PROFILE: profile }, { npm: true });
      expect(stack.output).toContain(`bucket-encryption-api is running (profile ${profile})`);
      const [created, put, got] = await runBannerCommands(stack.output);
      expect(created).toContain('/demo');
      expect(put).toBe('');
      const rule = JSON.parse(got ?? '').ServerSideEncryptionConfiguration.Rules[0];
      expect(rule.ApplyServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: algorithm,
        ...(keyId ? { KMSMasterKeyID: keyId } : {}),
      });

      const below = descendantsOf(stack.process.pid ?? -1);
      expect(below.find((child) => child.args.includes('DynamoDBLocal.jar'))).toBeDefined();
      expect(below.find((child) => child.args.includes('serverless.js offline'))).toBeDefined();
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
  }, 60_000);

  it('returns exit 1, one line and no banner when serverless-offline fails, though its port answers', async ({
    expect,
    onTestFinished,
  }) => {
    // The port is free when start.ts checks it; an HTTP server takes it while serverless-offline
    // builds, so the gateway cannot listen, and the port answers all the same.
    const stack = new LocalStack(await freePort(), [], {});
    onTestFinished(async () => {
      await stack.stop();
    });
    while (!stack.output.includes('Starting serverless-offline') && stack.process.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const blocker = createHttpServer((_request, response) => response.end('not the gateway'));
    blocker.listen(stack.port, '127.0.0.1');
    await once(blocker, 'listening');
    onTestFinished(() => void blocker.close());
    const descendants = descendantsOf(stack.process.pid ?? -1).map((child) => child.pid);
    const code = await stack.exited();
    expect(code).toBe(1);
    expect(stack.output.trim().split('\n').at(-1)).toBe(
      `npm start: port ${stack.port} is already in use: set PORT to a free port`,
    );
    expect(stack.output).not.toContain(READY);
    expect(await waitUntilGone(descendants)).toEqual([]);
  }, 120_000);

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
      line: 'DYNAMODB_ENDPOINT must be a URL',
    },
  ])(
    'returns exit 2 and a line naming $name when it is invalid, starting nothing',
    { timeout: 60_000 },
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
  }, 60_000);

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
  }, 60_000);
});
