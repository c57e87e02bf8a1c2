// `npm start` really works: scripts/start.ts as a user runs it (a process of its own, on a free port),
// driven with the credentials and endpoint it prints, stopped with SIGTERM, leaving nothing behind.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The processes whose parent is `pid`, from `ps`. */
function childrenOf(pid: number): Array<{ pid: number; args: string }> {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null && Number(match[2]) === pid)
    .map((match) => ({ pid: Number(match?.[1]), args: match?.[3] ?? '' }));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One `node scripts/start.ts` run. */
class LocalStack {
  readonly process: ChildProcess;
  output = '';
  readonly stateFile = join(workDir, `state-${Math.random().toString(36).slice(2)}.json`);
  /** Processes it started (DynamoDB Local's java, serverless-offline), for cleanup if a test fails. */
  descendants: number[] = [];

  constructor(port: number, args: string[], env: Record<string, string | undefined>) {
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
      ...env,
    };
    this.process = spawn(process.execPath, [join(ROOT, 'scripts', 'start.ts'), ...args], {
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
  async ready(timeoutMs = 45_000): Promise<Printed> {
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
    this.descendants = childrenOf(this.process.pid ?? -1).map((child) => child.pid);
    return {
      endpoint: printed('endpoint'),
      region: printed('region'),
      accessKeyId: printed('access key id'),
      secretAccessKey: printed('secret access key'),
    };
  }

  /** SIGTERM, then the exit code (SIGKILL for it and what it started if it does not stop in time). */
  async stop(timeoutMs = 20_000): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return this.process.exitCode;
    const exited = once(this.process, 'exit');
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const pid of [this.process.pid ?? -1, ...this.descendants]) {
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      }
    }, timeoutMs);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    return code;
  }
}

/** Starts a stack that is stopped when the test ends, whatever happened. */
async function start(
  onTestFinished: (cleanup: OnTestFinishedHandler) => void,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
) {
  const stack = new LocalStack(await freePort(), args, env);
  onTestFinished(async () => {
    await stack.stop();
  });
  return { stack, printed: await stack.ready() };
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

// The three runs are independent (ports, state files, data directories of their own): concurrent.
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

    expect(await stack.stop()).toBe(0);
    expect([java, offline].filter((child) => child && isRunning(child.pid))).toEqual([]);
    expect(existsSync(stack.stateFile)).toBe(false);
  }, 60_000);

  it('returns the buckets of the previous run when started again with --persist DIR', async ({
    expect,
    onTestFinished,
  }) => {
    const dataDir = mkdtempSync(join(workDir, 'data-'));
    const bucket = uniqueBucket('persisted');
    const first = await start(onTestFinished, ['--persist', dataDir]);
    expect(dynamoDbLocalChildren(first.stack)[0]?.args).toContain(dataDir);
    await createBucket(first.printed, bucket);
    expect(await first.stack.stop()).toBe(0);

    const second = await start(onTestFinished, ['--persist', dataDir]);
    expect(await listedBuckets(second.printed)).toContain(bucket);
    expect(await second.stack.stop()).toBe(0);
  }, 90_000);

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
  }, 60_000);
});
