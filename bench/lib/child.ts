// Each measurement runs in a fresh Node process (no JIT state or heap shared with the others),
// started with `fork` and answering over IPC. The section modules call `serveSection`; run.ts
// calls `runSection`.
import { fork } from 'node:child_process';

type Reply<T> = { ok: true; result: T } | { ok: false; error: string };

export function runSection<T>(
  modulePath: string,
  input: unknown,
  options: { env?: Record<string, string>; quiet?: boolean } = {},
): Promise<T> {
  const child = fork(modulePath, [], {
    env: { ...process.env, ...options.env },
    // A quiet child's stdout (the Lambdas' log lines) goes to /dev/null, as a real sink would take it.
    stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    let replied = false;
    child.once('message', (message: Reply<T>) => {
      replied = true;
      if (message.ok) resolve(message.result);
      else reject(new Error(`${modulePath}: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      if (!replied) reject(new Error(`${modulePath} exited (${signal ?? code}) without a result`));
    });
    child.send(input as object);
  });
}

export function serveSection<I, O>(run: (input: I) => Promise<O>): void {
  const reply = (message: Reply<O>) =>
    process.send?.(message, () => process.exit(message.ok ? 0 : 1)) ?? process.exit(1);
  process.once('message', (input: I) => {
    run(input).then(
      (result) => reply({ ok: true, result }),
      (error: unknown) =>
        reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
