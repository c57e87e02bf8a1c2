// DynamoDB faults, for real: the handlers' storage talks to DynamoDB Local through a fault-injecting
// proxy (test/helpers/fault-proxy.ts) with the client's configured timeouts and retries
// (DYNAMODB_REQUEST_TIMEOUT_MS, DYNAMODB_MAX_ATTEMPTS). Nothing is mocked: the SDK sees refused
// connections, silence, delays and DynamoDB's own throttling and 500 answers.
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { BUCKET_OPERATIONS, SERVICE_OPERATIONS } from '../../functions/operations.ts';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { credentialCache } from '../../lib/auth/authenticate.ts';
import { config } from '../../lib/config.ts';
import { createDynamoClient } from '../../lib/storage/client.ts';
import { createStorage, type Storage, setStorage } from '../../lib/storage/index.ts';
import { type FaultMode, type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { errorCode, expectS3Error, type Result, send } from '../helpers/invoke.ts';
import { secondAccountPolicy } from '../helpers/policies.ts';
import { inRegion } from '../helpers/region.ts';
import { lambdaContext, md5, type RequestShape, signedEvent } from '../helpers/signed-event.ts';

const KMS =
  '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/before-the-fault</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
const AES =
  '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
const policyFor = (bucket: string) => secondAccountPolicy(bucket);

/** A request for each operation on `bucket` (CreateBucket on a fresh name). */
const PUBLIC_ACCESS_BLOCK =
  '<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>';
const OWNERSHIP_CONTROLS =
  '<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>';
const REQUESTS: Record<string, (bucket: string) => RequestShape> = {
  ListBuckets: () => ({ method: 'GET', path: '/' }),
  CreateBucket: (bucket) => ({ method: 'PUT', path: `/${bucket}-new` }),
  HeadBucket: (bucket) => ({ method: 'HEAD', path: `/${bucket}` }),
  DeleteBucket: (bucket) => ({ method: 'DELETE', path: `/${bucket}` }),
  PutBucketEncryption: (bucket) => ({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body: AES,
    headers: { 'content-md5': md5(AES) },
  }),
  GetBucketEncryption: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'encryption' }),
  DeleteBucketEncryption: (bucket) => ({ method: 'DELETE', path: `/${bucket}`, query: 'encryption' }),
  PutBucketPolicy: (bucket) => ({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'policy',
    body: policyFor(bucket),
  }),
  GetBucketPolicy: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'policy' }),
  GetBucketPolicyStatus: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'policyStatus' }),
  DeleteBucketPolicy: (bucket) => ({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }),
  GetBucketLocation: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'location' }),
  PutPublicAccessBlock: (bucket) => ({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'publicAccessBlock',
    body: PUBLIC_ACCESS_BLOCK,
    headers: { 'content-md5': md5(PUBLIC_ACCESS_BLOCK) },
  }),
  GetPublicAccessBlock: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'publicAccessBlock' }),
  DeletePublicAccessBlock: (bucket) => ({ method: 'DELETE', path: `/${bucket}`, query: 'publicAccessBlock' }),
  PutBucketOwnershipControls: (bucket) => ({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'ownershipControls',
    body: OWNERSHIP_CONTROLS,
    headers: { 'content-md5': md5(OWNERSHIP_CONTROLS) },
  }),
  GetBucketOwnershipControls: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'ownershipControls' }),
  DeleteBucketOwnershipControls: (bucket) => ({
    method: 'DELETE',
    path: `/${bucket}`,
    query: 'ownershipControls',
  }),
  GetBucketAcl: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'acl' }),
  PutBucketAcl: (bucket) => ({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'acl',
    headers: { 'x-amz-acl': 'private', 'content-md5': md5('') },
  }),
  ListObjectsV2: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'list-type=2' }),
  ListObjects: (bucket) => ({ method: 'GET', path: `/${bucket}` }),
  ListObjectVersions: (bucket) => ({ method: 'GET', path: `/${bucket}`, query: 'versions' }),
};

/**
 * Every operation of the table (functions/operations.ts) that reads the table, as a request on `bucket`;
 * DeleteBucket last, so that run in order each finds the bucket. The anonymous ones (OBS's API-version
 * probe) read nothing and answer anyway.
 */
