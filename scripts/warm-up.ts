// LOCAL-ONLY SPEED (issue 19): `npm start` warms the running stack up before it prints its banner, so
// that the first requests of a developer's test suite meet the speed of the stack's steady state, not
// its first seconds (docs/performance.md "The first seconds"). Cold, the first seconds cost: loading
// each route's handler module (route-service and route-bucket are bundles of their own, each with its
// own DynamoDB client and credential cache), opening the DynamoDB connections, serverless-offline
// creating a Lambda instance per request in flight, and V8 running SigV4, XML and the SDK's
// middleware in its interpreter until they are hot; DynamoDB Local's JVM is warmed separately
// (warmUpDynamoDbLocal). So this sends what a test suite sends — SDK v3 clients, signed, several
// at once — for every route and operation of the service, against scratch buckets of its own, which
// it deletes. Its access lines are not printed (`npm start` holds the gateway's output until this
// ends: scripts/offline-preload.ts) and its buckets leave no history (start.ts's history stream
// skips them: isWarmUpBucket).
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  S3Client,
  type ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import { LOCAL_REGION } from './local-stack.ts';

/** Scratch buckets of the warm-up: `local-warm-up-<pid>-<n>`; no user bucket is named so by chance. */
const PREFIX = 'local-warm-up-';

export const isWarmUpBucket = (bucket: string): boolean => bucket.startsWith(PREFIX);

export interface WarmUpOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Clients sending at once: serverless-offline keeps an instance per request that was in flight. */
  clients?: number;
  /** Rounds each client sends (a round: one request of each operation). */
  rounds?: number;
  /** Stop early, whatever is left, once this much time has passed. */
  maxMs?: number;
}

const CONFIGURATIONS: ServerSideEncryptionConfiguration[] = [
  { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
  {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
        },
        BucketKeyEnabled: true,
      },
    ],
  },
];

/**
 * Sends `rounds` rounds of every operation from each of `clients` clients, each on a scratch bucket of
 * its own, then deletes the buckets. Best effort: a refused request does not stop it (the banner's
 * own check is the gateway answering). Returns the requests sent and how many were answered 5xx or
 * not at all.
 */
export async function warmUpGateway(options: WarmUpOptions): Promise<{ requests: number; failed: number }> {
  const clients = options.clients ?? 8;
  const rounds = options.rounds ?? 30;
  // Bounded: on a quiet machine the rounds take ≈ 2 s; on a loaded one the banner must not wait long.
  const deadline = Date.now() + (options.maxMs ?? 5_000);
  let requests = 0;
  let failed = 0;
  const send = async (request: () => Promise<unknown>) => {
    requests++;
    try {
      await request();
    } catch (error) {
      // 4xx answers are expected for some requests below (a missing bucket, an object path).
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === undefined || status >= 500) failed++;
    }
  };
  const worker = async (index: number) => {
    const s3 = new S3Client({
      endpoint: options.endpoint,
      region: LOCAL_REGION,
      forcePathStyle: true,
      credentials: options.credentials,
      maxAttempts: 1,
    });
    const Bucket = `${PREFIX}${process.pid}-${index}`;
    const missing = `${Bucket}-missing`;
    try {
      await send(() => s3.send(new CreateBucketCommand({ Bucket })));
      for (let round = 0; round < rounds && Date.now() < deadline; round++) {
        const configuration = CONFIGURATIONS[round % CONFIGURATIONS.length];
        await send(() =>
          s3.send(
            new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: configuration }),
          ),
        );
        await send(() => s3.send(new GetBucketEncryptionCommand({ Bucket })));
        await send(() => s3.send(new HeadBucketCommand({ Bucket })));
        await send(() => s3.send(new GetBucketLocationCommand({ Bucket })));
        await send(() => s3.send(new ListObjectsV2Command({ Bucket })));
        await send(() => s3.send(new ListBucketsCommand({ Prefix: Bucket })));
        await send(() => s3.send(new GetBucketEncryptionCommand({ Bucket: missing })));
        if (round % 4 === 3) await send(() => s3.send(new DeleteBucketEncryptionCommand({ Bucket })));
        // The object route answers 501 NotImplemented: loaded once is enough.
        if (round === 0) await send(() => s3.send(new GetObjectCommand({ Bucket, Key: 'warm-up' })));
      }
    } finally {
      await send(() => s3.send(new DeleteBucketCommand({ Bucket })));
      s3.destroy();
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, index) => worker(index)));
  return { requests, failed };
}
