// Change events: the stream processor publishes each history entry to an EventBridge bus. Against an
// in-test EventBridge endpoint (test/helpers/eventbridge-endpoint.ts: PutEvents over AWS JSON 1.1, as
// the SDK's EventBridgeClient speaks it), which records what a subscriber of the bus would receive and
// can refuse entries or fail calls. The records are the table stream's own (DynamoDB Local).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BucketStreamRecord } from '../../lib/history/entry.ts';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, eventBridgePublisher } from '../../lib/history/events.ts';
import { recordHistory } from '../../lib/history/recorder.ts';
import { createHistoryStore } from '../../lib/storage/history.ts';
import { localDynamoClient } from '../../scripts/local-stack.ts';
import { type EventBridgeEndpoint, startEventBridgeEndpoint } from '../helpers/eventbridge-endpoint.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import { send } from '../helpers/invoke.ts';
import { md5 } from '../helpers/signed-event.ts';
import { streamRecordsOf } from '../helpers/stream-records.ts';

let eventBridge: EventBridgeEndpoint;

beforeAll(async () => {
  eventBridge = await startEventBridgeEndpoint();
});

afterAll(async () => {
  await eventBridge?.stop();
});

const client = () =>
  new EventBridgeClient({
    endpoint: eventBridge.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

/** A bus of its own for one test (the endpoint is shared by the file's tests). */
function newBus() {
  const bus = `audit-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  eventBridge.addBus(bus);
  return bus;
}

/** Processes the records as the stream Lambda does, publishing to `bus`. */
async function processBatch(records: readonly BucketStreamRecord[], bus: string) {
  const dynamo = localDynamoClient(inject('dynamodbEndpoint'));
  const events = client();
  try {
    // The Lambda's answer is the batch's failures alone (functions/record-history.ts).
    const { batchItemFailures } = await recordHistory(records, {
      history: createHistoryStore(dynamo, inject('tableName')),
      retentionDays: 400,
      publish: eventBridgePublisher(bus, events),
    });
    return { batchItemFailures };
  } finally {
    events.destroy();
    dynamo.destroy();
  }
}

async function historyOf(bucket: string) {
  const dynamo = localDynamoClient(inject('dynamodbEndpoint'));
  try {
    return (await createHistoryStore(dynamo, inject('tableName')).listHistory(bucket)).entries;
  } finally {
    dynamo.destroy();
  }
}

const ENCRYPTION =
  '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';

/** A bucket created and given an encryption configuration: its two stream records and the put's request id. */
async function changedBucket() {
  const bucket = uniqueBucket('events');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  const put = await send({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body: ENCRYPTION,
    headers: { 'content-md5': md5(ENCRYPTION) },
  });
  expect(put.statusCode).toBe(200);
  const records = await streamRecordsOf(bucket);
  expect(records).toHaveLength(2);
  return { bucket, records, requestId: put.headers['x-amz-request-id'] };
}

const onBus = (bus: string) => eventBridge.delivered.filter((event) => event.bus === bus);

describe('change events (--param eventBus)', () => {
  it('publishes each entry to the bus with the documented source and detail-type, one event per entry, in order', async () => {
    const bus = newBus();
    const { bucket, records, requestId } = await changedBucket();
    const callsBefore = eventBridge.calls.length;

    expect(await processBatch(records, bus)).toEqual({ batchItemFailures: [] });

    // One PutEvents call per entry, each accepted.
    expect(eventBridge.calls.slice(callsBefore)).toEqual(['PutEvents', 'PutEvents']);
    const delivered = onBus(bus);
    expect(delivered.map((event) => [event.source, event['detail-type'], event.resources])).toEqual([
      [EVENT_SOURCE, EVENT_DETAIL_TYPE, [`arn:aws:s3:::${bucket}`]],
      [EVENT_SOURCE, EVENT_DETAIL_TYPE, [`arn:aws:s3:::${bucket}`]],
    ]);
    const entries = (await historyOf(bucket)).reverse(); // oldest first, as published
    expect(delivered.map((event) => event.detail)).toEqual([
      expect.objectContaining({ operation: 'CreateBucket', bucket, version: 1, id: expect.any(String) }),
      expect.objectContaining({
        operation: 'PutBucketEncryption',
        bucket,
        requestId,
        after: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
      }),
    ]);
    // The detail is the history entry (the fields `admin history --json` prints), plus its id.
    expect(delivered.map(({ detail: { id: _id, ...entry } }) => entry)).toEqual(entries);
    for (const [index, event] of delivered.entries()) {
      expect(Object.keys(event.detail)).toEqual(
        expect.arrayContaining([
          'id',
          'time',
          'operation',
          'bucket',
          'accountId',
          'accessKeyId',
          'requestId',
          'sourceIp',
          'before',
          'after',
        ]),
      );
      // EventBridge's `time` is the change's.
      expect(event.time).toBe(new Date(entries[index]?.time ?? '').toISOString());
    }
    expect(new Set(delivered.map((event) => event.detail.id)).size).toBe(2);
  });

  it('fails the record when EventBridge refuses its entry; the retry publishes it without duplicating the history', async () => {
    const bus = newBus();
    const { bucket, records } = await changedBucket();
    const [first, second] = records;

    // The second entry is refused (FailedEntryCount 1, Entries[0].ErrorCode): the first was published.
    const firstResult = await processBatch([first as BucketStreamRecord], bus);
    expect(firstResult).toEqual({ batchItemFailures: [] });
    eventBridge.refuseEntries(1, 'InternalFailure');
    const refused = await processBatch([second as BucketStreamRecord], bus);
    expect(refused).toEqual({ batchItemFailures: [{ itemIdentifier: second?.dynamodb?.SequenceNumber }] });
    expect(onBus(bus)).toHaveLength(1);
    // Its entry is written before the publish; the retry must not write it again.
    expect(await historyOf(bucket)).toHaveLength(2);

    // Lambda retries from the failed record on: now accepted.
    expect(await processBatch([second as BucketStreamRecord], bus)).toEqual({ batchItemFailures: [] });
    expect(await historyOf(bucket)).toHaveLength(2);
    const delivered = onBus(bus);
    expect(delivered.map((event) => event.detail.operation)).toEqual(['CreateBucket', 'PutBucketEncryption']);

    // A redelivery of the whole batch (at least once): the history holds one entry per change, and the
    // events published again carry the same detail.id, so a subscriber deduplicates them.
    expect(await processBatch(records, bus)).toEqual({ batchItemFailures: [] });
    expect(await historyOf(bucket)).toHaveLength(2);
    const again = onBus(bus);
    expect(again).toHaveLength(4);
    expect(again.slice(2).map((event) => event.detail.id)).toEqual(delivered.map((event) => event.detail.id));
    expect(new Set(again.map((event) => event.id)).size).toBe(4); // EventBridge's own ids differ
  });

  it('fails the record, and publishes nothing after it, when the bus does not exist', async () => {
    const { records } = await changedBucket();
    const before = eventBridge.delivered.length;
    const result = await processBatch(records, 'no-such-bus');
    // The first record fails; the batch stops there so order per bucket holds.
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }] });
    expect(eventBridge.delivered.length).toBe(before);
  });

  it('fails the record when the PutEvents call itself fails past the SDK’s retries (throttled)', async () => {
    const bus = newBus();
    const { records } = await changedBucket();
    const callsBefore = eventBridge.calls.length;
    // More failures than the SDK's standard retry mode attempts (3).
    eventBridge.failCalls(5, { status: 400, type: 'ThrottlingException' });
    const result = await processBatch(records, bus);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }] });
    expect(eventBridge.calls.length - callsBefore).toBe(3);
    expect(onBus(bus)).toEqual([]);
    eventBridge.failCalls(0);
    expect(await processBatch(records, bus)).toEqual({ batchItemFailures: [] });
    expect(onBus(bus).map((event) => event.detail.operation)).toEqual([
      'CreateBucket',
      'PutBucketEncryption',
    ]);
  });

  it('rides over a transient 500 with the SDK’s own retry: the record succeeds, one event', async () => {
    const bus = newBus();
    const { records } = await changedBucket();
    const callsBefore = eventBridge.calls.length;
    eventBridge.failCalls(1, { status: 500, type: 'InternalException' });
    expect(await processBatch(records, bus)).toEqual({ batchItemFailures: [] });
    expect(eventBridge.calls.length - callsBefore).toBe(3); // the failed call, its retry, the second entry
    expect(onBus(bus).map((event) => event.detail.operation)).toEqual([
      'CreateBucket',
      'PutBucketEncryption',
    ]);
  });
});
