// Cold start: the bundles `serverless package` produces for serverless.yml, against the floor bundle
// (bench/lambdas/floor.ts: DynamoDBClient imported and constructed, nothing else) that the same
// command produces for serverless.bench.yml — same esbuild settings, by reference. For each: its
// size, and the whole-process time of a fresh Node (with the Lambda's NODE_OPTIONS) importing it,
// which builds the handler; bundles and floor interleaved, round after round. Plus an esbuild
// metafile of each bundle: which packages and modules its bytes beyond the floor's come from.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { ROOT } from '../../scripts/local-stack.ts';
import { BENCH_CONFIG } from '../lib/offline.ts';
import { median, type Summary, summarize } from '../lib/stats.ts';
import { readZip } from '../lib/zip.ts';

export interface ColdStartInput {
  rounds: number;
  /** Where packages and extracted bundles go (under .esbuild/, which is ignored). */
  workDir: string;
}

export interface Bundle {
  /** The functions whose package holds this bundle (identical bundles are measured once). */
  functions: string[];
  file: string;
  bytes: number;
  zipBytes: number;
  importMs: Summary;
  /** Median over rounds of this round's time / the floor's time in the same round (drift cancels). */
  ratioToFloor: number;
}

export interface Contribution {
  source: string;
  bytes: number;
}

export interface ColdStartResult {
  nodeOptions: string;
  floor: Bundle;
  bundles: Bundle[];
  /** Per bundle file: what its bytes beyond the floor's are, by package (esbuild metafile). */
  beyondFloor: Record<string, { total: number; bySource: Contribution[] }>;
}

interface ServerlessState {
  service: {
    custom?: { esbuild?: Record<string, unknown> };
    provider: { environment?: Record<string, string> };
    functions: Record<string, { handler: string }>;
  };
}

async function serverlessPackage(
  outDir: string,
  workFolder: string,
  config?: string,
): Promise<ServerlessState> {
  rmSync(outDir, { recursive: true, force: true });
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'package',
      ...(config ? ['--config', config] : []),
      '--package',
      relative(ROOT, outDir),
      '--stage',
      'dev',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ESBUILD_WORK_FOLDER: relative(ROOT, workFolder),
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0)
    throw new Error(`serverless package${config ? ` --config ${config}` : ''} failed:\n${output}`);
  return JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8')) as ServerlessState;
}

/** Unzips a function's package; returns the path of its handler module and the bytes a cold start loads. */
function extract(zipPath: string, handler: string, into: string) {
  const moduleFile = `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
  const files = new Map<string, Buffer>();
  for (const entry of readZip(readFileSync(zipPath))) {
    const target = join(into, entry.name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.data);
    files.set(entry.name, entry.data);
  }
  // What a cold start loads: the handler's module and the chunks it imports statically. Chunks that
  // are only `import()`ed (the KMS client, the SDK's unused credential providers) load later, if ever.
  const loaded = new Set<string>();
  const visit = (name: string) => {
    const code = files.get(name);
    if (loaded.has(name) || code === undefined) return;
    loaded.add(name);
    for (const [, specifier = ''] of code
      .toString('utf8')
      .matchAll(/(?:^|[;}\s])(?:import|export)\b[^"'()]*?["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(join(dirname(name), specifier));
    }
  };
  visit(moduleFile);
  let bytes = 0;
  for (const name of loaded) bytes += files.get(name)?.length ?? 0;
  const content = readFileSync(join(into, moduleFile));
  return {
    file: moduleFile,
    path: join(into, moduleFile),
    bytes,
    zipBytes: readFileSync(zipPath).length,
    hash: createHash('sha256').update(content).digest('hex'),
  };
}

/** A fresh Node importing the bundle (which builds the handler) and exiting: wall time in ms. */
function timeImport(path: string, env: NodeJS.ProcessEnv): number {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(path).href)}); if (typeof m.handler !== 'function') process.exit(3);`;
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, stdio: 'pipe' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`importing ${path} failed (${result.status}): ${result.stderr}`);
  return elapsed;
}

// serverless-esbuild's own options, removed before its settings reach esbuild (its src/bundle.ts).
const PLUGIN_OPTIONS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
]);

