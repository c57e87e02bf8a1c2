// Through the local gateway: AWS SDK v3 S3 clients, each sending one request at a time, a
// Get/Put mix of GetBucketEncryption and PutBucketEncryption against serverless-offline — the real
// routes, and beside them the no-op route (`/bench-noop`, serverless.bench.yml), the emulator's own
// floor with the same clients doing the same work. Rounds alternate between the two. The Lambdas'
// own access-log durations, read from the gateway's output, tell the handler's share of the latency.
// Runs in run.ts's process, which owns the gateway and DynamoDB Local.
import { IDENTITY } from '../fixtures.ts';
import { combine, type LoadResult, load, newClient, prepareBuckets, type Round } from '../lib/load.ts';
import { type Summary, summarize } from '../lib/stats.ts';

export interface GatewayInput {
  endpoint: string;
  concurrency: number[];
  warmupMs: number;
  roundMs: number;
  rounds: number;
}

export interface GatewayResult {
  concurrency: number;
  api: LoadResult;
  noop: LoadResult;
  /** The real routes' own durations (their access log's durationMs) during the measured rounds. */
  insideLambda: Summary;
}

/** The access-log durations the gateway's Lambdas reported between two instants (epoch ms). */
export type HandlerTimes = (from: number, to: number) => number[];

const NOOP_BUCKET = 'bench-noop';

export async function gateway(input: GatewayInput, handlerTimes: HandlerTimes): Promise<GatewayResult[]> {
  const most = Math.max(...input.concurrency);
  const clients = Array.from({ length: most }, () => newClient(input.endpoint, IDENTITY));
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const buckets = clients.map((_, index) => `bench-gw-${suffix}-${index}`);
  // One at a time: serverless-offline would start a Lambda instance per concurrent request.
  const [first] = clients;
  if (!first) throw new Error('no clients');
  await prepareBuckets(first, buckets);
  const results: GatewayResult[] = [];
  for (const concurrency of input.concurrency) {
    const active = clients.slice(0, concurrency);
    const apiBuckets = buckets.slice(0, concurrency);
    const noopBuckets = active.map(() => NOOP_BUCKET);
    // serverless-offline starts a Lambda instance per concurrent request, which can take seconds on a
    // busy machine: warm up until a round runs clean (its errors are timeouts of instances starting).
    for (const targets of [apiBuckets, noopBuckets]) {
      for (let attempt = 1; ; attempt++) {
        const warm = await load(active, targets, input.warmupMs);
        if (warm.errors === 0 && warm.latencies.length > 0) break;
        if (attempt === 5) throw new Error(`${concurrency} clients: requests still failing after warm-up`);
      }
    }
    const api: Round[] = [];
    const noop: Round[] = [];
    const inside: number[] = [];
    for (let round = 0; round < input.rounds; round++) {
      const from = Date.now();
      api.push(await load(active, apiBuckets, input.roundMs));
      // Lines still on their way through the gateway's output are left out rather than waited for.
      inside.push(...handlerTimes(from, Date.now()));
      noop.push(await load(active, noopBuckets, input.roundMs));
    }
    results.push({ concurrency, api: combine(api), noop: combine(noop), insideLambda: summarize(inside) });
  }
  for (const client of clients) client.destroy();
  return results;
}
