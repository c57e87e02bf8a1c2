// The client workload both gateway sections send: AWS SDK v3 S3 clients, each sending one request at a
// time, alternating GetBucketEncryption and PutBucketEncryption on a bucket of its own, path-style.
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type Summary, summarize } from './stats.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latency: Summary;
}

export interface Round {
  latencies: number[];
  errors: number;
  seconds: number;
  /** The first error's message, for the report when a round fails. */
  firstError?: string;
}

export const RULES = {
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

export const newClient = (endpoint: string, credentials: Credentials) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    // A failed request is counted, not hidden behind a retry.
    maxAttempts: 1,
  });

/** Creates each bucket and sets its encryption once (one request at a time). */
export async function prepareBuckets(client: S3Client, buckets: string[]): Promise<void> {
  for (const Bucket of buckets) {
    await client.send(new CreateBucketCommand({ Bucket }));
    await client.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: RULES }));
  }
}

/** Each client alternates Get and Put on its bucket, one request at a time, until `durationMs` passes. */
export async function load(clients: S3Client[], buckets: string[], durationMs: number): Promise<Round> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    clients.map(async (client, index) => {
      const Bucket = buckets[index] ?? buckets[0] ?? '';
      for (let i = index; performance.now() < deadline; i++) {
        const command =
          i % 2 === 0
            ? new GetBucketEncryptionCommand({ Bucket })
            : new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: RULES });
        const sent = performance.now();
        try {
          await client.send(command as GetBucketEncryptionCommand);
          latencies.push(performance.now() - sent);
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - started) / 1000, firstError };
}

export function combine(rounds: Round[]): LoadResult {
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
