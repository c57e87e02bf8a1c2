// The packaged stream Lambda (history.zip, functions/record-history.handler) served as Lambda serves
// it: under AWS's runtime interface client on Node 24, its environment from the packaged template.
// The changes are real — signed S3 requests through the packaged bucket Lambda, written to DynamoDB
// Local — and so are the records: read from DynamoDB Local's stream of the table and delivered as
// Lambda's DynamoDB Streams event ("Using AWS Lambda with Amazon DynamoDB", example event:
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html — each record is the stream record's
// `eventID`, `eventName`, `eventVersion`, `dynamodb` (ApproximateCreationDateTime in epoch seconds),
// plus `eventSource: "aws:dynamodb"`, `awsRegion` and `eventSourceARN`, the stream's ARN). The entries
// are read back with the history store. Change events go to an in-test EventBridge endpoint.
// RUNTIME_OUTPUT=1 prints each invocation's response and the runtime's output.
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../lib/history/events.ts';
import { createHistoryStore, type HistoryEntry } from '../../lib/storage/history.ts';
import { localDynamoClient } from '../../scripts/local-stack.ts';
import { type EventBridgeEndpoint, startEventBridgeEndpoint } from '../helpers/eventbridge-endpoint.ts';
import { gatewayEvent } from '../helpers/gateway-event.ts';
import { readStream } from '../helpers/stream-records.ts';
import { ALICE, ENCRYPTION_XML, md5Base64, signV4 } from '../unit/auth/helpers.ts';
import { DOMAIN, REGION } from './global-setup.ts';
import { type FunctionSpec, LambdaProcess } from './lambda.ts';
import { seedAlice } from './seed.ts';

const { functions, dynamodbEndpoint, kmsEndpoint, kmsKeyArn, tableName } = inject('runtime');
const ENDPOINTS = { AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint, AWS_ENDPOINT_URL_KMS: kmsEndpoint };
const BUS = 'audit-bus';

