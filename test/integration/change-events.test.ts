// Change events: the stream processor publishes each history entry to an EventBridge bus. Against
// moto's EventBridge (moto_server), with a rule on the bus delivering to an SQS queue, so what a
// subscriber receives is read back. The records are the table stream's own (DynamoDB Local).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, eventBridgePublisher } from '../../lib/history/events.ts';
import { recordHistory } from '../../lib/history/recorder.ts';
import { createHistoryStore } from '../../lib/storage/history.ts';
import { freePort, localDynamoClient } from '../../scripts/local-stack.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import { send } from '../helpers/invoke.ts';
import { md5 } from '../helpers/signed-event.ts';
import { streamRecordsOf } from '../helpers/stream-records.ts';

const awsSettings = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

let moto: ChildProcess;
let endpoint: string;

beforeAll(async () => {
  const port = await freePort();
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (moto.exitCode !== null) throw new Error(`moto_server exited (${moto.exitCode})`);
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('moto_server did not start');
      await new Promise((done) => setTimeout(done, 200));
    }
  }
}, 90_000);

afterAll(async () => {
  if (moto && moto.exitCode === null) {
    const exited = once(moto, 'exit');
    moto.kill('SIGTERM');
    await exited;
  }
});

/** A bus whose every change event lands in a new queue: the bus name and the queue's URL. */
async function subscribedBus(events: EventBridgeClient, sqs: SQSClient) {
  const bus = `audit-${Date.now().toString(36)}`;
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${bus}-subscriber` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({
      Name: 'bucket-changes',
      EventBusName: bus,
      EventPattern: JSON.stringify({ source: [EVENT_SOURCE], 'detail-type': [EVENT_DETAIL_TYPE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'bucket-changes',
      EventBusName: bus,
      Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
    }),
  );
  return { bus, queueUrl: QueueUrl as string };
}

async function received(sqs: SQSClient, queueUrl: string, count: number) {
  const bodies: Array<{
    source: string;
    'detail-type': string;
    resources: string[];
    detail: Record<string, unknown>;
  }> = [];
  const deadline = Date.now() + 10_000;
  while (bodies.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    bodies.push(...Messages.map((message) => JSON.parse(message.Body ?? '{}')));
  }
  return bodies;
}

describe('change events (--param eventBus)', () => {
  it('publishes each entry to the bus with the documented source and detail-type, in order', async () => {
    const events = new EventBridgeClient(awsSettings(endpoint));
    const sqs = new SQSClient(awsSettings(endpoint));
    const { bus, queueUrl } = await subscribedBus(events, sqs);

    const bucket = uniqueBucket('events');
    const body =
      '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
    expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
    const put = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body,
      headers: { 'content-md5': md5(body) },
    });
    expect(put.statusCode).toBe(200);
    const records = await streamRecordsOf(bucket);
    expect(records).toHaveLength(2);

    const dynamo = localDynamoClient(inject('dynamodbEndpoint'));
    const result = await recordHistory(records, {
      history: createHistoryStore(dynamo, inject('tableName')),
      retentionDays: 400,
      publish: eventBridgePublisher(bus, events),
    });
    dynamo.destroy();
    expect(result).toEqual({ batchItemFailures: [] });

    const delivered = await received(sqs, queueUrl, 2);
    expect(delivered.map((event) => [event.source, event['detail-type'], event.resources])).toEqual([
      [EVENT_SOURCE, EVENT_DETAIL_TYPE, [`arn:aws:s3:::${bucket}`]],
      [EVENT_SOURCE, EVENT_DETAIL_TYPE, [`arn:aws:s3:::${bucket}`]],
    ]);
    expect(delivered.map((event) => event.detail)).toEqual([
      expect.objectContaining({ operation: 'CreateBucket', bucket, version: 1, id: expect.any(String) }),
      expect.objectContaining({
        operation: 'PutBucketEncryption',
        bucket,
        requestId: put.headers['x-amz-request-id'],
        after: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
      }),
    ]);
    events.destroy();
    sqs.destroy();
  });

  it('fails the record (to be retried) when EventBridge refuses the event', async () => {
    const events = new EventBridgeClient(awsSettings(endpoint));
    const bucket = uniqueBucket('events');
    expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
    const records = await streamRecordsOf(bucket);
    const dynamo = localDynamoClient(inject('dynamodbEndpoint'));
    const result = await recordHistory(records, {
      history: createHistoryStore(dynamo, inject('tableName')),
      retentionDays: 400,
      publish: eventBridgePublisher('no-such-bus', events),
    });
    dynamo.destroy();
    events.destroy();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }] });
  });
});