const operations = (bucket: string): Array<[name: string, shape: RequestShape]> =>
  [...SERVICE_OPERATIONS, ...BUCKET_OPERATIONS]
    .filter((operation) => !operation.anonymous)
    .sort((a, b) => Number(a.name === 'DeleteBucket') - Number(b.name === 'DeleteBucket'))
    .flatMap(({ name }): Array<[string, RequestShape]> => {
      const request = REQUESTS[name];
      if (!request) throw new Error(`faults.test.ts has no request for ${name}: add one to REQUESTS`);
      if (name !== 'GetBucketEncryption') return [[name, request(bucket)]];
      // Also as another account, allowed by the bucket policy.
      return [
        [name, request(bucket)],
        [`${name} (policy)`, { ...request(bucket), identity: SECOND_IDENTITY }],
      ];
    });

// What nothing may reveal, even in a 5xx: the SDK's and DynamoDB's words, the table, the proxy.
const LEAKS = [/dynamo/i, /throttl/i, /exception/i, /socket/i, /timeout/i, /127\.0\.0\.1/, /\bat .*:\d+:\d+/];

let proxy: FaultProxy;
let direct: Storage;
let proxied: Storage;

beforeAll(async () => {
  proxy = await startFaultProxy(inject('dynamodbEndpoint'));
  // Read-backs bypass the proxy: what is really in the table.
  direct = createStorage(createDynamoClient(config()), config().tableName);
});

beforeEach(() => {
  // A client as the Lambda builds it (same timeouts, retries and retry quota), through the proxy.
  proxied = createStorage(
    createDynamoClient({ ...config(), dynamodbEndpoint: proxy.endpoint }),
    config().tableName,
  );
  setStorage(proxied);
  proxy.setMode({ kind: 'pass' });
});

afterEach(() => {
  proxy.setMode({ kind: 'pass' });
  setStorage(undefined);
  proxied.client.destroy();
});

afterAll(async () => {
  direct.client.destroy();
  await proxy.close();
});

/** A bucket with an encryption configuration and a policy, made while DynamoDB is reachable. */
async function seededBucket(): Promise<string> {
  const bucket = uniqueBucket('fault');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  const put = await send({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body: KMS,
    headers: { 'content-md5': md5(KMS) },
  });
  expect(put.statusCode).toBe(200);
  expect(
    (await send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: policyFor(bucket) })).statusCode,
  ).toBe(204);
  // Both identities' keys in the credential cache: the operation's own call meets the fault.
  expect(
    (await send({ method: 'GET', path: `/${bucket}`, query: 'encryption', identity: SECOND_IDENTITY }))
      .statusCode,
  ).toBe(200);
  return bucket;
}

async function timed(shape: RequestShape): Promise<{ result: Result; ms: number }> {
  const started = performance.now();
  const result = await send(shape);
  return { result, ms: performance.now() - started };
}

function expectS3ServerError(result: Result, status: number, code: string, method: string) {
  const document = expectS3Error(result, status, code, { method });
  if (method === 'HEAD') return;
  // A server error carries no fields of its own, and nothing of what went wrong inside.
  expect(document?.fields).toBe('');
  for (const leak of [...LEAKS, config().tableName]) expect(result.body).not.toMatch(leak);
}

// The client's own budget for one call: every attempt times out, plus the transient backoff
// (full jitter on 50 ms × 2^retry, the SDK's standard strategy).
const perCallWorstMs = () => {
  const { dynamodbMaxAttempts: attempts, dynamodbRequestTimeoutMs: timeout } = config();
  let backoff = 0;
  for (let retry = 0; retry < attempts - 1; retry++) backoff += 50 * 2 ** retry;
  return attempts * timeout + backoff;
};
// Throttling backs off longer (1 s × 2^retry): no request waits for a timeout meanwhile.
const throttledWorstMs = () => {
  let backoff = 0;
  for (let retry = 0; retry < config().dynamodbMaxAttempts - 1; retry++) backoff += 1000 * 2 ** retry;
  return backoff + 500;
};
const SLACK_MS = 400;

