// The audit history against DynamoDB Local's real stream: the handlers write, the stream carries
// the changes, the local stream processor (scripts/history-stream.ts, the stream Lambda's core)
// records them, and the history is read back through the storage (the admin CLI's view of it:
// admin-history.test.ts).
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as recordHistoryHandler } from '../../functions/record-history.ts';
import { config } from '../../lib/config.ts';
import { createDynamoClient } from '../../lib/storage/client.ts';
import { createHistoryStore, type HistoryEntry, type HistoryStore } from '../../lib/storage/history.ts';
import { createStorage, setStorage } from '../../lib/storage/index.ts';
import { type HistoryStream, startHistoryStream } from '../../scripts/history-stream.ts';
import { localDynamoClient } from '../../scripts/local-stack.ts';
import { isWarmUpBucket } from '../../scripts/warm-up.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { putEncryption as putConfiguration, type Result, send } from '../helpers/invoke.ts';
import { policyOf, secondAccountPolicy, statement } from '../helpers/policies.ts';
import { lambdaContext, md5 } from '../helpers/signed-event.ts';
import { streamRecordsOf } from '../helpers/stream-records.ts';

const endpoint = () => inject('dynamodbEndpoint');
const table = () => inject('tableName');

const encryption = (algorithm: string, keyId?: string) =>
  `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm>${
    keyId ? `<KMSMasterKeyID>${keyId}</KMSMasterKeyID>` : ''
  }</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${keyId ? 'true' : 'false'}</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;
const policy = (bucket: string) => secondAccountPolicy(bucket);

type Identity = typeof OWNER;
const createBucket = (bucket: string, identity: Identity = OWNER) =>
  send({ method: 'PUT', path: `/${bucket}`, identity });
const deleteBucket = (bucket: string, identity: Identity = OWNER) =>
  send({ method: 'DELETE', path: `/${bucket}`, identity });
const putEncryption = (bucket: string, body: string, identity: Identity = OWNER) =>
  putConfiguration(bucket, body, { identity });
const deleteEncryption = (bucket: string, identity: Identity = OWNER) =>
  send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption', identity });
const putPolicy = (bucket: string, text: string, identity: Identity = OWNER) =>
  send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: text, identity });
const deletePolicy = (bucket: string, identity: Identity = OWNER) =>
  send({ method: 'DELETE', path: `/${bucket}`, query: 'policy', identity });
const putSubresource = (bucket: string, query: string, body: string) =>
  send({ method: 'PUT', path: `/${bucket}`, query, body, headers: { 'content-md5': md5(body) } });
const deleteSubresource = (bucket: string, query: string) =>
  send({ method: 'DELETE', path: `/${bucket}`, query });
const PUBLIC_ACCESS_BLOCK =
  '<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>';
const OBJECT_WRITER =
  '<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>';

const requestIdOf = (result: Result) => result.headers['x-amz-request-id'];

function expectStatus(result: Result, status: number) {
  expect({ status: result.statusCode, body: result.body }).toMatchObject({ status });
}

// The stream processor for this file, with faults that a test can arm for one bucket: thrown before
// or after the entry's write, as a crash of the stream Lambda would leave it.
const faults = { bucket: '', beforeWrite: 0, afterWrite: 0, injected: 0, seen: 0 };
let history: HistoryStore;
let processor: HistoryStream;

beforeAll(async () => {
  const client = localDynamoClient(endpoint());
  history = createHistoryStore(client, table());
  const faulty: HistoryStore = {
    listHistory: history.listHistory,
    async putEntry(entry, expiresAt) {
      // The stream carries every test file's changes; recording only this process's buckets
      // (uniqueBucket names hold the pid) spares the DynamoDB Local all the files share.
      if (!entry.bucket.includes(`-${process.pid}-`)) return false;
      if (entry.bucket === faults.bucket && faults.beforeWrite > 0) {
        faults.beforeWrite--;
        faults.injected++;
        throw new Error('injected fault before the write');
      }
      const written = await history.putEntry(entry, expiresAt);
      if (entry.bucket === faults.bucket && faults.afterWrite > 0) {
        faults.afterWrite--;
        faults.injected++;
        throw new Error('injected fault after the write');
      }
      return written;
    },
  };
  processor = await startHistoryStream({
    endpoint: endpoint(),
    tableName: table(),
    intervalMs: 100,
    recorder: { history: faulty },
    // As `npm start` runs it: its warm-up's scratch buckets leave no history.
    ignoreBucket: isWarmUpBucket,
    onError: () => {
      faults.seen++;
    },
  });
});

afterAll(async () => {
  await processor?.stop();
});

/** The bucket's history once it has `count` entries (the stream is eventual: typically well under a second). */
async function historyOf(bucket: string, count: number, bucketOwner?: string): Promise<HistoryEntry[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { entries } = await history.listHistory(bucket, { bucketOwner });
    if (entries.length >= count || Date.now() > deadline) return entries;
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('the history of a bucket', () => {
  it('returns one entry per change, newest first, with who, what, when, before and after', async () => {
    const bucket = uniqueBucket('hist');
    const kms = encryption('aws:kms', 'alias/audit');
    const calls = [
      await createBucket(bucket),
      await putEncryption(bucket, kms),
      await putPolicy(bucket, policy(bucket)),
      await deletePolicy(bucket),
      await putEncryption(bucket, encryption('AES256')),
      await deleteEncryption(bucket),
      await putSubresource(bucket, 'publicAccessBlock', PUBLIC_ACCESS_BLOCK),
      await deleteSubresource(bucket, 'publicAccessBlock'),
      await putSubresource(bucket, 'ownershipControls', OBJECT_WRITER),
      await deleteSubresource(bucket, 'ownershipControls'),
      await deleteBucket(bucket),
    ];
    expect(calls.map((call) => call.statusCode)).toEqual([
      200, 200, 204, 204, 200, 204, 200, 204, 200, 204, 204,
    ]);
    const entries = await historyOf(bucket, calls.length);
    const bucketState = { owner: OWNER.accountId, region: 'us-east-1', createdAt: expect.any(String) };
    const kmsView = { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/audit', BucketKeyEnabled: true };
    const aesView = { SSEAlgorithm: 'AES256', BucketKeyEnabled: false };
    const allBlocked = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    const policyBlocked = {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    };
    const enforced = { ObjectOwnership: 'BucketOwnerEnforced' };
    const deleted = { encryption: null, publicAccessBlock: null, ownershipControls: null, policy: null };
    expect(entries.map(({ operation, before, after }) => ({ operation, before, after }))).toEqual([
      { operation: 'DeleteBucket', before: { ...bucketState, ...deleted }, after: null },
      {
        operation: 'DeleteBucketOwnershipControls',
        before: { ObjectOwnership: 'ObjectWriter' },
        after: null,
      },
      {
        operation: 'PutBucketOwnershipControls',
        before: enforced,
        after: { ObjectOwnership: 'ObjectWriter' },
      },
      { operation: 'DeletePublicAccessBlock', before: policyBlocked, after: null },
      { operation: 'PutPublicAccessBlock', before: allBlocked, after: policyBlocked },
      { operation: 'DeleteBucketEncryption', before: aesView, after: null },
      { operation: 'PutBucketEncryption', before: kmsView, after: aesView },
      { operation: 'DeleteBucketPolicy', before: policy(bucket), after: null },
      { operation: 'PutBucketPolicy', before: null, after: policy(bucket) },
      { operation: 'PutBucketEncryption', before: null, after: kmsView },
      {
        operation: 'CreateBucket',
        before: null,
        // A new bucket's defaults (AWS since April 2023) are part of what CreateBucket made.
        after: {
          ...bucketState,
          encryption: null,
          publicAccessBlock: allBlocked,
          ownershipControls: enforced,
          policy: null,
        },
      },
    ]);
    expect(entries.map((entry) => entry.requestId)).toEqual(calls.map(requestIdOf).reverse());
    for (const entry of entries) {
      expect(entry).toMatchObject({
        bucket,
        accountId: OWNER.accountId,
        accessKeyId: OWNER.accessKeyId,
        sourceIp: '127.0.0.1',
        bucketOwner: OWNER.accountId,
      });
      expect(Date.parse(entry.time)).toBeGreaterThan(Date.now() - 60_000);
    }
    const times = entries.map((entry) => entry.time);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('records nothing for refused requests', async () => {
    const bucket = uniqueBucket('refused');
    await createBucket(bucket);
    expectStatus(await putEncryption(bucket, encryption('AES256'), SECOND_IDENTITY), 403);
    expectStatus(await deleteBucket(bucket, SECOND_IDENTITY), 403);
    expectStatus(await putPolicy(bucket, policy(bucket), SECOND_IDENTITY), 403);
    // The owner's public policy on a new bucket: BlockPublicPolicy refuses it, in the write's condition.
    const toEveryone = policyOf(statement('Allow', '*', 's3:GetEncryptionConfiguration', bucket));
    expectStatus(await putPolicy(bucket, toEveryone), 403);
    expectStatus(await putEncryption(bucket, '<ServerSideEncryptionConfiguration/>'), 400);
    expectStatus(await createBucket(bucket, SECOND_IDENTITY), 409);
    expectStatus(await putEncryption(`${bucket}-none`, encryption('AES256')), 404);
    // A change after the refusals: once it is recorded, everything before it was processed.
    const marker = await putEncryption(bucket, encryption('AES256'));
    expect(marker.statusCode).toBe(200);
    const entries = await historyOf(bucket, 2);
    expect(entries.map((entry) => [entry.operation, entry.accountId])).toEqual([
      ['PutBucketEncryption', OWNER.accountId],
      ['CreateBucket', OWNER.accountId],
    ]);
    expect((await history.listHistory(`${bucket}-none`)).entries).toEqual([]);
  });

  it("records nothing for npm start's warm-up buckets, and the changes after them as usual", async () => {
    const warmUp = uniqueBucket('local-warm-up');
    expect(isWarmUpBucket(warmUp)).toBe(true);
    expectStatus(await createBucket(warmUp), 200);
    expectStatus(await putEncryption(warmUp, encryption('AES256')), 200);
    expectStatus(await deleteBucket(warmUp), 204);
    // A change after them: once it is recorded, the warm-up's records were read.
    const bucket = uniqueBucket('after-warm-up');
    expectStatus(await createBucket(bucket), 200);
    expect((await historyOf(bucket, 1)).map((entry) => entry.operation)).toEqual(['CreateBucket']);
    expect((await history.listHistory(warmUp)).entries).toEqual([]);
  });

  it('says it has caught up only once what was written before the question is recorded (npm start waits so before its banner)', async () => {
    const bucket = uniqueBucket('caught-up');
    expectStatus(await createBucket(bucket), 200);
    expectStatus(await putEncryption(bucket, encryption('AES256')), 200);
    await processor.caughtUp(15_000);
    // Read at once, no waiting: both changes are there.
    const { entries } = await history.listHistory(bucket);
    expect(entries.map((entry) => entry.operation)).toEqual(['PutBucketEncryption', 'CreateBucket']);
  });

  it("outlives the bucket, and shows a re-created bucket's owner only its own lives of the name", async () => {
    const bucket = uniqueBucket('again');
    await createBucket(bucket);
    await putEncryption(bucket, encryption('aws:kms', 'alias/first-owner-secret'));
    expectStatus(await deleteBucket(bucket), 204);
    // The deletion marker left behind is no bucket to any call.
    for (const call of [
      () => deleteBucket(bucket),
      () => putEncryption(bucket, encryption('AES256')),
      () => deleteEncryption(bucket),
      () => putPolicy(bucket, policy(bucket)),
      () => deletePolicy(bucket),
      () => send({ method: 'GET', path: `/${bucket}`, query: 'encryption' }),
      () => send({ method: 'HEAD', path: `/${bucket}` }),
    ]) {
      expectStatus(await call(), 404);
    }
    expect((await send({ method: 'GET', path: '/' })).body).not.toContain(`<Name>${bucket}</Name>`);
    expectStatus(await createBucket(bucket, SECOND_IDENTITY), 200);
    await putEncryption(bucket, encryption('AES256'), SECOND_IDENTITY);

    const everything = await historyOf(bucket, 5);
    expect(everything.map((entry) => [entry.operation, entry.bucketOwner])).toEqual([
      ['PutBucketEncryption', SECOND_IDENTITY.accountId],
      ['CreateBucket', SECOND_IDENTITY.accountId],
      ['DeleteBucket', OWNER.accountId],
      ['PutBucketEncryption', OWNER.accountId],
      ['CreateBucket', OWNER.accountId],
    ]);
    const newOwners = await history.listHistory(bucket, { bucketOwner: SECOND_IDENTITY.accountId });
    expect(newOwners.entries.map((entry) => entry.operation)).toEqual([
      'PutBucketEncryption',
      'CreateBucket',
    ]);
    expect(JSON.stringify(newOwners)).not.toContain('first-owner-secret');
    const oldOwners = await history.listHistory(bucket, { bucketOwner: OWNER.accountId });
    expect(oldOwners.entries.map((entry) => entry.operation)).toEqual([
      'DeleteBucket',
      'PutBucketEncryption',
      'CreateBucket',
    ]);
  });

  it('returns one entry per accepted write of concurrent writers, in the order DynamoDB applied them', async () => {
    const bucket = uniqueBucket('conc');
    await createBucket(bucket);
    const writes = Array.from({ length: 24 }, (_, index) =>
      index % 5 === 4
        ? deleteEncryption(bucket)
        : putEncryption(bucket, encryption('aws:kms', `alias/k${index}`)),
    );
    const results = await Promise.all(writes);
    for (const result of results) expect(result.statusCode).toBeLessThan(300);
    const entries = await historyOf(bucket, results.length + 1);
    expect(entries).toHaveLength(results.length + 1);
    expect(new Set(entries.map((entry) => entry.requestId))).toEqual(
      new Set([...results.map(requestIdOf), entries.at(-1)?.requestId]),
    );
    // In order: versions count down (a write the SDK retried may have applied twice: one entry), and
    // each entry's `before` is the `after` of the one before it.
    const versions = entries.map((entry) => entry.version);
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(new Set(versions).size).toBe(versions.length);
    for (let index = 0; index < entries.length - 2; index++) {
      expect(entries[index]?.before).toEqual(entries[index + 1]?.after);
    }
    const current = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
    const newest = entries[0]?.after as { KMSMasterKeyID?: string } | null;
    if (newest?.KMSMasterKeyID) expect(current.body).toContain(`<KMSMasterKeyID>${newest.KMSMasterKeyID}<`);
    else expect(current.body).toContain('<SSEAlgorithm>AES256<');
  });

  it('pages through a long history', async () => {
    const bucket = uniqueBucket('long');
    await createBucket(bucket);
    for (let index = 0; index < 11; index++)
      await putEncryption(bucket, encryption('aws:kms', `alias/p${index}`));
    const all = await historyOf(bucket, 12);
    expect(all).toHaveLength(12);
    const paged: HistoryEntry[] = [];
    let after: string | undefined;
    do {
      const page = await history.listHistory(bucket, { limit: 5, pageSize: 3, after });
      expect(page.entries.length).toBeLessThanOrEqual(5);
      paged.push(...page.entries);
      after = page.cursor;
    } while (after);
    expect(paged).toEqual(all);
    const since = all[3]?.time as string;
    expect((await history.listHistory(bucket, { since })).entries).toEqual(all.slice(0, 4));
  });
});

describe('retention', () => {
  it('returns no entry past its expiry, though TTL has not deleted it yet', async () => {
    const bucket = uniqueBucket('expired');
    const entry = (version: number): HistoryEntry => ({
      time: new Date().toISOString(),
      operation: 'PutBucketPolicy',
      bucket,
      accountId: OWNER.accountId,
      accessKeyId: OWNER.accessKeyId,
      requestId: `REQ${version}`,
      sourceIp: '127.0.0.1',
      before: null,
      after: '{}',
      bucketOwner: OWNER.accountId,
      generation: '2020-01-01T00:00:00.000Z',
      version,
    });
    const now = Math.floor(Date.now() / 1000);
    expect(await history.putEntry(entry(1), now - 1)).toBe(true);
    expect(await history.putEntry(entry(2), now + 3600)).toBe(true);
    expect(await history.putEntry(entry(2), now + 3600)).toBe(false); // the same change again: not written
    expect((await history.listHistory(bucket)).entries.map((listed) => listed.version)).toEqual([2]);
  });
});

describe('a write the SDK retried', () => {
  it('returns one entry for one accepted request, though DynamoDB applied each attempt', async () => {
    const bucket = uniqueBucket('retried');
    await createBucket(bucket);
    // The route Lambda's own client (timeouts, retries), through a proxy that loses every answer but the last.
    const proxy = await startFaultProxy(endpoint());
    const proxied = createStorage(
      createDynamoClient({ ...config(), dynamodbEndpoint: proxy.endpoint }),
      config().tableName,
    );
    setStorage(proxied);
    try {
      proxy.setMode({ kind: 'lost-answer' });
      const put = await putEncryption(bucket, encryption('aws:kms', 'alias/retried'));
      expect(put.statusCode).toBe(200);
      expect(proxy.counts().forwarded).toBe(config().dynamodbMaxAttempts);
    } finally {
      setStorage(undefined);
      proxied.client.destroy();
      await proxy.close();
    }
    // A change after it: once that is recorded, the retried write's records were processed.
    await deleteEncryption(bucket);
    const entries = await historyOf(bucket, 3);
    expect(entries.map((entry) => [entry.operation, entry.version])).toEqual([
      ['DeleteBucketEncryption', 2 + config().dynamodbMaxAttempts],
      ['PutBucketEncryption', 2],
      ['CreateBucket', 1],
    ]);
  });
});

describe('a fault in the stream processing', () => {
  it('is retried from the failed record, without duplicates', async () => {
    const bucket = uniqueBucket('fault');
    const seenBefore = faults.seen;
    Object.assign(faults, { bucket, beforeWrite: 1, afterWrite: 2 });
    await createBucket(bucket);
    await putEncryption(bucket, encryption('AES256'));
    await putPolicy(bucket, policy(bucket));
    await deleteBucket(bucket);
    const entries = await historyOf(bucket, 4);
    expect(entries.map((entry) => entry.operation)).toEqual([
      'DeleteBucket',
      'PutBucketPolicy',
      'PutBucketEncryption',
      'CreateBucket',
    ]);
    expect({ beforeWrite: faults.beforeWrite, afterWrite: faults.afterWrite }).toEqual({
      beforeWrite: 0,
      afterWrite: 0,
    });
    // Each injected fault failed a batch that the processor then read again.
    expect(faults.injected).toBe(3);
    expect(faults.seen - seenBefore).toBeGreaterThanOrEqual(3);
  });

  it('writes nothing twice when the stream Lambda gets the same records again', async () => {
    const bucket = uniqueBucket('redeliver');
    await createBucket(bucket);
    await putEncryption(bucket, encryption('AES256'));
    await deleteBucket(bucket);
    const recorded = await historyOf(bucket, 3);
    expect(recorded).toHaveLength(3);
    // The deployed handler, given the very records the stream holds, twice.
    const Records = (await streamRecordsOf(bucket)) as unknown as DynamoDBStreamEvent['Records'];
    expect(Records).toHaveLength(3);
    expect(recordHistoryHandler.length).toBe(2); // (event, context): Node 24's runtime refuses callbacks
    for (let delivery = 0; delivery < 2; delivery++) {
      expect(await recordHistoryHandler({ Records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    }
    expect((await history.listHistory(bucket)).entries).toEqual(recorded);
  });
});
