// The local stand-in for the stream Lambda's event source mapping: reads DynamoDB Local's stream of
// the table (the Streams API: DescribeStream, GetShardIterator, GetRecords) and hands each batch to
// the same core the deployed Lambda runs (lib/history/recorder.ts), with the same contract: on a
// reported failure, the batch is read again from the failed record, so nothing is skipped and order
// per bucket holds. `npm start` runs it, so a change made with the AWS CLI is in
// `npm run admin -- history` a moment later; the history tests run it against the real stream.
import {
  DescribeTableCommand,
  type StreamSpecification,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { BucketStreamRecord } from '../lib/history/entry.ts';
import { type Recorder, recordHistory } from '../lib/history/recorder.ts';
import { createHistoryStore } from '../lib/storage/history.ts';
import tableDefinition from '../lib/storage/table.json' with { type: 'json' };
import { LOCAL_REGION, localDynamoClient, type Stoppable } from './local-stack.ts';

export interface HistoryStreamOptions {
  endpoint: string;
  tableName: string;
  /** Pause between polls of an idle stream. */
  intervalMs?: number;
  /** Replaces parts of the recorder (tests inject faults into its store). */
  recorder?: Partial<Recorder>;
  /** Told about each failed batch (it is retried). */
  onError?: (error: unknown) => void;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The stream as the Lambda event carries it: ApproximateCreationDateTime in epoch seconds. */
export const asEventRecord = (record: StreamRecord): BucketStreamRecord => ({
  eventID: record.eventID,
  eventName: record.eventName,
  dynamodb: {
    ...(record.dynamodb as BucketStreamRecord['dynamodb']),
    ApproximateCreationDateTime: (record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) / 1000,
  },
});

/** Turns on the table's stream and TTL as lib/storage/table.json says (a table from before they existed). */
async function enableStream(endpoint: string, tableName: string): Promise<string> {
  const client = localDynamoClient(endpoint);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    let streamArn = Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
    if (!streamArn) {
      const updated = await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          StreamSpecification: tableDefinition.StreamSpecification as StreamSpecification,
        }),
      );
      streamArn = updated.TableDescription?.LatestStreamArn;
    }
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: tableDefinition.TimeToLiveSpecification,
        }),
      )
      .catch(() => {}); // already enabled
    if (!streamArn) throw new Error(`table ${tableName} has no stream`);
    return streamArn;
  } finally {
    client.destroy();
  }
}

/** Starts processing the table's stream from its oldest record; stop() waits for the current batch. */
export async function startHistoryStream(options: HistoryStreamOptions): Promise<Stoppable> {
  const streamArn = await enableStream(options.endpoint, options.tableName);
  const dynamo = localDynamoClient(options.endpoint);
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  const recorder: Recorder = {
    history: createHistoryStore(dynamo, options.tableName),
    retentionDays: Number(process.env.HISTORY_RETENTION_DAYS) || 400,
    ...options.recorder,
  };
  // Per shard: where to go on (the last record handled), and whether it is closed and drained.
  const checkpoints = new Map<string, { after?: string | undefined; closed?: boolean }>();
  let running = true;

  async function drainShard(shardId: string): Promise<void> {
    const checkpoint = checkpoints.get(shardId) ?? {};
    checkpoints.set(shardId, checkpoint);
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(checkpoint.after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint.after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    while (iterator && running) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const records = (page.Records ?? []).map(asEventRecord);
      const { batchItemFailures } = await recordHistory(records, recorder);
      const failed = batchItemFailures[0]?.itemIdentifier;
      if (failed !== undefined) {
        // As Lambda does with ReportBatchItemFailures: the next batch starts at the failed record.
        const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === failed);
        checkpoint.after = index > 0 ? records[index - 1]?.dynamodb?.SequenceNumber : checkpoint.after;
        throw new Error(`history: record ${failed} failed; retrying from it`);
      }
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) checkpoint.after = last;
      if (!page.NextShardIterator) checkpoint.closed = true;
      if (records.length === 0) return;
      iterator = page.NextShardIterator;
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of StreamDescription?.Shards ?? []) {
          if (!shard.ShardId || checkpoints.get(shard.ShardId)?.closed) continue;
          await drainShard(shard.ShardId);
        }
        await sleep(options.intervalMs ?? 200);
      } catch (error) {
        options.onError?.(error);
        await sleep(500);
      }
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      streams.destroy();
      dynamo.destroy();
    },
  };
}
