// The README's client snippets work as written: each ```js block of its "From code" section, run by
// Node as a module of this repository (so its imports resolve from node_modules), against the test
// suite's gateways (the endpoint `http://localhost:3000` replaced by the gateway's, the OBS SDK's
// against the obs profile). Each prints what it read back; the test checks it. And its "Run it"
// example is exactly what the banner of a default `npm start` prints to paste, whose commands
// test/e2e/local-stack.test.ts runs with both AWS CLIs.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_STATE_FILE } from '../../scripts/admin/state-file.ts';
import { adminCommand, banner, bannerCommands } from '../../scripts/banner.ts';
import { DEFAULT_LOCAL_IDENTITY, LOCAL_BUILD_DIR, ROOT } from '../../scripts/local-stack.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### From code'), readme.indexOf('## Test it'));
const snippets = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
// Inside the repository, so `import … from '@aws-sdk/client-s3'` resolves; .local is git-ignored, and
// not .esbuild, which a `serverless package` run meanwhile (test/e2e/local-stack.test.ts) deletes.
mkdirSync(join(ROOT, LOCAL_BUILD_DIR), { recursive: true });
const dir = mkdtempSync(join(ROOT, LOCAL_BUILD_DIR, 'readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(snippet: string, gateway: string, name: string): Promise<string> {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, snippet.replaceAll('http://localhost:3000', gateway.replace('127.0.0.1', 'localhost')));
  const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 60_000 });
  return stdout;
}

describe('README: From code', () => {
  it('has the two snippets, SDK v3 with forcePathStyle and esdk-obs-nodejs with path_style', () => {
    expect(snippets).toHaveLength(2);
    expect(snippets[0]).toContain('forcePathStyle: true');
    expect(snippets[1]).toContain("from 'esdk-obs-nodejs'");
    expect(snippets[1]).toContain('path_style: true');
  });

  it('returns aws:kms and its key from the SDK v3 snippet against the aws profile', async () => {
    const printed = await run(snippets[0] ?? '', inject('gateways').aws, 'sdk-v3');
    expect(printed).toContain("SSEAlgorithm: 'aws:kms'");
    expect(printed).toContain("KMSMasterKeyID: 'alias/demo'");
  });

  it('returns 200, 200 and kms from the OBS SDK snippet against the obs profile', async () => {
    const printed = await run(snippets[1] ?? '', inject('gateways').obs, 'obs-sdk');
    expect(printed).toMatch(/^200 200 \{ SSEAlgorithm: 'kms'/);
  });
});

describe('README: Run it', () => {
  it("shows the commands a default `npm start`'s banner prints, and no others", () => {
    const runIt = readme.slice(readme.indexOf('## Run it'), readme.indexOf('### From code'));
    const [, example] = [...runIt.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(example?.trimEnd().split('\n')).toEqual(
      bannerCommands({ port: 3000, profile: 'aws', identity: DEFAULT_LOCAL_IDENTITY }),
    );
  });

  it('prints admin commands that find the stack: with its LOCAL_STATE_FILE when it is not the default', () => {
    const settings = { port: 3000, profile: 'aws', identity: DEFAULT_LOCAL_IDENTITY };
    expect(adminCommand(settings, 'history demo')).toBe('npm run admin -- history demo');
    expect(adminCommand({ ...settings, stateFile: LOCAL_STATE_FILE }, 'history demo')).toBe(
      'npm run admin -- history demo',
    );
    expect(adminCommand({ ...settings, stateFile: '/tmp/my stack.json' }, 'history demo')).toBe(
      "LOCAL_STATE_FILE='/tmp/my stack.json' npm run admin -- history demo",
    );
    const printed = banner({ ...settings, stateFile: '/tmp/b.json' }, 'http://127.0.0.1:8000');
    expect(printed).toContain('LOCAL_STATE_FILE=/tmp/b.json npm run admin -- account create --name team-a');
    expect(printed).toContain('LOCAL_STATE_FILE=/tmp/b.json npm run admin -- history demo');
  });
});
