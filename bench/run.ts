// `npm run bench`: every cost measured against its floor, in one run, printed as one table and
// written as JSON (bench/results/). Starts what it needs: DynamoDB Local, serverless-offline.
//
//   npm run bench                        the whole run (about 4 minutes on 2 cores)
//   npm run bench -- --compare FILE      also print the change against an earlier results file
//   npm run bench -- --quick             fewer samples: a smoke run, not for the record
//   npm run bench -- --only cpu,handler  some sections (cpu, cold-start, handler, gateway, emulators)
//
// How to read it and what dominates each row: docs/performance.md.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_LOCAL_IDENTITY,
  ensureTable,
  freePort,
  LOCAL_TABLE_NAME,
  ROOT,
  type Stoppable,
  seedIdentity,
  startDynamoDbLocal,
} from '../scripts/local-stack.ts';
import { runSection } from './lib/child.ts';
import { startBenchOffline } from './lib/offline.ts';
import { findMotoServer, type Server, startMoto, startNpmStart } from './lib/processes.ts';
import {
  kb,
  type Mark,
  mark,
  ms,
  perSecond,
  type Results,
  type Row,
  renderComparison,
  renderTable,
  times,
  us,
} from './lib/report.ts';
import { round } from './lib/stats.ts';
import { type ColdStartResult, coldStart } from './sections/cold-start.ts';
import type { CpuInput, CpuResult } from './sections/cpu.ts';
import { type EmulatorsInput, type EmulatorsResult, emulators } from './sections/emulators.ts';
import { type GatewayInput, type GatewayResult, gateway as gatewayLoad } from './sections/gateway.ts';
import type { HandlerInput, OperationResult } from './sections/handler.ts';

const SECTIONS = ['handler', 'cold-start', 'gateway', 'emulators', 'cpu'] as const;
type Section = (typeof SECTIONS)[number];

const TARGETS = {
  medianRatio: 1.1,
  p99Ratio: 1.25,
  requestsPerCall: 1,
  coldStartRatio: 1.15,
  sizeOverFloorBytes: 80 * 1024,
  // The local stack against moto_server (issue 13): throughput at least twice moto's with one client
  // and 1.5 times with 8; the median latency with one client at most half of moto's.
  throughputVsMoto: { 1: 2, 8: 1.5 } as Record<number, number>,
  p50VsMoto: { 1: 0.5 } as Record<number, number>,
};

const TITLES: Record<string, string> = {
  handler:
    'Handler vs floor: in-process, SigV4-signed API Gateway v2 event → DynamoDB Local; floor = the same DynamoDB request, raw, same client',
  requests: 'DynamoDB requests per call (SDK middleware, every attempt, steady state)',
  'cold-start':
    'Cold start: fresh Node importing the bundle `serverless package` made; floor = DynamoDBClient-only bundle, same esbuild settings',
  gateway:
    'Through the gateway: serverless-offline (serverless.bench.yml), SDK v3 clients, Get/Put mix; floor = no-op route; p50 and p99 in ms',
  emulators:
    'npm start vs moto_server: SDK v3 clients, a bucket each, Put/Get loop, alternating runs; floor = moto_server',
  cpu: 'CPU per request of the pure pieces (tinybench, hot loop)',
};

