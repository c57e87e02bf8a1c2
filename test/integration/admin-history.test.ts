// `npm run admin -- history` and `history replay` against DynamoDB Local's real stream. The handlers
// make the changes; the entries are written by the stream Lambda's core (lib/history/recorder.ts) from
// the records the table's stream holds — all of them, or all but some, as a consumer that gave up on a
// batch leaves them. The gaps that leaves are shown; the on-failure queue's messages (Lambda's
// documented invocation record, DDBStreamBatchInfo) are replayed through an in-test SQS endpoint.
// The file has a table of its own in the run's DynamoDB Local, so its stream holds only its changes:
// a failed batch's range of the stream then holds exactly that batch, as it does in AWS.

import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { config, resetConfig } from '../../lib/config.ts';
import { recordHistory } from '../../lib/history/recorder.ts';
import { createDynamoClient } from '../../lib/storage/client.ts';
import { createHistoryStore, type HistoryStore } from '../../lib/storage/history.ts';
import { createStorage, setStorage } from '../../lib/storage/index.ts';
import { run } from '../../scripts/admin.ts';
import { asEventRecord } from '../../scripts/history-stream.ts';
import { ensureTable, localDynamoClient, SERVICE_NAME, seedIdentity } from '../../scripts/local-stack.ts';
import { runAdminProcess } from '../helpers/admin-cli.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { putEncryption, send } from '../helpers/invoke.ts';
import { policyOf, statement } from '../helpers/policies.ts';
import { type SqsEndpoint, startSqsEndpoint } from '../helpers/sqs-endpoint.ts';
import { readStream } from '../helpers/stream-records.ts';
import { startStreamTrimmer } from '../helpers/stream-trimmer.ts';

const endpoint = () => inject('dynamodbEndpoint');
/** A stage of its own: its table, `bucket-encryption-api-<stage>`, is this file's alone. */
const STAGE = `admin-${process.pid}`;
const TABLE = `${SERVICE_NAME}-${STAGE}`;
const table = () => TABLE;

async function admin(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  const lines: string[] = [];
  await run(argv, { DYNAMODB_ENDPOINT: endpoint(), TABLE_NAME: table(), ...env }, (line) => lines.push(line));
  return lines;
}
const adminJson = async <T = Record<string, unknown>>(argv: string[], env?: Record<string, string>) =>
  JSON.parse((await admin([...argv, '--json'], env)).join('\n')) as T;

