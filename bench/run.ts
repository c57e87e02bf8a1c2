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
import type { LoadResult } from './lib/load.ts';
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
import { type CostInput, type OperationCost, priceCall } from './sections/cost.ts';
import type { CpuInput, CpuResult } from './sections/cpu.ts';
import {
  type EmulatorsInput,
  type EmulatorsResult,
  emulators,
  type FirstSecondsInput,
  type FirstSecondsResult,
  firstSeconds,
  medianSeconds,
} from './sections/emulators.ts';
import { type GatewayInput, type GatewayResult, gateway as gatewayLoad } from './sections/gateway.ts';
import type { HandlerInput, HandlerResult, OperationResult, RequestCount } from './sections/handler.ts';

const SECTIONS = ['handler', 'cold-start', 'cost', 'gateway', 'emulators', 'cpu'] as const;
type Section = (typeof SECTIONS)[number];

const TARGETS = {
  medianRatio: 1.1,
  p99Ratio: 1.25,
  requestsPerCall: 1,
  // Issue 21: import time within 5% of the floor, both measured with the environment as deployed.
  coldStartRatio: 1.05,
  sizeOverFloorBytes: 80 * 1024,
  // Cost per million requests against its floor (issue 21): API Gateway + a 1 ms invocation + one
  // request unit.
  costRatio: 1.1,
  // The local stack against moto_server (issue 19): throughput at least moto's with one client and
  // 1.5 times with 8, in steady state and in the first 6 s after npm start's banner alike. (Issue 13's
  // one-client ×2 and half-of-moto's-p50 targets were withdrawn: the gateway's and one DynamoDB Local
  // round trip's floors sum above them.)
  throughputVsMoto: { 1: 1, 8: 1.5 } as Record<number, number>,
  /** The window after the banner that the first-seconds rows measure. */
  firstWindowMs: 6_000,
};

const TITLES: Record<string, string> = {
  handler:
    'Handler vs floor: in-process, SigV4-signed API Gateway v2 event → DynamoDB Local; floor = the same DynamoDB request, raw, same client',
  requests:
    "DynamoDB requests per call (SDK middleware, every attempt, steady state; the credential cache's access-key read, once a minute per key, not counted)",
  'cold-start':
    'Cold start: fresh Node importing the bundle `serverless package` made; floor = DynamoDBClient-only bundle, same esbuild settings',
  cost: 'Cost per million requests, us-east-1 arm64 (docs/performance.md "Prices"): API Gateway + Lambda billed duration (CPU measured in-process, scaled to the memory; 4 ms per DynamoDB request) + request units; floor = API Gateway + a 1 ms invocation + one request unit',
  gateway:
    'Through the gateway: serverless-offline (serverless.bench.yml), SDK v3 clients, Get/Put mix; floor = no-op route; p50 and p99 in ms',
  emulators:
    'npm start vs moto_server: SDK v3 clients, a bucket each, Put/Get loop; steady state (warmed up, alternating rounds), and the first 6 s after each says it is ready (fresh starts, alternating; bucket set-up included); floor = moto_server',
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
    'usage: npm run bench [-- --compare FILE] [--quick] [--only handler,cold-start,cost,gateway,emulators,cpu]',
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
    requestsRow(
      result.operation,
      result.requestsPerCall,
      result.floorRequestsPerCall.toFixed(2),
      result.handler.count,
    );
  }
}

/** The memory the route Lambdas are deployed with (serverless.yml), and the sizes compared with it. */
const ROUTE_MEMORY_MB = 512;
const COMPARED_MEMORY_MB = [256, 512, 1024];

