// The process table as the tests that stop local stacks read it (`ps`): who is below whom, what a
// process of the local stack is, and waiting for processes to end.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRow {
  pid: number;
  ppid: number;
  state: string;
  args: string;
}

/** Every process, from `ps`: pid, parent, state and command line. */
export function processTable(): ProcessRow[] {
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
export const childrenOf = (pid: number) => processTable().filter((row) => row.ppid === pid);

/** Every process below `pid` (children, their children, …). */
export function descendantsOf(pid: number): ProcessRow[] {
  const table = processTable();
  const found: ProcessRow[] = [];
  const walk = (parent: number) => {
    for (const row of table.filter((candidate) => candidate.ppid === parent)) {
      found.push(row);
      walk(row.pid);
    }
  };
  walk(pid);
  return found;
}

/** Of `pids`, those alive and not zombies (exited processes whose new parent has not reaped them yet). */
function running(pids: number[]): number[] {
  const alive = new Set(
    processTable()
      .filter((row) => !row.state.startsWith('Z'))
      .map((row) => row.pid),
  );
  return pids.filter((pid) => alive.has(pid));
}

export const isRunning = (pid: number): boolean => running([pid]).length > 0;

/** Those of `pids` still running after `timeoutMs` (none, as soon as none is). */
export async function waitUntilGone(pids: number[], timeoutMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = running(pids);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What a process of the local stack is, from its command line. */
export function kindOf(args: string): 'java' | 'serverless-offline' | 'esbuild' | undefined {
  if (args.includes('DynamoDBLocal.jar')) return 'java';
  if (args.includes('serverless.js offline')) return 'serverless-offline';
  if (/\besbuild --service/.test(args)) return 'esbuild';
  return undefined;
}

/** The local stack's processes (java, serverless-offline, esbuild) below `pid`. */
export const stackProcessesOf = (pid: number) =>
  descendantsOf(pid)
    .map((row) => ({ ...row, kind: kindOf(row.args) }))
    .filter((row) => row.kind !== undefined);

/**
 * The local stack's processes below `pid` once each of `kinds` is among them (or as they are after
 * `timeoutMs`): a line a parent prints before it spawns a child says nothing of when the child exists,
 * and under load the child's command line appears later still (a fork is the parent's until it execs).
 */
export async function stackProcessesWith(
  pid: number,
  kinds: ReadonlyArray<ReturnType<typeof kindOf>>,
  timeoutMs = 60_000,
): Promise<ReturnType<typeof stackProcessesOf>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const parts = stackProcessesOf(pid);
    if (kinds.every((kind) => parts.some((part) => part.kind === kind)) || Date.now() > deadline)
      return parts;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How many inotify watches `pid` holds (Linux: one `inotify wd:` line per watch in the fdinfo of each
 * of its inotify descriptors): what a process that watches files for changes cannot do without.
 */
export function inotifyWatchesOf(pid: number): number {
  let watches = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('inotify wd:')).length;
    } catch {
      // closed meanwhile
    }
  }
  return watches;
}