const spec = (name: string): FunctionSpec => {
  const found = functions.aws.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no packaged ${name} function`);
  return found;
};

let eventBridge: EventBridgeEndpoint;
let bucketLambda: LambdaProcess;
/** The history function as packaged (no eventBus param: publishes nothing). */
let history: LambdaProcess;
/** The same package deployed with `--param eventBus=audit-bus`. */
let publishing: LambdaProcess;
const started: LambdaProcess[] = [];

beforeAll(async () => {
  Object.assign(process.env, ENDPOINTS, { AWS_ACCESS_KEY_ID: 'AKIDSEED', AWS_SECRET_ACCESS_KEY: 'seed' });
  eventBridge = await startEventBridgeEndpoint(REGION);
  eventBridge.addBus(BUS);
  await seedAlice(dynamodbEndpoint, tableName, kmsKeyArn);
  [bucketLambda, history, publishing] = await Promise.all([
    LambdaProcess.start(spec('bucket'), REGION, ENDPOINTS),
    LambdaProcess.start(spec('history'), REGION, ENDPOINTS),
    LambdaProcess.start(spec('history'), REGION, {
      ...ENDPOINTS,
      EVENT_BUS_NAME: BUS,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
    }),
  ]);
  started.push(bucketLambda, history, publishing);
});

afterAll(async () => {
  await Promise.all(started.map((lambda) => lambda.stop()));
  await eventBridge?.stop();
});

let counter = 0;
const bucketName = () => `hist-${process.pid}-${Date.now().toString(36)}-${counter++}`;

/** A signed AWS CLI-shaped request to the packaged bucket function; its request id. */
async function change(method: string, bucket: string, query: Record<string, string>, body?: string) {
  const wire = await signV4({
    method,
    host: DOMAIN,
    path: `/${bucket}`,
    query,
    signingDate: new Date(),
    ...(body !== undefined ? { body, headers: { 'content-md5': md5Base64(body) } } : {}),
  });
  const { outcome, output } = await bucketLambda.invoke(gatewayEvent(wire));
  if (outcome.kind === 'error') throw new Error(`${outcome.errorType}: ${outcome.errorMessage}\n${output}`);
  const answer = outcome.payload as { statusCode: number; headers: Record<string, string>; body: string };
  expect(answer.statusCode, `${method} ${bucket} ${JSON.stringify(query)}: ${answer.body}`).toBeLessThan(300);
  return answer.headers['x-amz-request-id'];
}

/** Lambda's DynamoDB Streams event for these records of the table's stream. */
function streamEvent(streamArn: string, records: StreamRecord[]) {
  return {
    Records: records.map((record) => {
      expect(record.eventSource).toBe('aws:dynamodb');
      const { ApproximateCreationDateTime, ...change } = record.dynamodb ?? {};
      return {
        eventID: record.eventID,
        eventName: record.eventName,
        eventVersion: record.eventVersion,
        eventSource: 'aws:dynamodb',
        awsRegion: REGION,
        dynamodb: {
          ...(ApproximateCreationDateTime
            ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }
            : {}),
          ...change,
        },
        eventSourceARN: streamArn,
      };
    }),
  };
}

/** The bucket's records on the stream, once the stream holds `count` of them. */
async function recordsOf(bucket: string, count: number) {
  for (let attempt = 0; ; attempt++) {
    const stream = await readStream(bucket, { endpoint: dynamodbEndpoint, tableName });
    if (stream.records.length >= count || attempt > 50) {
      expect(stream.records).toHaveLength(count);
      return stream;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Delivers the event to a runtime; an init or invocation error fails with the runtime's own message. */
async function deliver(lambda: LambdaProcess, event: unknown) {
  const { outcome, output } = await lambda.invoke(event);
  if (outcome.kind === 'error') {
    throw new Error(`the history runtime reported ${outcome.errorType}: ${outcome.errorMessage}\n${output}`);
  }
  if (process.env.RUNTIME_OUTPUT) {
    console.info(`--- history invocation → ${JSON.stringify(outcome.payload)}\n${output}`);
  }
  return { response: outcome.payload, output };
}

/** The Embedded Metric Format lines in a runtime's output (one JSON object per line with `_aws`). */
function emfLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
}

async function historyOf(bucket: string): Promise<HistoryEntry[]> {
  const client = localDynamoClient(dynamodbEndpoint);
  try {
    return (await createHistoryStore(client, tableName).listHistory(bucket)).entries;
  } finally {
    client.destroy();
  }
}

describe('the packaged history function under the runtime interface client', () => {
  it('records each change of a real batch of stream records; a redelivery writes nothing new', async () => {
    const bucket = bucketName();
    const requestIds = [
      await change('PUT', bucket, {}),
      await change('PUT', bucket, { encryption: '' }, ENCRYPTION_XML),
      await change('DELETE', bucket, { encryption: '' }),
      await change('DELETE', bucket, {}),
    ];
    const { streamArn, records } = await recordsOf(bucket, 4);
    const event = streamEvent(streamArn, records);

    const first = await deliver(history, event);
    expect(first.response).toEqual({ batchItemFailures: [] });
    expect(first.output).not.toContain('"level":"ERROR"');
    const entries = await historyOf(bucket);
    expect(
      entries.map((entry) => [entry.operation, entry.requestId, entry.accountId, entry.accessKeyId]),
    ).toEqual(
      [
        ['CreateBucket', requestIds[0], ALICE.accountId, ALICE.accessKeyId],
        ['PutBucketEncryption', requestIds[1], ALICE.accountId, ALICE.accessKeyId],
        ['DeleteBucketEncryption', requestIds[2], ALICE.accountId, ALICE.accessKeyId],
        ['DeleteBucket', requestIds[3], ALICE.accountId, ALICE.accessKeyId],
      ].reverse(), // newest first
    );
    expect(entries[2]?.after).toEqual({ SSEAlgorithm: 'AES256', BucketKeyEnabled: false });
    expect(entries[1]?.before).toEqual({ SSEAlgorithm: 'AES256', BucketKeyEnabled: false });

    // Lambda redelivers a batch it could not confirm: the same records, the same entries.
    const again = await deliver(history, event);
    expect(again.response).toEqual({ batchItemFailures: [] });
    expect(await historyOf(bucket)).toEqual(entries);
    // Without the eventBus param nothing is published.
    expect(
      eventBridge.delivered.filter((published) => published.resources[0] === `arn:aws:s3:::${bucket}`),
    ).toEqual([]);
  });

  it('with EVENT_BUS_NAME, reports the refused record in batchItemFailures and records it once on the retry', async () => {
    const bucket = bucketName();
    await change('PUT', bucket, {});
    await change('PUT', bucket, { encryption: '' }, ENCRYPTION_XML);
    const { streamArn, records } = await recordsOf(bucket, 2);
    const event = streamEvent(streamArn, records);
    const published = () =>
      eventBridge.delivered.filter((delivered) => delivered.resources[0] === `arn:aws:s3:::${bucket}`);

    // EventBridge refuses the second entry: the function reports that record, by its sequence number.
    eventBridge.refuseEntries(
      1,
      'InternalFailure',
      (refused) => refused.detail.bucket === bucket && refused.detail.operation === 'PutBucketEncryption',
    );
    const fault = await deliver(publishing, event);
    expect(fault.response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
    expect(fault.output).toMatch(
      /"level":"ERROR","message":"history record failed; retried from this record"/,
    );
    expect(fault.output).toContain('InternalFailure');
    expect(published().map((delivered) => delivered.detail.operation)).toEqual(['CreateBucket']);

    // Lambda retries from the reported record on: published now, and no entry is written twice.
    const retry = await deliver(publishing, streamEvent(streamArn, records.slice(1)));
    expect(retry.response).toEqual({ batchItemFailures: [] });
    const entries = await historyOf(bucket);
    expect(entries.map((entry) => entry.operation)).toEqual(['PutBucketEncryption', 'CreateBucket']);
    expect(
      published().map((delivered) => [
        delivered.source,
        delivered['detail-type'],
        delivered.detail.operation,
      ]),
    ).toEqual([
      [EVENT_SOURCE, EVENT_DETAIL_TYPE, 'CreateBucket'],
      [EVENT_SOURCE, EVENT_DETAIL_TYPE, 'PutBucketEncryption'],
    ]);
  });

  it('reports a poison record on every attempt, records what comes before and after it, and counts it in its EMF line', async () => {
    const bucket = bucketName();
    await change('PUT', bucket, {});
    await change('PUT', bucket, { encryption: '' }, ENCRYPTION_XML);
    await change('DELETE', bucket, { encryption: '' });
    const { streamArn, records } = await recordsOf(bucket, 3);
    const poison = records[1]?.dynamodb?.SequenceNumber;
    // The consumer throws for this record every time: EventBridge refuses its event, always.
    eventBridge.refuseEntries(
      1_000,
      'ValidationException',
      (refused) => refused.detail.bucket === bucket && refused.detail.operation === 'PutBucketEncryption',
    );
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        // Lambda retries from the reported record (and, bisecting, with fewer records each time).
        const batch = attempt === 0 ? records : records.slice(1, attempt === 1 ? 3 : 2);
        const { response, output } = await deliver(publishing, streamEvent(streamArn, batch));
        expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison }] });
        const metrics = emfLines(output);
        expect(metrics).toHaveLength(1);
        // The first attempt writes CreateBucket's entry and the poison's own (its publish is what
        // fails); a retry finds the poison's entry there and writes nothing.
        expect(metrics[0]).toMatchObject({
          service: 'bucket-encryption-api-prod',
          HistoryEntriesWritten: attempt === 0 ? 2 : 0,
          HistoryEntriesFailed: 1,
          HistoryRecordsDeferred: 0,
        });
        // The error line's stack names the source file, mapped from the bundle on this first error.
        expect(output).toMatch(/"level":"ERROR","message":"history record failed; retried from this record"/);
        expect(output).toContain('ValidationException');
        expect(output).toMatch(/lib\/history\/events\.ts:\d+:\d+/);
      }
      // Retries exhausted, Lambda sends the poison's place to the on-failure queue and moves on: the
      // next batch starts after it, and is recorded.
      const after = await deliver(publishing, streamEvent(streamArn, records.slice(2)));
      expect(after.response).toEqual({ batchItemFailures: [] });
      expect((await historyOf(bucket)).map((entry) => [entry.operation, entry.version])).toEqual([
        ['DeleteBucketEncryption', 3],
        ['PutBucketEncryption', 2],
        ['CreateBucket', 1],
      ]);
      // Its event was never published: the on-failure queue's message is what a replay republishes.
      expect(
        eventBridge.delivered
          .filter((delivered) => delivered.resources[0] === `arn:aws:s3:::${bucket}`)
          .map((delivered) => delivered.detail.operation),
      ).toEqual(['CreateBucket', 'DeleteBucketEncryption']);
    } finally {
      eventBridge.refuseEntries(0);
    }
  });

  it('hands the batch back unstarted when no record’s worst case fits before its deadline, and records it with time', async () => {
    const bucket = bucketName();
    await change('PUT', bucket, {});
    await change('PUT', bucket, { encryption: '' }, ENCRYPTION_XML);
    const { streamArn, records } = await recordsOf(bucket, 2);
    // 3 s: less than one record's worst case (3 DynamoDB attempts of 1 s) plus the 0.5 s margin.
    const hurried = await LambdaProcess.start({ ...spec('history'), timeoutSeconds: 3 }, REGION, ENDPOINTS);
    started.push(hurried);
    const { response, output } = await deliver(hurried, streamEvent(streamArn, records));
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }],
    });
    expect(output).toMatch(/"level":"WARN","message":"history batch handed back before the deadline/);
    expect(emfLines(output).find((line) => line.HistoryRecordsDeferred !== undefined)).toMatchObject({
      HistoryEntriesWritten: 0,
      HistoryEntriesFailed: 0,
      HistoryRecordsDeferred: 2,
    });
    expect(await historyOf(bucket)).toEqual([]);
    // Lambda retries from the reported record; with its full 30 s the function records both.
    expect((await deliver(history, streamEvent(streamArn, records))).response).toEqual({
      batchItemFailures: [],
    });
    expect((await historyOf(bucket)).map((entry) => entry.operation)).toEqual([
      'PutBucketEncryption',
      'CreateBucket',
    ]);
  });

  it('writes a ColdStart metric on its first invocation only', async () => {
    const fresh = await LambdaProcess.start(spec('history'), REGION, ENDPOINTS);
    started.push(fresh);
    const first = emfLines((await deliver(fresh, { Records: [] })).output);
    const second = emfLines((await deliver(fresh, { Records: [] })).output);
    expect(first.map((line) => line.ColdStart)).toContain(1);
    expect(first.find((line) => line.ColdStart === 1)).toMatchObject({
      function_name: 'bucket-encryption-api-prod-history',
      service: 'bucket-encryption-api-prod',
    });
    expect(second.map((line) => line.ColdStart)).not.toContain(1);
  });

  it('fails an invocation it cannot read with the runtime’s error, and the next one still works', async () => {
    const broken = await history.invoke({ Records: null });
    expect(broken.outcome).toMatchObject({ kind: 'error', errorType: 'TypeError' });
    expect(broken.outcome.kind === 'error' && broken.outcome.errorMessage).toMatch(/not iterable/);
    expect(broken.output).toMatch(/ERROR/);
    expect((await deliver(history, { Records: [] })).response).toEqual({ batchItemFailures: [] });
  });

  it('fails every invocation with ConfigError’s message when its environment has no table', async () => {
    const { TABLE_NAME: _table, ...environment } = spec('history').environment;
    const lambda = await LambdaProcess.start({ ...spec('history'), environment }, REGION, ENDPOINTS);
    started.push(lambda);
    const { outcome } = await lambda.invoke({ Records: [] });
    expect(outcome).toMatchObject({ kind: 'error', errorType: 'ConfigError' });
    expect(outcome.kind === 'error' && outcome.errorMessage).toMatch(/TABLE_NAME must be set/);
  });

  it('is refused at init (Runtime.HandlerNotFound) when the handler is not what the package exports', async () => {
    const lambda = await LambdaProcess.start(
      { ...spec('history'), handler: 'functions/record-history.recordHistory' },
      REGION,
      ENDPOINTS,
    );
    started.push(lambda);
    const failure = await lambda.invoke({ Records: [] }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(lambda.initError?.errorType).toBe('Runtime.HandlerNotFound');
    expect(failure?.message).toMatch(/Runtime\.HandlerNotFound/);
  });
});