function costRows(results: OperationCost[]) {
  for (const call of results) {
    for (const memoryMb of COMPARED_MEMORY_MB) {
      const priced = priceCall(call, memoryMb);
      const ratio = priced.dollarsPerMillion / priced.floorDollarsPerMillion;
      const configured = memoryMb === ROUTE_MEMORY_MB;
      const units = `${round(call.readUnitsPerCall + call.writeUnitsPerCall, 2)} ${call.writeUnitsPerCall > 0 ? 'WRU' : 'RRU'}`;
      rows.push({
        section: 'cost',
        key: `cost.${call.operation}.${memoryMb}`,
        label: `${call.operation} ${memoryMb} MB`,
        measured: `$${priced.dollarsPerMillion.toFixed(4)} (${priced.billedMs} ms, ${units})`,
        floor: `$${priced.floorDollarsPerMillion.toFixed(4)}`,
        versus: `×${ratio.toFixed(3)}`,
        target: configured ? `≤ ×${TARGETS.costRatio.toFixed(2)}` : 'reported',
        mark: configured ? mark(ratio <= TARGETS.costRatio) : 'info',
        metrics: {
          dollarsPerMillion: { value: round(priced.dollarsPerMillion, 4), unit: '$', better: 'lower' },
          ratio: { value: round(ratio, 3), unit: '×', better: 'lower' },
          cpuMs: { value: round(call.cpuMs, 3), unit: 'ms', better: 'lower' },
        },
      });
    }
  }
}

/** Requests per call of the operations the handler section counts without timing them (no floor). */
function countedRows(counts: RequestCount[]) {
  for (const count of counts) requestsRow(count.operation, count.requestsPerCall, '—', count.calls);
}

