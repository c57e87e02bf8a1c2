// `serverless package` as a deployer runs it, for the tests that read what it produces (the package
// test, the runtime tests).
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runNodeChild } from '../../scripts/local-stack.ts';
import type { Template } from './template.ts';

export interface PackageOptions {
  /** Names the copy and the output folder (default: the stage). */
  name?: string;
  /** `--param name=value` for each. */
  params?: Record<string, string>;
  /** Shell variables the deployer has set (PATH and HOME are always the test's own). */
  env?: Record<string, string>;
}

export interface PackagedService {
  /** The folder holding the zips and the CloudFormation templates. */
  dir: string;
  files: string[];
  template: Template;
}

/** What `serverless package` reads from the working tree (node_modules is linked, not copied). */
const SERVICE_FILES = [
  'serverless.yml',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'functions',
  'lib',
  // The packaging plugins serverless.yml names.
  'scripts/trim-packages.ts',
  'scripts/validate-params.ts',
  'scripts/settle-conditions.ts',
];

/** The copy of the service and the command line `serverless package` runs with. */
function prepare(workDir: string, stage: string, options: PackageOptions) {
  const name = options.name ?? stage;
  const service = join(workDir, `service-${name}`);
  for (const file of SERVICE_FILES) cpSync(join(ROOT, file), join(service, file), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(service, 'node_modules'), 'dir');
  const home = mkdtempSync(join(workDir, `home-${name}-`));
  const dir = join(workDir, `package-${name}`);
  const args = [
    'package',
    '--package',
    dir,
    '--stage',
    stage,
    ...Object.entries(options.params ?? {}).flatMap(([param, value]) => ['--param', `${param}=${value}`]),
  ];
  const runOptions = {
    cwd: service,
    env: {
      ...options.env,
      PATH: process.env.PATH,
      HOME: home,
      ESBUILD_WORK_FOLDER: `.esbuild/package-test-${name}`,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
    timeoutMs: 240_000,
  };
  return { dir, args, runOptions };
}

const SERVERLESS = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');

/**
 * Runs `serverless package` for a stage in a copy of the service, with a bare environment: no AWS_*
 * variable, and a HOME of its own so no ~/.aws credentials or config can be found either. A copy
 * because osls stages every package in `<service>/.serverless`, which it empties first and removes
 * after: two runs in one directory (or this test and a developer's `npm run package`) would collide.
 */
export async function packageService(
  workDir: string,
  stage: string,
  options: PackageOptions = {},
): Promise<PackagedService> {
  const { dir, args, runOptions } = prepare(workDir, stage, options);
  try {
    // A child of the local stack's kind: should the test run be interrupted, it and its esbuild stop too.
    await runNodeChild(SERVERLESS, args, runOptions);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package --stage ${stage} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { dir, files: readdirSync(dir), template };
}

export interface RefusedPackage {
  exitCode: number;
  /** The lines osls printed under `Error:` (the plugin's message). */
  errorLines: string[];
  /** Everything printed. */
  output: string;
  /** What the package folder holds afterwards (nothing was built: no zip). */
  files: string[];
}

/** Runs `serverless package` expecting it to refuse; throws if it packaged. */
export async function packageRefused(
  workDir: string,
  stage: string,
  options: PackageOptions = {},
): Promise<RefusedPackage> {
  const { dir, args, runOptions } = prepare(workDir, stage, options);
  try {
    await runNodeChild(SERVERLESS, args, runOptions);
  } catch (error) {
    const { stdout = '', stderr = '', code } = error as { stdout?: string; stderr?: string; code?: number };
    const output = `${stdout}\n${stderr}`;
    const lines = output.split('\n');
    const start = lines.findIndex((line) => line.trim() === 'Error:');
    const errorLines: string[] = [];
    for (const line of start < 0 ? [] : lines.slice(start + 1)) {
      if (line.trim() === '' || /^(Environment|Docs|Support|Bugs):/.test(line.trim())) break;
      errorLines.push(line.trim());
    }
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      files = [];
    }
    return { exitCode: typeof code === 'number' ? code : -1, errorLines, output, files };
  }
  throw new Error(`serverless package --stage ${stage} with ${JSON.stringify(options.params)} packaged`);
}
