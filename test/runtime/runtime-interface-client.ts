// AWS's Lambda runtime interface client (aws-lambda-ric), the code of Lambda's own nodejs24.x runtime,
// for the runtime tests only. It is not one of the project's dependencies: its install scripts build
// libcurl and a C++ client with cmake and node-gyp (minutes of CPU, and a C/C++ toolchain), which every
// `npm install` would pay for a test project most installs never run. Instead test/runtime/aws-lambda-ric/
// pins it (package.json + package-lock.json), and the runtime tests' global setup installs that package
// on their first run into a per-user cache shared by every clone of the repository, keyed by the lock
// file, the platform and the CPU (the native part is an N-API addon: one build serves every Node
// version). Later runs find it there and build nothing. An optional dependency would not help: npm
// still runs its install scripts (and a failed build then silently removes it). The registry has no
// prebuilt build of the 4.x client.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT } from '../../scripts/local-stack.ts';

/** The pinned package: package.json and package-lock.json, nothing else. */
export const RUNTIME_CLIENT_PACKAGE = join(ROOT, 'test', 'runtime', 'aws-lambda-ric');

/** Where built clients are kept: RUNTIME_CLIENT_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
export function runtimeClientCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUNTIME_CLIENT_CACHE) return env.RUNTIME_CLIENT_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bucket-encryption-api', 'aws-lambda-ric');
}

/** The cache entry's name: the pinned lock file's hash, the platform and the CPU. */
export function runtimeClientKey(): string {
  const lock = readFileSync(join(RUNTIME_CLIENT_PACKAGE, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  return `${process.platform}-${process.arch}-${hash}`;
}

/** The client's entry point (index.mjs) inside an installed package directory. */
const entryPoint = (dir: string) => join(dir, 'node_modules', 'aws-lambda-ric', 'index.mjs');
/** The native part its install builds; without it the client fails at its first request. */
const nativePart = (dir: string) => join(dir, 'node_modules', 'aws-lambda-ric', 'rapid-client.node');
const installed = (dir: string) => existsSync(entryPoint(dir)) && existsSync(nativePart(dir));

/**
 * The path of aws-lambda-ric's index.mjs, installing the pinned package into the cache first if it
 * is not there yet (`npm ci` in a scratch directory, moved into place whole once its native part is
 * built, so that a run stopped half-way or a second run at the same moment never sees half a client).
 */
export async function runtimeInterfaceClient(log: (line: string) => void = console.log): Promise<string> {
  const root = runtimeClientCacheRoot();
  const dir = join(root, runtimeClientKey());
  if (installed(dir)) return entryPoint(dir);
  mkdirSync(root, { recursive: true });
  const scratch = mkdtempSync(join(root, '.installing-'));
  try {
    for (const file of ['package.json', 'package-lock.json']) {
      cpSync(join(RUNTIME_CLIENT_PACKAGE, file), join(scratch, file));
    }
    log(
      `runtime tests: building AWS's Lambda runtime interface client once (aws-lambda-ric, native; a few minutes) into ${dir}`,
    );
    const output = await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], scratch);
    if (output.code !== 0 || !installed(scratch)) {
      throw new Error(
        `could not install aws-lambda-ric for the runtime tests (npm ci in ${RUNTIME_CLIENT_PACKAGE}'s copy ` +
          `exited ${output.code}). Its install builds native code: it needs cmake, make and a C++ compiler ` +
          `(Debian: apt-get install cmake make g++). npm's last lines:\n${output.tail}`,
      );
    }
    try {
      renameSync(scratch, dir);
    } catch (error) {
      // Another run installed it meanwhile: use theirs.
      if (!installed(dir)) throw error;
    }
    return entryPoint(dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs a command to its end; its exit code and the last lines it printed. */
function run(command: string, args: string[], cwd: string): Promise<{ code: number; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The project's Node 24 first (npm scripts have it first already; `npx vitest` too).
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        tail: output.trimEnd().split('\n').slice(-25).join('\n'),
      }),
    );
  });
}
