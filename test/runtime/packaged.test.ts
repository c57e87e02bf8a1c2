// The packaged bundles are what Node 24's Lambda runtime accepts: each exports a two-parameter handler,
// and the runtime interface client itself refuses a three-parameter one at init (so the routes test
// would fail with its message, not pass by accident).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LambdaProcess, NODE } from './lambda.ts';

const run = promisify(execFile);

const { functions } = inject('runtime');
const started: LambdaProcess[] = [];
afterAll(async () => {
  for (const lambda of started) await lambda.stop();
});

describe('the packaged handlers', () => {
  it.each(functions.aws.map((spec) => [spec.name, spec] as const))(
    '%s exports (event, context): handler.length 2',
    async (_name, spec) => {
      const [file = '', exported = ''] = spec.handler.split(/\.(?=[^.]+$)/);
      const url = pathToFileURL(join(spec.taskRoot, `${file}.mjs`)).href;
      // Imported by the project's Node 24 itself, as the runtime imports it (not through the test runner).
      const { stdout } = await run(
        NODE,
        [
          '--input-type=module',
          '-e',
          `const handler = (await import(${JSON.stringify(url)}))[${JSON.stringify(exported)}]; console.log(typeof handler, handler.length);`,
        ],
        { cwd: spec.taskRoot, env: { PATH: process.env.PATH ?? '' } },
      );
      expect(stdout.trim()).toBe('function 2');
    },
  );
});

describe('the runtime interface client', () => {
  it('refuses a three-parameter handler at init with Runtime.CallbackHandlerDeprecated', async () => {
    const taskRoot = mkdtempSync(join(tmpdir(), 'callback-handler-'));
    try {
      writeFileSync(
        join(taskRoot, 'index.mjs'),
        'export const handler = async (event, context, callback) => ({ statusCode: 200 });\n',
      );
      const lambda = await LambdaProcess.start(
        {
          name: 'callback',
          handler: 'index.handler',
          taskRoot,
          timeoutSeconds: 6,
          memoryMb: 128,
          environment: {},
        },
        'us-east-1',
        {},
      );
      started.push(lambda);
      const failure = await lambda.invoke({}).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(lambda.initError?.errorType).toBe('Runtime.CallbackHandlerDeprecated');
      expect(failure?.message).toMatch(/Runtime\.CallbackHandlerDeprecated/);
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
    }
  });
});