const aes = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
const kms = (key: string) =>
  `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${key}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;

async function ok(result: Promise<{ statusCode: number; body: string }>) {
  const { statusCode, body } = await result;
  expect(statusCode, body).toBeLessThan(300);
}
const createBucket = (bucket: string) => ok(send({ method: 'PUT', path: `/${bucket}` }));
const putPolicy = (bucket: string, text: string) =>
  ok(send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: text }));

/** A bucket of OWNER's with `changes` PutBucketEncryption after its creation: versions 1 … changes + 1. */
async function changedBucket(prefix: string, changes: number): Promise<string> {
  const bucket = uniqueBucket(prefix);
  await createBucket(bucket);
  for (let index = 0; index < changes; index++)
    await ok(putEncryption(bucket, kms(`alias/${prefix}${index}`)));
  return bucket;
}

const versionOf = (record: StreamRecord) => Number(record.dynamodb?.NewImage?.version?.N);

let history: HistoryStore;
const dynamo = () => localDynamoClient(endpoint());
beforeAll(async () => {
  await ensureTable(endpoint(), TABLE);
  await seedIdentity(endpoint(), TABLE, OWNER);
  await seedIdentity(endpoint(), TABLE, SECOND_IDENTITY);
  // The handlers write to this file's table (test/helpers/env.ts named the shared one).
  process.env.TABLE_NAME = TABLE;
  resetConfig();
  setStorage(undefined);
  history = createHistoryStore(dynamo(), TABLE);
});
afterAll(async () => {
  setStorage(undefined);
  const client = dynamo();
  await client.send(new DeleteTableCommand({ TableName: TABLE }));
  client.destroy();
});

/** Records the bucket's stream records as the history Lambda does, but those of the versions `lost`. */
async function record(bucket: string, lost: number[] = []) {
  const { records, streamArn, shardOf } = await readStream(bucket, {
    endpoint: endpoint(),
    tableName: TABLE,
  });
  const kept = records.filter((streamRecord) => !lost.includes(versionOf(streamRecord)));
  expect(await recordHistory(kept.map(asEventRecord), { history, retentionDays: 400 })).toMatchObject({
    batchItemFailures: [],
    failed: 0,
  });
  return { records, streamArn, shardOf };
}

describe('npm run admin -- history', () => {
  it('shows policies and configurations as JSON: indented in text, objects with --json, names beside ids', async () => {
    const bucket = uniqueBucket('json');
    await createBucket(bucket);
    const policy = policyOf(
      statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:PutEncryptionConfiguration', bucket),
    );
    await putPolicy(bucket, policy);
    await ok(putEncryption(bucket, kms('alias/named')));
    await record(bucket);

    const text = await admin(['history', bucket]);
    expect(text[0]).toMatch(/^VERSION +TIME +OPERATION +ACCOUNT +ACCESS KEY +SOURCE IP +REQUEST ID +OWNER$/);
    const joined = text.join('\n');
    expect(joined).toMatch(
      new RegExp(
        `^v2 +\\S+ +PutBucketPolicy +${OWNER.accountId} \\(local\\) +${OWNER.accessKeyId} +127\\.0\\.0\\.1`,
        'm',
      ),
    );
    // The policy as indented JSON, not an escaped string.
    expect(joined).toContain(`    after:\n      {\n        "Version": "2012-10-17",\n        "Statement": [`);
    expect(joined).not.toContain('\\"');
    expect(joined).toContain(`      "KMSMasterKeyID": "alias/named",`);

    const document = await adminJson<{
      bucket: string;
      entries: Record<string, unknown>[];
      nextCursor: null;
    }>(['history', bucket]);
    expect(document.bucket).toBe(bucket);
    expect(document.nextCursor).toBeNull();
    expect(document.entries.map((entry) => [entry.kind, entry.version, entry.operation])).toEqual([
      ['change', 3, 'PutBucketEncryption'],
      ['change', 2, 'PutBucketPolicy'],
      ['change', 1, 'CreateBucket'],
    ]);
    expect(document.entries[1]).toMatchObject({
      accountId: OWNER.accountId,
      accountName: 'local',
      bucketOwner: OWNER.accountId,
      bucketOwnerName: 'local',
      before: null,
      after: JSON.parse(policy),
    });
    expect(document.entries[0]?.after).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: 'alias/named',
      BucketKeyEnabled: true,
    });
    expect(document.entries[2]?.after).toMatchObject({ owner: OWNER.accountId, policy: null });
  });

  it('pages with --json: nextCursor, passed back with --cursor, until it is null', async () => {
    const bucket = await changedBucket('pages', 4);
    await record(bucket);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { entries: { version: number }[]; nextCursor: string | null } = await adminJson([
        'history',
        bucket,
        '--limit',
        '2',
        ...(cursor ? ['--cursor', cursor] : []),
      ]);
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries.map((entry) => entry.version));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    // Text mode says where to go on.
    const text = await admin(['history', bucket, '--limit', '3']);
    const more = text.at(-1)?.match(/^\(more: --cursor (\S+)\)$/)?.[1] as string;
    expect((await admin(['history', bucket, '--cursor', more])).join('\n')).toMatch(/^v2 .*\n[\s\S]*^v1 /m);
    await expect(admin(['history', bucket, '--cursor', 'garbage'])).rejects.toThrow(/--cursor/);
  });

  it('filters by the account that made the change (--account) and by the owner (--owner)', async () => {
    const bucket = uniqueBucket('who');
    await createBucket(bucket);
    await putPolicy(
      bucket,
      policyOf(
        statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:PutEncryptionConfiguration', bucket),
      ),
    );
    await ok(putEncryption(bucket, aes, { identity: SECOND_IDENTITY }));
    await record(bucket);
    const bySecond = await adminJson<{ entries: Record<string, unknown>[] }>([
      'history',
      bucket,
      '--account',
      SECOND_IDENTITY.accountId,
    ]);
    expect(bySecond.entries).toEqual([
      expect.objectContaining({
        operation: 'PutBucketEncryption',
        accountId: SECOND_IDENTITY.accountId,
        accountName: 'second',
        bucketOwner: OWNER.accountId,
      }),
    ]);
    const byOwner = await adminJson<{ entries: { operation: string }[] }>([
      'history',
      bucket,
      '--account',
      OWNER.accountId,
    ]);
    expect(byOwner.entries.map((entry) => entry.operation)).toEqual(['PutBucketPolicy', 'CreateBucket']);
    // --owner: the lives of the name an account owned, whoever made the changes.
    const owned = await adminJson<{ entries: unknown[] }>(['history', bucket, '--owner', OWNER.accountId]);
    expect(owned.entries).toHaveLength(3);
    expect(
      (await adminJson<{ entries: unknown[] }>(['history', bucket, '--owner', SECOND_IDENTITY.accountId]))
        .entries,
    ).toEqual([]);
  });

  it('keeps --since, says when there is nothing, and refuses bad options', async () => {
    const bucket = await changedBucket('since', 2);
    await record(bucket);
    const { entries } = await adminJson<{ entries: { version: number; time: string }[] }>([
      'history',
      bucket,
    ]);
    const since = await adminJson<{ entries: { version: number }[] }>([
      'history',
      bucket,
      '--since',
      entries[1]?.time ?? '',
    ]);
    expect(since.entries.map((entry) => entry.version)).toEqual([3, 2]);
    expect(await admin(['history', uniqueBucket('nothing')])).toEqual([
      expect.stringMatching(/^\(no history for /),
    ]);
    // A filter that matches nothing says so, not that the bucket has no history.
    expect(await admin(['history', bucket, '--owner', '999999999999'])).toEqual([
      `(no changes of ${bucket} match the filters)`,
    ]);
    expect(await adminJson(['history', uniqueBucket('nothing')])).toEqual({
      bucket: expect.any(String),
      entries: [],
      nextCursor: null,
    });
    for (const [argv, message] of [
      [['history', bucket, '--limit', '0'], /--limit/],
      [['history', bucket, '--since', 'yesterday'], /--since/],
      [['history', bucket, '--after', 'garbage'], /--after/],
      [['history', bucket, '--cursor', 'x', '--after', 'y'], /--after/],
      [['history'], /BUCKET/],
      [['history', bucket, '--bucket', bucket], /once/],
      [['history', bucket, '--queue', 'x'], /does not take --queue/],
      [['history', bucket, '--owner', 'abc'], /--owner must be a 12-digit account id \(got "abc"\)/],
      [['history', bucket, '--account', '12345'], /--account must be a 12-digit account id/],
    ] as const) {
      await expect(admin([...argv])).rejects.toThrow(message);
    }
  });

  it('reads no further than a full page: a long history past --since is not read for nothing', async () => {
    const bucket = await changedBucket('bounded', 5); // v1 … v6
    await record(bucket);
    const client = dynamo();
    let queries = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        queries++;
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    const store = createHistoryStore(client, TABLE);
    const all = (await store.listHistory(bucket)).entries;
    queries = 0;
    const since = all[1]?.time;
    const first = await store.listHistory(bucket, { since, limit: 2, pageSize: 2 });
    expect({ versions: first.entries.map((entry) => entry.version), queries }).toEqual({
      versions: [6, 5],
      queries: 1,
    });
    const rest = await store.listHistory(bucket, { since, limit: 2, pageSize: 2, after: first.cursor });
    expect(rest).toMatchObject({ entries: [], cursor: undefined });
    client.destroy();
  });

  it('reads a bucket named like a subcommand with --bucket', async () => {
    await createBucket('replay'); // this file's table alone holds it
    await record('replay');
    const { bucket, entries } = await adminJson<{ bucket: string; entries: { operation: string }[] }>([
      'history',
      '--bucket',
      'replay',
    ]);
    expect({ bucket, operations: entries.map((entry) => entry.operation) }).toEqual({
      bucket: 'replay',
      operations: ['CreateBucket'],
    });
  });

  it('shows a change whose entry was not written as a line of its own, and marks it with --json', async () => {
    const bucket = await changedBucket('gap', 3); // v1 … v4
    await record(bucket, [3]);
    const text = (await admin(['history', bucket])).join('\n');
    expect(text).toMatch(
      /^v4 .*PutBucketEncryption[\s\S]*^v3 +1 change not recorded between v2 and v4$[\s\S]*^v2 /m,
    );
    const { entries } = await adminJson<{ entries: Record<string, unknown>[] }>(['history', bucket]);
    expect(entries.map((entry) => [entry.kind, entry.version ?? entry.fromVersion])).toEqual([
      ['change', 4],
      ['gap', 3],
      ['change', 2],
      ['change', 1],
    ]);
    expect(entries[1]).toEqual({
      kind: 'gap',
      bucket,
      bucketOwner: OWNER.accountId,
      bucketOwnerName: 'local',
      generation: expect.any(String),
      fromVersion: 3,
      toVersion: 3,
      missing: 1,
      pending: false,
    });
  });

  it("shows the bucket's newest changes without an entry, and lost first ones", async () => {
    const bucket = await changedBucket('head', 3); // v1 … v4
    await record(bucket, [1, 4]);
    const lines = await admin(['history', bucket]);
    expect(lines.join('\n')).toMatch(
      /^v4 +1 change not recorded after v3: the bucket is at v4 [^\n]*\n^v3 [\s\S]*^v2 [\s\S]*^v1 +1 change not recorded before v2$/m,
    );
    const { entries } = await adminJson<{ entries: Record<string, unknown>[] }>(['history', bucket]);
    expect(entries.map((entry) => [entry.kind, entry.fromVersion ?? entry.version, entry.pending])).toEqual([
      ['gap', 4, true],
      ['change', 3, undefined],
      ['change', 2, undefined],
      ['gap', 1, false],
    ]);
  });

  it('shows no gap for the versions a retried write took (one request, applied twice)', async () => {
    const bucket = uniqueBucket('retried');
    await createBucket(bucket);
    const proxy = await startFaultProxy(endpoint());
    const proxied = createStorage(
      createDynamoClient({ ...config(), dynamodbEndpoint: proxy.endpoint }),
      config().tableName,
    );
    setStorage(proxied);
    try {
      proxy.setMode({ kind: 'lost-answer' });
      await ok(putEncryption(bucket, aes)); // applied once per attempt: versions 2 … 1 + attempts
      await ok(putEncryption(bucket, aes)); // the last write, also applied twice or more
      expect(proxy.counts().forwarded).toBe(2 * config().dynamodbMaxAttempts);
    } finally {
      setStorage(undefined);
      proxied.client.destroy();
      await proxy.close();
    }
    const listed = async () =>
      (await adminJson<{ entries: { kind: string; operation?: string }[] }>(['history', bucket])).entries.map(
        (entry) => entry.operation ?? entry.kind,
      );
    // The bucket's newest versions are the last write's repeats: no gap at the head either.
    await record(bucket);
    expect(await listed()).toEqual(['PutBucketEncryption', 'PutBucketEncryption', 'CreateBucket']);
    await ok(send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption' }));
    await record(bucket);
    expect(await listed()).toEqual([
      'DeleteBucketEncryption',
      'PutBucketEncryption',
      'PutBucketEncryption',
      'CreateBucket',
    ]);
  });
});

/** Lambda's on-failure invocation record for a failed batch of a DynamoDB stream (AWS Lambda Developer
 * Guide, "Retaining discarded records for a DynamoDB event source in Lambda", its example record). */
function onFailureRecord(streamArn: string, shardId: string, batch: StreamRecord[]) {
  const first = batch[0]?.dynamodb;
  const last = batch.at(-1)?.dynamodb;
  return JSON.stringify({
    requestContext: {
      requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bucket-encryption-api-dev-history',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: first?.SequenceNumber,
      endSequenceNumber: last?.SequenceNumber,
      approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime?.toISOString(),
      approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime?.toISOString(),
      batchSize: batch.length,
      streamArn,
    },
  });
}

describe('npm run admin -- history replay', () => {
  let sqs: SqsEndpoint;
  beforeAll(async () => {
    sqs = await startSqsEndpoint();
  });
  afterAll(async () => {
    await sqs?.stop();
  });

  /** A bucket v1 … v5 whose versions `lost` have no entry, and the message naming their batch. */
  async function failedBatch(prefix: string, lost: number[]) {
    const bucket = await changedBucket(prefix, 4);
    const { records, streamArn, shardOf } = await record(bucket, lost);
    const batch = records.filter((streamRecord) => lost.includes(versionOf(streamRecord)));
    const shardId = shardOf.get(batch[0]?.dynamodb?.SequenceNumber ?? '') ?? '';
    return { bucket, batch, streamArn, shardId, body: onFailureRecord(streamArn, shardId, batch) };
  }

  it('writes the entries of a failed batch, deletes its message, and writes nothing the second time', async () => {
    const queue = sqs.createQueue(uniqueBucket('failed'));
    const { bucket, body } = await failedBatch('replay', [3, 4]);
    expect((await admin(['history', bucket])).join('\n')).toContain(
      '2 changes not recorded between v2 and v5',
    );
    sqs.send(queue, body);

    const replayed = await adminJson<{
      messages: Record<string, unknown>[];
      summary: Record<string, number>;
    }>(['history', 'replay', '--queue', queue]);
    expect(replayed.messages).toEqual([
      expect.objectContaining({
        written: 2,
        alreadyRecorded: 0,
        notRecovered: 0,
        deleted: true,
        problem: null,
      }),
    ]);
    expect(sqs.messages(queue)).toEqual([]);
    const { entries } = await adminJson<{ entries: { kind: string; version?: number }[] }>([
      'history',
      bucket,
    ]);
    expect(entries.map((entry) => [entry.kind, entry.version])).toEqual(
      [5, 4, 3, 2, 1].map((v) => ['change', v]),
    );

    // The same message again (SQS delivers at least once): nothing new is written.
    const before = await history.listHistory(bucket);
    sqs.send(queue, body);
    const again = (await admin(['history', 'replay', '--queue', queue])).join('\n');
    expect(again).toMatch(/0 entries written, 2 already recorded; deleted from the queue/);
    expect(sqs.messages(queue)).toEqual([]);
    expect(await history.listHistory(bucket)).toEqual(before);
  });

  it('reports the records already trimmed from the stream, writes the rest, and the gap stays visible', async () => {
    const queue = sqs.createQueue(uniqueBucket('trimmed'));
    const { bucket, batch, shardId, body } = await failedBatch('trim', [2, 3, 4]);
    const trimmer = await startStreamTrimmer(endpoint());
    try {
      // The batch's first record is older than the shard's oldest: trimmed.
      trimmer.trim(shardId, batch[1]?.dynamodb?.SequenceNumber ?? '');
      sqs.send(queue, body);
      const replayed = await admin(['history', 'replay', '--queue', queue], {
        DYNAMODB_ENDPOINT: trimmer.endpoint,
      });
      expect(replayed.join('\n')).toMatch(
        /2 entries written, 0 already recorded; deleted from the queue\n +1 record of the batch's 3 no longer in the stream \(trimmed after 24 hours\)/,
      );
    } finally {
      await trimmer.close();
    }
    expect(sqs.messages(queue)).toEqual([]);
    expect((await admin(['history', bucket])).join('\n')).toMatch(
      /^v2 +1 change not recorded between v1 and v3$/m,
    );
  });

  it('reports a batch whose shard is gone from the stream as not recovered, and deletes the message', async () => {
    const queue = sqs.createQueue(uniqueBucket('gone'));
    const { bucket, batch, streamArn } = await failedBatch('gone', [5]);
    sqs.send(queue, onFailureRecord(streamArn, 'shardId-00000001573689847184-864758bb', batch));
    const { messages, summary } = await adminJson<{
      messages: Record<string, unknown>[];
      summary: Record<string, number>;
    }>(['history', 'replay', '--queue', queue]);
    expect(messages).toEqual([
      expect.objectContaining({
        written: 0,
        notRecovered: 1,
        deleted: true,
        problem: expect.stringMatching(/trimmed/),
      }),
    ]);
    expect(summary).toMatchObject({ messages: 1, deleted: 1, left: 0, notRecovered: 1 });
    expect(sqs.messages(queue)).toEqual([]);
    expect((await admin(['history', bucket])).join('\n')).toMatch(
      /1 change not recorded after v4: the bucket is at v5/,
    );
  });

  it('leaves a message it cannot replay in the queue, says why, and fails', async () => {
    const queue = sqs.createQueue(uniqueBucket('bad'));
    const { batch, streamArn, shardId } = await failedBatch('other', [2]);
    sqs.send(queue, '{"requestContext":{}}');
    sqs.send(
      queue,
      onFailureRecord(streamArn.replace(/table\/[^/]+/, 'table/another-table'), shardId, batch),
    );
    const lines: string[] = [];
    const failure = await run(
      ['history', 'replay', '--queue', queue],
      { DYNAMODB_ENDPOINT: endpoint(), TABLE_NAME: table() },
      (line) => lines.push(line),
    ).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/2 messages left in the queue/);
    expect(lines.join('\n')).toMatch(/not an on-failure record of a DynamoDB stream/);
    expect(lines.join('\n')).toMatch(/its stream is table another-table's, not/);
    expect(sqs.messages(queue)).toHaveLength(2);
    // Left, not lost: the next run (after the visibility timeout) sees them again.
    sqs.expireVisibility(queue);
    await expect(admin(['history', 'replay', '--queue', queue])).rejects.toThrow(/2 messages left/);
  });

  it("replays a stage's queue by its name (--stage), as an operator runs it", async () => {
    const operator = {
      HOME: '/nonexistent',
      AWS_ACCESS_KEY_ID: 'AKIAOPERATOR00000000',
      AWS_SECRET_ACCESS_KEY: 'operator-secret',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint(),
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint(),
      AWS_ENDPOINT_URL_SQS: sqs.url,
    };
    const name = `${SERVICE_NAME}-${STAGE}-history-failed`;
    // No queue yet (a stage deployed before it existed): one line that says so.
    expect(await runAdminProcess(['--stage', STAGE, 'history', 'replay', '--json'], operator)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: queue ${name} not found in us-east-1: is stage "${STAGE}" deployed there with its on-failure queue (output HistoryFailedQueueUrl)?\n`,
    });
    // The stage's queue, named as serverless.yml names it; the stage's table is this file's.
    const queue = sqs.createQueue(name);
    const { bucket, body } = await failedBatch('stage', [2]);
    sqs.send(queue, body);
    const result = await runAdminProcess(['--stage', STAGE, 'history', 'replay'], operator);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/1 entry written, 0 already recorded; deleted from the queue/);
    expect(sqs.messages(queue)).toEqual([]);
    expect(sqs.calls).toContain('GetQueueUrl');
    expect((await history.listHistory(bucket)).items.map((item) => item.kind)).toEqual(
      Array(5).fill('change'),
    );
  });

  it("needs the queue: --queue URL, or --stage for the stage's", async () => {
    await expect(admin(['history', 'replay'])).rejects.toThrow(/--queue URL/);
    expect((await admin(['history', 'replay', '--help'])).join('\n')).toMatch(
      /^usage: npm run admin -- history replay /,
    );
  });
});
