// `npm test` interrupted — Ctrl-C (SIGINT to its process group, as a terminal sends it) or SIGTERM to
// the npm process alone (as CI runners and process managers send it) — leaves no DynamoDB Local,
// serverless-offline or esbuild behind. Vitest exits on either signal without running its global
// teardown; what its setups started stops by itself (scripts/local-stack.ts spawnChild: a lifeline).
// After SIGTERM, npm's shell dies and vitest is left running without a parent: it notices and exits
// too (exitWhenOrphaned). The run under test is a real `npm test` of this repository, limited to one
// e2e file so that its setup starts the whole local stack: DynamoDB Local and two gateways.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';
import { stackProcessesOf, waitUntilGone } from '../helpers/processes.ts';

/** This process's environment without what vitest and this suite's setup put in it. */
const userEnvironment = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(VITEST|TEST|NODE_ENV$|DYNAMODB_ENDPOINT$|TABLE_NAME$|S3_|LOG_LEVEL$|POWERTOOLS_)/.test(name),
    ),
  );

describe.concurrent('npm test, interrupted', () => {
  it.for([
    { how: 'Ctrl-C (SIGINT to its process group)', signal: 'SIGINT', group: true },
    { how: 'SIGTERM to npm alone', signal: 'SIGTERM', group: false },
  ] as const)(
    'leaves no DynamoDB Local, serverless-offline or esbuild within 5 s of $how',
    { timeout: 400_000 },
    async ({ signal, group }, { expect, onTestFinished }) => {
      const run = spawn('npm', ['test', '--', '--project', 'e2e', 'test/e2e/readme.test.ts'], {
        cwd: ROOT,
        env: userEnvironment(),
        // A process group of its own, as a terminal gives a foreground job.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
      };
      run.stdout?.on('data', collect);
      run.stderr?.on('data', collect);
      const exited = once(run, 'exit');
      onTestFinished(() => {
        try {
          if (run.exitCode === null) process.kill(-(run.pid ?? 0), 'SIGKILL');
        } catch {
          // gone
        }
      });

      // Until its setup has started them all: DynamoDB Local, both gateways, their esbuild services.
      const deadline = Date.now() + 300_000;
      let parts = stackProcessesOf(run.pid ?? -1);
      const count = (kind: string) => parts.filter((part) => part.kind === kind).length;
      while (count('java') < 1 || count('serverless-offline') < 2 || count('esbuild') < 1) {
        if (run.exitCode !== null) throw new Error(`npm test ended before its setup was up:\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm test's setup not up after 300 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        parts = stackProcessesOf(run.pid ?? -1);
      }

      const signalled = Date.now();
      process.kill(group ? -(run.pid ?? 0) : (run.pid ?? 0), signal);
      const [code, exitSignal] = (await exited) as [number | null, NodeJS.Signals | null];
      // Interrupted, not finished: npm reports the signal.
      expect({ code, exitSignal }).not.toEqual({ code: 0, exitSignal: null });
      const left = await waitUntilGone(
        parts.map((part) => part.pid),
        5_000 - (Date.now() - signalled),
      );
      expect(left).toEqual([]);
    },
  );
});