async function metafile(entry: string, settings: Record<string, unknown>, outdir: string): Promise<Metafile> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) if (!PLUGIN_OPTIONS.has(key)) options[key] = value;
  const exclude = Array.isArray(settings.exclude) ? (settings.exclude as string[]) : [];
  const external = Array.isArray(settings.external) ? (settings.external as string[]) : [];
  const result = await build({
    ...options,
    external: [...external, ...(exclude.includes('*') ? [] : exclude)],
    entryPoints: [join(ROOT, entry)],
    outdir,
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Bytes in the output by package (node_modules) or project directory. */
function bySource(meta: Metafile, entryPoint: string): Map<string, number> {
  // What a cold start loads: the entry point's output and the chunks it imports statically (with code
  // splitting, serverless.yml's setting, the lazily imported chunks are outputs too, and not counted).
  // (Lazily imported modules are entry points of their own chunks: the bundle's is the one named.)
  const entry = Object.keys(meta.outputs).find((path) => meta.outputs[path]?.entryPoint === entryPoint);
  const loaded = new Set<string>();
  const pending = entry ? [entry] : [];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (loaded.has(path)) continue;
    loaded.add(path);
    for (const imported of meta.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && meta.outputs[imported.path]) pending.push(imported.path);
    }
  }
  const sources = new Map<string, number>();
  for (const path of loaded) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[path]?.inputs ?? {})) {
      const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const source = inPackage?.[1] ?? input.split('/').slice(0, 2).join('/');
      sources.set(source, (sources.get(source) ?? 0) + bytesInOutput);
    }
  }
  return sources;
}

export async function coldStart(input: ColdStartInput): Promise<ColdStartResult> {
  const production = await serverlessPackage(join(input.workDir, 'production'), join(input.workDir, 'work'));
  const withFloor = await serverlessPackage(
    join(input.workDir, 'bench'),
    join(input.workDir, 'work-bench'),
    BENCH_CONFIG,
  );
  const extracted = join(input.workDir, 'extracted');
  rmSync(extracted, { recursive: true, force: true });

  const floorHandler = withFloor.service.functions.floor?.handler;
  if (!floorHandler) throw new Error(`${BENCH_CONFIG} has no floor function`);
  const floor = extract(join(input.workDir, 'bench', 'floor.zip'), floorHandler, join(extracted, 'floor'));

  const unique = new Map<string, ReturnType<typeof extract> & { functions: string[] }>();
  for (const [name, fn] of Object.entries(production.service.functions)) {
    const bundle = extract(
      join(input.workDir, 'production', `${name}.zip`),
      fn.handler,
      join(extracted, name),
    );
    const same = unique.get(bundle.hash);
    if (same) same.functions.push(name);
    else unique.set(bundle.hash, { ...bundle, functions: [name] });
  }

  // The environment the Lambda runtime gives the function (NODE_OPTIONS=--enable-source-maps among it).
  const lambdaEnv = production.service.provider.environment ?? {};
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...lambdaEnv,
    AWS_REGION: 'us-east-1',
    TZ: ':UTC',
  };
  const measured = [floor, ...unique.values()];
  const times = measured.map(() => [] as number[]);
  const warmupRounds = 2;
  for (let round = 0; round < warmupRounds + input.rounds; round++) {
    // Rotate who goes first, so no bundle always follows the same one.
    for (let step = 0; step < measured.length; step++) {
      const index = (round + step) % measured.length;
      const elapsed = timeImport(measured[index]?.path ?? '', env);
      if (round >= warmupRounds) times[index]?.push(elapsed);
    }
  }

  const settings = production.service.custom?.esbuild ?? {};
  const metaDir = join(input.workDir, 'meta');
  const floorEntry = `${floorHandler.slice(0, floorHandler.lastIndexOf('.'))}.ts`;
  const floorSources = bySource(await metafile(floorEntry, settings, metaDir), floorEntry);
  const beyondFloor: ColdStartResult['beyondFloor'] = {};
  for (const bundle of unique.values()) {
    const entry = bundle.file.replace(/\.mjs$/, '.ts');
    const sources = bySource(await metafile(entry, settings, metaDir), entry);
    const extra: Contribution[] = [];
    for (const [source, bytes] of sources) {
      const beyond = bytes - (floorSources.get(source) ?? 0);
      if (beyond !== 0) extra.push({ source, bytes: beyond });
    }
    extra.sort((a, b) => b.bytes - a.bytes);
    beyondFloor[bundle.file] = { total: extra.reduce((sum, part) => sum + part.bytes, 0), bySource: extra };
  }

  const floorTimes = times[0] ?? [];
  const toBundle = (bundle: (typeof measured)[number], functions: string[], index: number): Bundle => {
    const own = times[index] ?? [];
    return {
      functions,
      file: bundle.file,
      bytes: bundle.bytes,
      zipBytes: bundle.zipBytes,
      importMs: summarize(own),
      ratioToFloor: median(own.map((ms, round) => ms / (floorTimes[round] ?? Number.NaN))),
    };
  };
  return {
    nodeOptions: lambdaEnv.NODE_OPTIONS ?? '',
    floor: toBundle(floor, ['floor'], 0),
    bundles: [...unique.values()].map((bundle, i) => toBundle(bundle, bundle.functions, i + 1)),
    beyondFloor,
  };
}