describe('the Lambda timeout', () => {
  const serverless = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
  const timeouts = [...serverless.matchAll(/^\s+timeout: (\d+)$/gm)].map((match) => Number(match[1]));

  it('is set for every function, and one DynamoDB call at its worst fits inside it', () => {
    const functions = [...serverless.matchAll(/^ {2}(\w+):\n {4}description:/gm)].map((match) => match[1]);
    expect(functions.length).toBeGreaterThan(0);
    expect(timeouts.length).toBeGreaterThan(functions.length);
    expect(config()).toMatchObject({ dynamodbRequestTimeoutMs: 1000, dynamodbMaxAttempts: 3 });
    // More than one call per request is bounded by the request deadline (below), not by this sum.
    for (const seconds of timeouts) {
      expect(perCallWorstMs()).toBeLessThan(seconds * 1000 - 250);
      expect(throttledWorstMs()).toBeLessThan(seconds * 1000 - 250);
    }
  });
});

describe('DynamoDB unreachable, slow, throttling or failing', () => {
  it.each<[number, string, string, FaultMode, number]>([
    [503, 'SlowDown', 'throttles (400 ThrottlingException)', { kind: 'throttle' }, throttledWorstMs()],
    [503, 'ServiceUnavailable', 'fails (500 InternalServerError)', { kind: 'error' }, perCallWorstMs()],
    [503, 'ServiceUnavailable', 'answers 502 in HTML', { kind: 'gateway-error' }, perCallWorstMs()],
    [503, 'ServiceUnavailable', 'refuses connections', { kind: 'refuse' }, perCallWorstMs()],
    [503, 'ServiceUnavailable', 'never answers', { kind: 'blackhole' }, perCallWorstMs()],
    [503, 'ServiceUnavailable', 'answers after 1.5 s', { kind: 'slow', delayMs: 1500 }, perCallWorstMs()],
  ])(
    'returns %i %s in S3 XML for every operation when DynamoDB %s, writes nothing, and recovers',
    async (status, code, _what, mode, budgetMs) => {
      const bucket = await seededBucket();
      const before = await direct.buckets.getBucket(bucket);
      proxy.setMode(mode);
      proxy.resetCounts();

      const answers = await Promise.all(
        operations(bucket).map(async ([name, shape]) => ({ name, shape, ...(await timed(shape)) })),
      );
      for (const { name, shape, result, ms } of answers) {
        expect.soft({ name, status: result.statusCode }).toEqual({ name, status });
        expectS3ServerError(result, status, code, shape.method);
        expect(ms, name).toBeLessThan(budgetMs + SLACK_MS);
      }
      // Nothing reached the table, and the item is exactly what it was: no half-written state.
      expect(proxy.counts().forwarded).toBe(0);
      proxy.setMode({ kind: 'pass' });
      expect(await direct.buckets.getBucket(bucket)).toEqual(before);
      expect(await direct.buckets.getBucket(`${bucket}-new`)).toBeUndefined();

      // DynamoDB is back: the same client, with no restart, serves every operation again.
      const recovered = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
      expect(recovered.statusCode).toBe(200);
      expect(recovered.body).toContain('<KMSMasterKeyID>alias/before-the-fault</KMSMasterKeyID>');
      for (const [name, shape] of operations(bucket)) {
        const result = await send(shape);
        expect({ name, status: result.statusCode < 300 }).toEqual({ name, status: true });
      }
    },
  );

  it('answers 503 SlowDown, not InvalidAccessKeyId, when the key lookup is throttled, and does not remember it', async () => {
    const bucket = await seededBucket();
    credentialCache().clear();
    proxy.setMode({ kind: 'throttle' });
    const throttled = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
    expectS3ServerError(throttled, 503, 'SlowDown', 'GET');
    proxy.setMode({ kind: 'pass' });
    expect((await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' })).statusCode).toBe(200);
  });

  it('keeps a configuration whole: a write cut off by a timeout leaves the old one or the new one, never a mix', async () => {
    const bucket = await seededBucket();
    // Slower than one attempt's timeout but answering: DynamoDB may apply an attempt the client gave up on.
    proxy.setMode({ kind: 'slow', delayMs: 900 });
    const next = KMS.replace('alias/before-the-fault', 'alias/after-the-fault').replace('true', 'false');
    const put = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body: next,
      headers: { 'content-md5': md5(next) },
    });
    expect([200, 503]).toContain(put.statusCode);
    proxy.setMode({ kind: 'pass' });
    const get = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
    const xml = (document: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${document}`;
    expect([xml(KMS), xml(next)]).toContain(get.body);
    if (put.statusCode === 200) expect(get.body).toBe(xml(next));
  });
});

describe('the request deadline', () => {
  const invoke = async (shape: RequestShape, remainingMs: number) => {
    const started = performance.now();
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs };
    const result = (await bucketRoute(
      await signedEvent(shape),
      context,
    )) as APIGatewayProxyStructuredResultV2 & Result;
    return { result, ms: performance.now() - started };
  };

  it('answers 503 in S3 XML before the Lambda times out when each call needs its last attempt', async () => {
    const bucket = await seededBucket();
    // Every call succeeds, but only at its third attempt (~2.1 s): the key lookup and the read need ~4.2 s.
    proxy.setMode({ kind: 'flaky' });
    credentialCache().clear();
    const shape: RequestShape = { method: 'GET', path: `/${bucket}`, query: 'encryption' };
    const [short, full] = await Promise.all([
      invoke(shape, 3_000),
      invoke({ ...shape, identity: SECOND_IDENTITY }, 6_000),
    ]);
    // With 3 s left, the second call cannot finish in time: the answer comes before the Lambda ends.
    expectS3ServerError(short.result, 503, 'ServiceUnavailable', 'GET');
    expect(short.ms).toBeLessThan(3_000);
    // The real 6 s timeout holds both calls at their worst.
    expect(full.result.statusCode).toBe(200);
    expect(full.ms).toBeLessThan(6_000);
    expect(full.ms).toBeGreaterThan(
      2 * (config().dynamodbMaxAttempts - 1) * config().dynamodbRequestTimeoutMs,
    );
  });

  it('starts no attempt that could end after the deadline, so a silent DynamoDB is answered early', async () => {
    const bucket = await seededBucket();
    proxy.setMode({ kind: 'blackhole' });
    // 2 s left: the deadline is 1.75 s away; after the first attempt's 1 s, a second would end too late.
    const { result, ms } = await invoke({ method: 'GET', path: `/${bucket}`, query: 'encryption' }, 2_000);
    expectS3ServerError(result, 503, 'ServiceUnavailable', 'GET');
    expect(ms).toBeGreaterThanOrEqual(config().dynamodbRequestTimeoutMs);
    expect(ms).toBeLessThan(2_000 - 250);
  });

  it('serves a request that needs no more time than it has', async () => {
    const bucket = await seededBucket();
    const { result } = await invoke(
      { method: 'GET', path: `/${bucket}`, query: 'encryption', identity: OWNER },
      1_500,
    );
    expect(result.statusCode).toBe(200);
  });
});

// Outside us-east-1, where re-creating one's own bucket is 409 BucketAlreadyOwnedByYou (in us-east-1
// it is 200 either way, and the retry's own write could not be told from an earlier call's).
describe('an answer lost after DynamoDB applied the write (eu-west-1)', () => {
  inRegion('eu-west-1');
  const REGION = 'eu-west-1';

  it('returns 200 to a CreateBucket whose first attempt created the bucket and whose retry finds it', async () => {
    // The caller's key in the credential cache first: the CreateBucket's own write meets the fault.
    expect((await send({ method: 'PUT', path: `/${uniqueBucket('warm')}`, region: REGION })).statusCode).toBe(
      200,
    );
    const bucket = uniqueBucket('lost');
    proxy.setMode({ kind: 'lost-answer' });
    proxy.resetCounts();
    const result = await send({ method: 'PUT', path: `/${bucket}`, region: REGION });
    expect(`${result.statusCode} ${errorCode(result) ?? ''}`.trim()).toBe('200');
    expect(proxy.counts().forwarded).toBeGreaterThanOrEqual(2);
    expect((await direct.buckets.getBucket(bucket))?.ownerId).toBe(OWNER.accountId);
  });

  it('still returns 409 BucketAlreadyOwnedByYou when an earlier call created the bucket', async () => {
    const bucket = uniqueBucket('lost');
    expect((await send({ method: 'PUT', path: `/${bucket}`, region: REGION })).statusCode).toBe(200);
    proxy.setMode({ kind: 'lost-answer' });
    const result = await send({ method: 'PUT', path: `/${bucket}`, region: REGION });
    expect(`${result.statusCode} ${errorCode(result) ?? ''}`.trim()).toBe('409 BucketAlreadyOwnedByYou');
  });
});
