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
  /** Buckets whose changes are read and not recorded (`npm start`'s warm-up: scripts/warm-up.ts). */
  ignoreBucket?: (bucket: string) => boolean;
}

/** The bucket a stream record changes (`BUCKET#<name>`), if any. */
const bucketOf = (record: BucketStreamRecord) => {
  const pk = record.dynamodb?.Keys?.pk?.S;
  return pk?.startsWith('BUCKET#') ? pk.slice('BUCKET#'.length) : undefined;
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Records read per GetRecords (its maximum is 1000). */
const PAGE = 100;

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
export interface HistoryStream extends Stoppable {
  /**
   * Resolves once a pass over every shard, begun after this call, found no backlog (what was written
   * before the call has been read), or after `maxMs`, whichever comes first.
   */
  caughtUp(maxMs: number): Promise<void>;
}

export async function startHistoryStream(options: HistoryStreamOptions): Promise<HistoryStream> {
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
  // Per shard: its parent, the iterator to read on with, the last record handled, whether it closed.
  const shards = new Map<
    string,
    {
      parent?: string | undefined;
      iterator?: string | undefined;
      after?: string | undefined;
      closed: boolean;
    }
  >();
  let describedAt = 0;
  let shardClosed = false;
  let running = true;

  async function describeShards(): Promise<void> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (shard.ShardId && !shards.has(shard.ShardId))
        shards.set(shard.ShardId, { parent: shard.ParentShardId, closed: false });
    }
    describedAt = Date.now();
  }

  /** Reads one page of a shard and records it; the number of records read. */
  async function pollShard(shardId: string): Promise<number> {
    const shard = shards.get(shardId) ?? { closed: false };
    shard.iterator ??= (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ...(shard.after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      )
    ).ShardIterator;
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: PAGE }));
    const records = (page.Records ?? []).map(asEventRecord);
    const ignore = options.ignoreBucket;
    const recorded = ignore
      ? records.filter((record) => {
          const bucket = bucketOf(record);
          return bucket === undefined || !ignore(bucket);
        })
      : records;
    const { batchItemFailures } = await recordHistory(recorded, recorder);
    const failed = batchItemFailures[0]?.itemIdentifier;
    if (failed !== undefined) {
      // As Lambda does with ReportBatchItemFailures: the next batch starts at the failed record.
      const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === failed);
      if (index > 0) shard.after = records[index - 1]?.dynamodb?.SequenceNumber;
      shard.iterator = undefined;
      throw new Error(`history: stream record ${failed} failed; retrying from it`);
    }
    shard.after = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.after;
    shard.iterator = page.NextShardIterator;
    if (!shard.iterator) shard.closed = shardClosed = true;
    return records.length;
  }

  let waiters: { since: number; resolve: () => void }[] = [];
  const loop = (async () => {
    while (running) {
      try {
        // New shards appear when one closes (and from time to time): look again then, and every few seconds.
        if (Date.now() - describedAt > 5_000 || shardClosed) {
          shardClosed = false;
          await describeShards();
        }
        const polledAt = Date.now();
        let backlog = false;
        for (const [id, shard] of shards) {
          // A shard's records follow its parent's: read it once the parent is drained.
          if (shard.closed || (shard.parent && shards.get(shard.parent)?.closed === false)) continue;
          if ((await pollShard(id)) === PAGE) backlog = true;
        }
        // Each shard polled at most every interval, as Lambda polls a stream (4 times a second), not
        // again as soon as a page came back: under a steady stream of writes that cost DynamoDB Local
        // a GetRecords per write, on top of the write and its history entry. A full page is a
        // backlog: read on at once.
        if (!backlog) {
          for (const waiter of waiters) if (waiter.since <= polledAt) waiter.resolve();
          waiters = waiters.filter((waiter) => waiter.since > polledAt);
          await sleep(Math.max(0, (options.intervalMs ?? 250) - (Date.now() - polledAt)));
        }
      } catch (error) {
        for (const shard of shards.values()) shard.iterator = undefined; // expired, or read again from `after`
        options.onError?.(error);
        await sleep(500);
      }
    }
  })();

  return {
    caughtUp(maxMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, maxMs);
        waiters.push({
          since: Date.now(),
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async stop() {
      running = false;
      for (const waiter of waiters) waiter.resolve();
      waiters = [];
      await loop;
      streams.destroy();
      dynamo.destroy();
    },
  };
}
