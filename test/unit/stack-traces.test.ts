// Stack traces of a bundle mapped to its sources when they are written (lib/stack-traces.ts), with no
// --enable-source-maps: a minified esbuild bundle with a linked map, loaded in a fresh Node, throws.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'stack-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(): Promise<string> {
  writeFileSync(
    join(dir, 'thrower.ts'),
    [
      'export function boom(): never {',
      "  const reason = 'boom';",
      '  throw new Error(reason);',
      '}',
      '',
    ].join('\n'),
  );
  await build({
    entryPoints: [join(dir, 'thrower.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    sourcemap: 'linked',
    sourcesContent: false,
    outfile: join(dir, 'out', 'thrower.mjs'),
    logLevel: 'silent',
  });
  return join(dir, 'out', 'thrower.mjs');
}

/** A fresh Node loading the bundle (maps installed as lib/log.ts does in a Lambda, or not) and throwing. */
async function stackOf(install: boolean): Promise<string> {
  const file = await bundle();
  const script = [
    install
      ? `import { installMappedStackTraces } from ${JSON.stringify(join(ROOT, 'lib', 'stack-traces.ts'))};`
      : '',
    install ? 'installMappedStackTraces();' : '',
    `const { boom } = await import(${JSON.stringify(file)});`,
    'try { boom(); } catch (error) { console.log(error.stack); }',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return stdout;
}

describe('installMappedStackTraces', () => {
  it('returns the frame in the source file, line and column, for a bundle loaded after it', async () => {
    const stack = await stackOf(true);
    expect(stack.split('\n')[0]).toBe('Error: boom');
    expect(stack).toMatch(/thrower\.ts:3:9/);
    expect(stack).not.toMatch(/thrower\.mjs:1:/);
  });

  it('returns the bundle’s minified position without it (what a Lambda without maps logs)', async () => {
    const stack = await stackOf(false);
    expect(stack).toMatch(/thrower\.mjs:1:\d+/);
  });
});
