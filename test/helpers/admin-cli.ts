// The admin CLI as an operator runs it: `node scripts/admin.ts …` in a process of its own (what `npm run
// admin --` starts), with exactly the environment given — no AWS settings of the test's own leak in.
import { execFile } from 'node:child_process';
import { ROOT } from '../../scripts/local-stack.ts';

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runAdminProcess(argv: string[], env: Record<string, string>): Promise<AdminRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['scripts/admin.ts', ...argv],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
