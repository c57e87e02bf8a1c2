// Loaded by scripts/local-stack.ts into every Node process it starts (`node --import …/lifeline.ts`:
// serverless-offline, `serverless package`): the process ends when the process that started it does.
// That parent holds the write end of this process's stdin and never writes to it, so end of file means
// the parent is gone, however it went (kill -9 too: the kernel closes its descriptors). Then this
// process's group — its own, local-stack.ts starts it detached; esbuild's service processes are in it —
// gets SIGTERM (serverless-offline stops its servers on it), and SIGKILL 3 s later if anything is left.
import { fstatSync } from 'node:fs';

/** Only a pipe (a socket pair, as Node makes them) is a lifeline; a terminal or /dev/null is not. */
function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

function stopGroup(): void {
  const group = -process.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // not a group leader after all: this process alone
      process.kill(process.pid, name);
    }
  };
  setTimeout(() => signal('SIGKILL'), 3_000).unref();
  signal('SIGTERM');
}

if (stdinIsPipe()) {
  let stopped = false;
  const parentGone = () => {
    if (stopped) return;
    stopped = true;
    stopGroup();
  };
  process.stdin.on('end', parentGone);
  process.stdin.on('error', parentGone);
  process.stdin.on('data', () => {}); // nothing is ever written; reading is what notices the end
  // The lifeline never keeps the process alive by itself.
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