const { values } = parseArgs({
  options: {
    compare: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: npm run bench [-- --compare FILE] [--quick] [--only handler,cold-start,gateway,emulators,cpu]',
  );
  process.exit(0);
}
const only = new Set(values.only ? values.only.split(',').map((name) => name.trim()) : SECTIONS);
for (const name of only) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    console.error(`unknown section "${name}" (sections: ${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}
const wanted = (section: Section) => only.has(section);
// Read before this run writes bench/results/latest.json, which it may be.
const compareWith = values.compare
  ? (JSON.parse(readFileSync(values.compare, 'utf8')) as Results)
  : undefined;
const quick = values.quick;
const progress = (message: string) => console.error(`[bench ${elapsed()}] ${message}`);
const startedAt = new Date();
const clock = performance.now();
const elapsed = () => `${((performance.now() - clock) / 1000).toFixed(0).padStart(3)}s`;
const workDir = join(ROOT, '.esbuild', `bench-${process.pid}`);
// serverless.yml names the table the Lambdas use (custom.tableName): the gateway's Lambdas need this one.
const TABLE = LOCAL_TABLE_NAME;

const started: Stoppable[] = [];
async function stopAll() {
  for (const part of started.reverse()) await part.stop().catch(() => {});
  started.length = 0;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void stopAll().then(() => process.exit(130));
  });
}

const rows: Row[] = [];
const details: Record<string, unknown> = {};

function handlerRows(results: OperationResult[]) {
  for (const result of results) {
    const handlerRow = (which: 'p50' | 'p99', ratio: number, target: number): Row => ({
      section: 'handler',
      key: `handler.${result.operation}.${which}`,
      label: `${result.operation} ${which === 'p50' ? 'median' : 'p99'}`,
      measured: ms(result.handler[which]),
      floor: `${ms(result.floor[which])} ${result.floorCommands.join('+')}`,
      versus: times(ratio),
      target: `≤ ×${target.toFixed(2)}`,
      mark: mark(ratio <= target),
      metrics: {
        handlerMs: { value: round(result.handler[which], 4), unit: 'ms', better: 'lower' },
        floorMs: { value: round(result.floor[which], 4), unit: 'ms', better: 'lower' },
        ratio: { value: round(ratio, 4), unit: '×', better: 'lower' },
      },
    });
    rows.push(handlerRow('p50', result.medianRatio, TARGETS.medianRatio));
    rows.push(handlerRow('p99', result.p99Ratio, TARGETS.p99Ratio));
  }
  for (const result of results) {
    rows.push({
      section: 'requests',
      key: `requests.${result.operation}`,
      label: result.operation,
      measured: result.requestsPerCall.toFixed(2),
      floor: result.floorRequestsPerCall.toFixed(2),
      versus: `n=${result.handler.count}`,
      target: `= ${TARGETS.requestsPerCall.toFixed(1)}`,
      mark: mark(result.requestsPerCall === TARGETS.requestsPerCall),
      metrics: { requestsPerCall: { value: result.requestsPerCall, unit: 'req', better: 'lower' } },
    });
  }
}

function coldStartRows(result: ColdStartResult) {
  const floor = result.floor;
  for (const bundle of result.bundles) {
    // The functions sharing the bundle; the file name is in the results file's details.
    const label = `${bundle.functions.join('+')} bundle`;
    // Round by round (each round imports every bundle and the floor within ~½ s): load drifts cancel.
    const ratio = bundle.ratioToFloor;
    rows.push({
      section: 'cold-start',
      key: `cold-start.${bundle.functions.join('+')}.time`,
      label: `${label} time`,
      measured: ms(bundle.importMs.p50),
      floor: ms(floor.importMs.p50),
      versus: times(ratio),
      target: `≤ ×${TARGETS.coldStartRatio.toFixed(2)}`,
      mark: mark(ratio <= TARGETS.coldStartRatio),
      metrics: {
        importMs: { value: round(bundle.importMs.p50, 2), unit: 'ms', better: 'lower' },
        floorMs: { value: round(floor.importMs.p50, 2), unit: 'ms', better: 'lower' },
        ratio: { value: round(ratio, 4), unit: '×', better: 'lower' },
      },
    });
    const over = bundle.bytes - floor.bytes;
    rows.push({
      section: 'cold-start',
      key: `cold-start.${bundle.functions.join('+')}.size`,
      label: `${label} size`,
      measured: `${kb(bundle.bytes)} (zip ${kb(bundle.zipBytes)})`,
      floor: `${kb(floor.bytes)} (zip ${kb(floor.zipBytes)})`,
      versus: `+${kb(over)}`,
      target: `≤ +${kb(TARGETS.sizeOverFloorBytes)}`,
      mark: mark(over <= TARGETS.sizeOverFloorBytes),
      metrics: {
        bytes: { value: bundle.bytes, unit: 'B', better: 'lower' },
        overFloorBytes: { value: over, unit: 'B', better: 'lower' },
      },
    });
  }
}

function gatewayRows(results: GatewayResult[]) {
  const info: Mark = 'info';
  for (const { concurrency, api, noop, insideLambda } of results) {
    const clients = `${concurrency} client${concurrency === 1 ? '' : 's'}`;
    const errors = (load: GatewayResult['api']) => (load.errors ? ` ${load.errors} errors` : '');
    const latency = (summary: { p50: number; p99: number }) =>
      `${ms(summary.p50).replace(' ms', '')}, ${ms(summary.p99)}`;
    rows.push({
      section: 'gateway',
      key: `gateway.c${concurrency}`,
      label: `${clients}: rate`,
      measured: `${perSecond(api.perSecond)}${errors(api)}`,
      floor: `${perSecond(noop.perSecond)}${errors(noop)}`,
      versus: times(api.perSecond / noop.perSecond),
      target: 'reported',
      mark: info,
      metrics: {
        perSecond: { value: round(api.perSecond, 1), unit: 'req/s', better: 'higher' },
        p50Ms: { value: round(api.latency.p50, 3), unit: 'ms', better: 'lower' },
        p99Ms: { value: round(api.latency.p99, 3), unit: 'ms', better: 'lower' },
        noopPerSecond: { value: round(noop.perSecond, 1), unit: 'req/s', better: 'higher' },
        noopP50Ms: { value: round(noop.latency.p50, 3), unit: 'ms', better: 'lower' },
        noopP99Ms: { value: round(noop.latency.p99, 3), unit: 'ms', better: 'lower' },
      },
    });
    rows.push({
      section: 'gateway',
      key: `gateway.c${concurrency}.latency`,
      label: `${clients}: p50, p99`,
      measured: latency(api.latency),
      floor: latency(noop.latency),
      versus: times(api.latency.p50 / noop.latency.p50),
      target: 'reported',
      mark: info,
      metrics: {},
    });
    rows.push({
      section: 'gateway',
      key: `gateway.c${concurrency}.inside`,
      label: `${clients}: in the Lambda`,
      measured: latency(insideLambda),
      floor: '—',
      versus: `${Math.round((100 * insideLambda.p50) / api.latency.p50)}%`,
      target: 'reported',
      mark: info,
      metrics: {
        p50Ms: { value: round(insideLambda.p50, 3), unit: 'ms', better: 'lower' },
        p99Ms: { value: round(insideLambda.p99, 3), unit: 'ms', better: 'lower' },
      },
    });
  }
}

/**
 * The least one client's p50 could be through this stack on this machine, from two floors measured
 * in the same run: the gateway section's no-op route (the same SDK client through the same
 * serverless-offline, a handler that does nothing) plus one raw DynamoDB Local request (the handler
 * section's floors, Get and Put averaged as the workload alternates them). Beside it, the target it
 * would have to meet: half of moto's p50. Shown only when the three sections ran together.
 */
function floorsRow(
  emulatorsResults: EmulatorsResult[],
  gateway: GatewayResult[] | undefined,
  handler: OperationResult[] | undefined,
): Row | undefined {
  const moto = emulatorsResults.find(({ concurrency }) => concurrency === 1)?.moto;
  const noop = gateway?.find(({ concurrency }) => concurrency === 1)?.noop.latency.p50;
  const floors = ['GetBucketEncryption', 'PutBucketEncryption'].flatMap((name) => {
    const floor = handler?.find(({ operation }) => operation === name)?.floor.p50;
    return floor === undefined ? [] : [floor];
  });
  const target = TARGETS.p50VsMoto[1];
  if (!moto || noop === undefined || target === undefined || floors.length !== 2) return undefined;
  const dynamo = floors.reduce((sum, floor) => sum + floor, 0) / floors.length;
  const least = noop + dynamo;
  const needed = moto.latency.p50 * target;
  return {
    section: 'emulators',
    key: 'emulators.c1.floors',
    label: '1 client: p50 floors',
    measured: `${ms(least)} (${noop.toFixed(2)} + ${dynamo.toFixed(2)})`,
    floor: `${ms(needed)}: moto ×${target.toFixed(2)}`,
    versus: times(least / needed),
    target: 'reported',
    mark: 'info',
    metrics: {
      leastP50Ms: { value: round(least, 3), unit: 'ms', better: 'lower' },
      gatewayNoopP50Ms: { value: round(noop, 3), unit: 'ms', better: 'lower' },
      dynamoDbP50Ms: { value: round(dynamo, 3), unit: 'ms', better: 'lower' },
    },
  };
}

function emulatorRows(results: EmulatorsResult[], motoMissing: boolean, floors?: Row) {
  for (const { concurrency, local, moto } of results) {
    const clients = `${concurrency} client${concurrency === 1 ? '' : 's'}`;
    const errors = (load: { errors: number }) => (load.errors ? ` ${load.errors} errors` : '');
    const compare = (
      which: 'throughput' | 'p50',
      measured: string,
      floor: string | undefined,
      ratio: number | undefined,
      target: number | undefined,
    ): Row => ({
      section: 'emulators',
      key: `emulators.c${concurrency}.${which}`,
      label: `${clients}: ${which}`,
      measured,
      floor: floor === undefined ? (motoMissing ? 'moto: not installed' : '—') : floor,
      versus: ratio === undefined ? '—' : times(ratio),
      target:
        target === undefined ? 'reported' : `${which === 'throughput' ? '≥' : '≤'} ×${target.toFixed(2)}`,
      mark:
        target === undefined || ratio === undefined
          ? 'info'
          : mark(which === 'throughput' ? ratio >= target : ratio <= target),
      metrics: {
        ...(which === 'throughput'
          ? { perSecond: { value: round(local.perSecond, 1), unit: 'req/s', better: 'higher' as const } }
          : { p50Ms: { value: round(local.latency.p50, 3), unit: 'ms', better: 'lower' as const } }),
        ...(ratio === undefined
          ? {}
          : {
              ratio: {
                value: round(ratio, 4),
                unit: '×',
                better: which === 'throughput' ? ('higher' as const) : ('lower' as const),
              },
            }),
      },
    });
    rows.push(
      compare(
        'throughput',
        `${perSecond(local.perSecond)}${errors(local)}`,
        moto && `${perSecond(moto.perSecond)}${errors(moto)}`,
        moto && local.perSecond / moto.perSecond,
        TARGETS.throughputVsMoto[concurrency],
      ),
    );
    rows.push(
      compare(
        'p50',
        `${ms(local.latency.p50)} (p99 ${ms(local.latency.p99).replace(' ms', '')})`,
        moto && `${ms(moto.latency.p50)} (p99 ${ms(moto.latency.p99).replace(' ms', '')})`,
        moto && local.latency.p50 / moto.latency.p50,
        TARGETS.p50VsMoto[concurrency],
      ),
    );
    if (concurrency === 1 && floors) rows.push(floors);
  }
}

function cpuRows(results: CpuResult[]) {
  for (const result of results) {
    const target = result.targetP99Us;
    rows.push({
      section: 'cpu',
      key: `cpu.${result.name}`,
      label: result.name,
      measured:
        target === undefined
          ? `${us(result.p50)} (mean ${us(result.mean)})`
          : `p99 ${us(result.p99)} (p50 ${us(result.p50)})`,
      floor: '—',
      versus: '—',
      target: target === undefined ? 'reported' : `p99 ≤ ${us(target)}`,
      mark: target === undefined ? 'info' : mark(result.p99 <= target),
      metrics: {
        p50Us: { value: round(result.p50, 3), unit: 'µs', better: 'lower' },
        meanUs: { value: round(result.mean, 3), unit: 'µs', better: 'lower' },
        p99Us: { value: round(result.p99, 3), unit: 'µs', better: 'lower' },
      },
    });
  }
}

try {
  const sectionResults: Partial<Record<Section, unknown>> = {};
  let dynamodbEndpoint = '';
  if (wanted('handler') || wanted('gateway')) {
    progress('starting DynamoDB Local');
    const dynamo = await startDynamoDbLocal();
    started.push(dynamo);
    dynamodbEndpoint = dynamo.endpoint;
    await ensureTable(dynamodbEndpoint, TABLE);
    await seedIdentity(dynamodbEndpoint, TABLE, DEFAULT_LOCAL_IDENTITY);
  }

  if (wanted('cpu')) {
    progress('cpu: pure pieces');
    const input: CpuInput = { timeMs: quick ? 300 : 1500 };
    sectionResults.cpu = await runSection<CpuResult[]>(join(ROOT, 'bench/sections/cpu.ts'), input);
  }

  if (wanted('cold-start')) {
    progress('cold start: serverless package (production and bench configurations), then imports');
    sectionResults['cold-start'] = await coldStart({ rounds: quick ? 5 : 31, workDir });
  }

  if (wanted('handler')) {
    progress('handler vs floor: in-process against DynamoDB Local');
    const input: HandlerInput = { pairs: quick ? 300 : 4000, warmupPairs: quick ? 100 : 500 };
    sectionResults.handler = await runSection<OperationResult[]>(
      join(ROOT, 'bench/sections/handler.ts'),
      input,
      {
        quiet: true,
        env: {
          TABLE_NAME: TABLE,
          DYNAMODB_ENDPOINT: dynamodbEndpoint,
          S3_REGION: 'us-east-1',
          SECRETS_MODE: 'local',
          // The production level: the access log line is part of every request's cost.
          LOG_LEVEL: 'INFO',
        },
      },
    );
  }

  if (wanted('gateway')) {
    progress('gateway: starting serverless-offline (serverless.bench.yml)');
    const gateway = await startBenchOffline({ port: await freePort(), dynamodbEndpoint, tableName: TABLE });
    started.push(gateway);
    progress('gateway: load');
    const input: GatewayInput = {
      endpoint: gateway.endpoint,
      concurrency: [1, 8],
      warmupMs: quick ? 1000 : 2000,
      roundMs: quick ? 1000 : 4000,
      rounds: 2,
    };
    sectionResults.gateway = await gatewayLoad(input, gateway.handlerTimes).catch((error: unknown) => {
      throw new Error(`${String(error)}\nserverless-offline said:\n${gateway.output().slice(-4000)}`);
    });
  }
  let motoMissing = false;
  if (wanted('emulators')) {
    // Only this section's servers run now: the others' gateway and DynamoDB Local are stopped.
    await stopAll();
    const motoCommand = findMotoServer();
    motoMissing = motoCommand === undefined;
    progress(
      `emulators: starting npm start${motoCommand ? ' and moto_server' : ' (moto_server: not installed)'}`,
    );
    const local: Server = await startNpmStart();
    started.push(local);
    const moto = motoCommand ? await startMoto(motoCommand) : undefined;
    if (moto) started.push(moto);
    progress('emulators: load, alternating');
    const input: EmulatorsInput = {
      concurrency: [1, 8],
      // Steady state: the local stack's two JITs (Node's, and DynamoDB Local's Java) take ≈ 20–40 s of
      // load to settle (its rate rose ≈ 25% over the first 40 s, measured); moto (Python) has none.
      warmupMs: quick ? 1000 : 15_000,
      roundMs: quick ? 1000 : 3000,
      rounds: quick ? 2 : 6,
    };
    sectionResults.emulators = await emulators(input, local, moto).catch((error: unknown) => {
      throw new Error(`${String(error)}\nnpm start said:\n${local.output().slice(-4000)}`);
    });
  }
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });

  // The table's order: the issue's.
  if (sectionResults.handler) handlerRows(sectionResults.handler as OperationResult[]);
  if (sectionResults['cold-start']) coldStartRows(sectionResults['cold-start'] as ColdStartResult);
  if (sectionResults.gateway) gatewayRows(sectionResults.gateway as GatewayResult[]);
  if (sectionResults.emulators) {
    const emulatorsResults = sectionResults.emulators as EmulatorsResult[];
    const floors = floorsRow(
      emulatorsResults,
      sectionResults.gateway as GatewayResult[] | undefined,
      sectionResults.handler as OperationResult[] | undefined,
    );
    emulatorRows(emulatorsResults, motoMissing, floors);
  }
  if (sectionResults.cpu) cpuRows(sectionResults.cpu as CpuResult[]);
  Object.assign(details, sectionResults);

  const wallSeconds = round((performance.now() - clock) / 1000, 1);
  const results: Results = {
    version: 1,
    startedAt: startedAt.toISOString(),
    quick,
    wallSeconds,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    rows,
    details,
  };
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  const smoke =
    'SMOKE RUN (--quick): a few samples to see that every section runs; not numbers to keep or compare';
  if (quick) console.log(`${smoke}\n`);
  console.log(renderTable(rows, TITLES));
  const misses = rows.filter((row) => row.mark === 'MISS').length;
  const passes = rows.filter((row) => row.mark === 'pass').length;
  console.log(
    `\n${quick ? 'smoke run · ' : ''}${passes} pass, ${misses} miss · ${results.machine.cpus} × ${results.machine.cpuModel} · Node ${results.machine.node} · ${wallSeconds} s · ${file.slice(ROOT.length + 1)}`,
  );
  if (compareWith) console.log(`\n${renderComparison(compareWith, results)}`);
} catch (error) {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
}