function requestsRow(operation: string, perCall: number, floor: string, calls: number) {
  rows.push({
    section: 'requests',
    key: `requests.${operation}`,
    label: operation,
    // Two decimals, unless they would round a miss to the target (201 requests in 200 calls: 1.005).
    measured: perCall.toFixed(Math.round(perCall * 100) === perCall * 100 ? 2 : 4),
    floor,
    versus: `n=${calls}`,
    target: `= ${TARGETS.requestsPerCall.toFixed(1)}`,
    mark: mark(perCall === TARGETS.requestsPerCall),
    metrics: { requestsPerCall: { value: perCall, unit: 'req', better: 'lower' } },
  });
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

function emulatorRows(
  results: EmulatorsResult[],
  first: FirstSecondsResult[] | undefined,
  motoMissing: boolean,
) {
  const errors = (load: { errors: number }) => (load.errors ? ` ${load.errors} errors` : '');
  const floorOf = (text: string | undefined) => text ?? (motoMissing ? 'moto: not installed' : '—');
  const throughputRow = (
    key: string,
    label: string,
    local: LoadResult,
    moto: LoadResult | undefined,
    target: number | undefined,
  ): Row => {
    const ratio = moto && local.perSecond / moto.perSecond;
    return {
      section: 'emulators',
      key,
      label,
      measured: `${perSecond(local.perSecond)}${errors(local)}`,
      floor: floorOf(moto && `${perSecond(moto.perSecond)}${errors(moto)}`),
      versus: ratio === undefined ? '—' : times(ratio),
      target: target === undefined ? 'reported' : `≥ ×${target.toFixed(2)}`,
      // A run with errors does not pass, whatever its rate.
      mark:
        target === undefined || ratio === undefined ? 'info' : mark(ratio >= target && local.errors === 0),
      metrics: {
        perSecond: { value: round(local.perSecond, 1), unit: 'req/s', better: 'higher' },
        ...(ratio === undefined
          ? {}
          : { ratio: { value: round(ratio, 4), unit: '×', better: 'higher' as const } }),
      },
    };
  };
  const latencyRow = (key: string, label: string, local: LoadResult, moto: LoadResult | undefined): Row => {
    const p50 = (load: LoadResult) =>
      `${ms(load.latency.p50)} (p99 ${ms(load.latency.p99).replace(' ms', '')})`;
    return {
      section: 'emulators',
      key,
      label,
      measured: p50(local),
      floor: floorOf(moto && p50(moto)),
      versus: moto ? times(local.latency.p50 / moto.latency.p50) : '—',
      target: 'reported',
      mark: 'info',
      metrics: { p50Ms: { value: round(local.latency.p50, 3), unit: 'ms', better: 'lower' } },
    };
  };
  for (const { concurrency, local, moto } of results) {
    const clients = `${concurrency} client${concurrency === 1 ? '' : 's'}`;
    const target = TARGETS.throughputVsMoto[concurrency];
    rows.push(
      throughputRow(`emulators.c${concurrency}.throughput`, `${clients}: throughput`, local, moto, target),
    );
    rows.push(latencyRow(`emulators.c${concurrency}.p50`, `${clients}: p50`, local, moto));
    const early = first?.find((result) => result.concurrency === concurrency);
    if (!early) continue;
    const seconds = TARGETS.firstWindowMs / 1000;
    rows.push(
      throughputRow(
        `emulators.c${concurrency}.first.throughput`,
        `${clients}, first ${seconds} s: throughput`,
        early.local,
        early.moto,
        target,
      ),
    );
    rows.push(
      latencyRow(
        `emulators.c${concurrency}.first.p50`,
        `${clients}, first ${seconds} s: p50`,
        early.local,
        early.moto,
      ),
    );
  }
  const startups = first?.flatMap(({ startupSeconds }) => startupSeconds.local) ?? [];
  if (startups.length > 0) {
    const motoStartups = first?.flatMap(({ startupSeconds }) => startupSeconds.moto) ?? [];
    const seconds = (values: number[]) => `${medianSeconds(values).toFixed(1)} s`;
    rows.push({
      section: 'emulators',
      key: 'emulators.startup',
      label: 'start to banner (median)',
      measured: `${seconds(startups)} (warm-up included)`,
      floor: floorOf(motoStartups.length > 0 ? seconds(motoStartups) : undefined),
      versus: '—',
      target: 'reported',
      mark: 'info',
      metrics: { seconds: { value: round(medianSeconds(startups), 2), unit: 's', better: 'lower' } },
    });
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
  if (wanted('handler') || wanted('gateway') || wanted('cost')) {
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
    sectionResults.handler = await runSection<HandlerResult>(join(ROOT, 'bench/sections/handler.ts'), input, {
      quiet: true,
      env: {
        TABLE_NAME: TABLE,
        DYNAMODB_ENDPOINT: dynamodbEndpoint,
        S3_REGION: 'us-east-1',
        SECRETS_MODE: 'local',
        // The production level: the access log line is part of every request's cost.
        LOG_LEVEL: 'INFO',
      },
    });
  }

  if (wanted('cost')) {
    progress('cost: CPU and request units per call, in-process against DynamoDB Local');
    const input: CostInput = { calls: quick ? 200 : 2000, warmupCalls: quick ? 100 : 500 };
    sectionResults.cost = await runSection<OperationCost[]>(join(ROOT, 'bench/sections/cost.ts'), input, {
      quiet: true,
      env: {
        TABLE_NAME: TABLE,
        DYNAMODB_ENDPOINT: dynamodbEndpoint,
        S3_REGION: 'us-east-1',
        SECRETS_MODE: 'local',
        LOG_LEVEL: 'INFO',
        // As deployed: the EMF line is written for every request (off by default against DynamoDB Local).
        METRICS: 'true',
      },
    });
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
    const steady = await emulators(input, local, moto).catch((error: unknown) => {
      throw new Error(`${String(error)}\nnpm start said:\n${local.output().slice(-4000)}`);
    });
    await stopAll();
    // As users meet it: fresh starts, each timed from its banner (moto: from its first answer).
    const firstInput: FirstSecondsInput = {
      concurrency: [1, 8],
      windowMs: TARGETS.firstWindowMs,
      samples: quick ? 1 : 3,
    };
    const first = await firstSeconds(
      firstInput,
      startNpmStart,
      motoCommand ? () => startMoto(motoCommand) : undefined,
      progress,
    );
    sectionResults.emulators = { steady, first };
  }
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });

  // The table's order: the issue's.
  const handler = sectionResults.handler as HandlerResult | undefined;
  if (handler) {
    handlerRows(handler.timed);
    countedRows(handler.counted);
  }
  if (sectionResults['cold-start']) coldStartRows(sectionResults['cold-start'] as ColdStartResult);
  if (sectionResults.cost) costRows(sectionResults.cost as OperationCost[]);
  if (sectionResults.gateway) gatewayRows(sectionResults.gateway as GatewayResult[]);
  if (sectionResults.emulators) {
    const { steady, first } = sectionResults.emulators as {
      steady: EmulatorsResult[];
      first: FirstSecondsResult[];
    };
    emulatorRows(steady, first, motoMissing);
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
