// The two servers the emulator comparison runs: `npm start`'s stack, exactly as a developer starts it
// (scripts/start.ts in a process of its own, ready when it prints its banner), and moto_server.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, ROOT } from '../../scripts/local-stack.ts';
import type { Credentials } from './load.ts';

export interface Server {
  endpoint: string;
  credentials: Credentials;
  stop(): Promise<void>;
  output(): string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function collect(child: ChildProcess, limit = 20_000) {
  let output = '';
  const take = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => output;
}

/** `npm start` (scripts/start.ts) on a free port; its output (the Lambdas' log lines) is read and kept short. */
export async function startNpmStart(): Promise<Server> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-npm-start-'));
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      LOCAL_STATE_FILE: join(stateDir, 'stack.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const stopAll = async () => {
    await stop(child);
    rmSync(stateDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  while (!output().includes('bucket-encryption-api is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopAll();
      throw new Error(`npm start did not come up:\n${output()}`);
    }
    await sleep(100);
  }
  const printed = (label: string) => new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(output())?.[1] ?? '';
  return {
    endpoint: printed('endpoint'),
    credentials: { accessKeyId: printed('access key id'), secretAccessKey: printed('secret access key') },
    stop: stopAll,
    output,
  };
}

/** moto_server's path on PATH, or undefined. */
export function findMotoServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** moto_server on 127.0.0.1 and a free port (moto accepts any credentials). */
export async function startMoto(command: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child);
      throw new Error(`moto_server did not come up:\n${output()}`);
    }
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      await sleep(200);
    }
  }
  return {
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    stop: () => stop(child),
    output,
  };
}
