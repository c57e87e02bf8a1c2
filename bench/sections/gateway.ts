// Through the local gateway: AWS SDK v3 S3 clients, each sending one request at a time, a
// Get/Put mix of GetBucketEncryption and PutBucketEncryption against serverless-offline — the real
// routes, and beside them the no-op route (`/bench-noop`, serverless.bench.yml), the emulator's own
// floor with the same clients doing the same work. Rounds alternate between the two. The Lambdas'
// own access-log durations, read from the gateway's output, tell the handler's share of the latency.
// Runs in run.ts's process, which owns the gateway and DynamoDB Local.
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { IDENTITY } from '../fixtures.ts';
import { type Summary, summarize } from '../lib/stats.ts';

export interface GatewayInput {
  endpoint: string;
  concurrency: number[];
  warmupMs: number;
  roundMs: number;
  rounds: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latency: Summary;
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

const RULES = {
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms' as const,
        KMSMasterKeyID: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
      },
      BucketKeyEnabled: true,
    },
  ],
};

const newClient = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: IDENTITY.accessKeyId, secretAccessKey: IDENTITY.secretAccessKey },
    // A failed request is counted, not hidden behind a retry.
    maxAttempts: 1,
  });

interface Round {
  latencies: number[];
  errors: number;
  seconds: number;
}

/** Each client alternates Get and Put on its bucket, one request at a time, until `durationMs` passes. */
async function load(clients: S3Client[], buckets: string[], durationMs: number): Promise<Round> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    clients.map(async (client, index) => {
      const Bucket = buckets[index] ?? NOOP_BUCKET;
      for (let i = index; performance.now() < deadline; i++) {
        const command =
          i % 2 === 0
            ? new GetBucketEncryptionCommand({ Bucket })
            : new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: RULES });
        const sent = performance.now();
        try {
          await client.send(command as GetBucketEncryptionCommand);
          latencies.push(performance.now() - sent);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

function combine(rounds: Round[]): LoadResult {
  const latencies = rounds.flatMap((round) => round.latencies);
  const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  return {
    requests: latencies.length,
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    seconds,
    perSecond: latencies.length / seconds,
    latency: summarize(latencies),
  };
}

export async function gateway(input: GatewayInput, handlerTimes: HandlerTimes): Promise<GatewayResult[]> {
  const most = Math.max(...input.concurrency);
  const clients = Array.from({ length: most }, () => newClient(input.endpoint));
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const buckets = clients.map((_, index) => `bench-gw-${suffix}-${index}`);
  // One at a time: serverless-offline would start a Lambda instance per concurrent request.
  const [first] = clients;
  if (!first) throw new Error('no clients');
  for (const Bucket of buckets) {
    await first.send(new CreateBucketCommand({ Bucket }));
    await first.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: RULES }));
  }
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
