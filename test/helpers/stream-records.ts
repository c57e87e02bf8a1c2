// A bucket's records as the table's DynamoDB stream holds them (the Streams API on DynamoDB Local):
// as GetRecords returns them (`readStream`, for building Lambda's own event) or in the Lambda event's
// shape the stream core reads (`streamRecordsOf`): what the stream Lambda would be given.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { inject } from 'vitest';
import type { BucketStreamRecord } from '../../lib/history/entry.ts';
import { asEventRecord } from '../../scripts/history-stream.ts';
import { LOCAL_REGION, localDynamoClient } from '../../scripts/local-stack.ts';

/** Which DynamoDB Local and table (the integration project's by default). */
export interface StreamLocation {
  endpoint: string;
  tableName: string;
}

const integrationTable = (): StreamLocation => ({
  endpoint: inject('dynamodbEndpoint'),
  tableName: inject('tableName'),
});

/**
 * The table's stream ARN and the bucket's records on it, oldest first, as GetRecords returns them,
 * with the shard of each (by sequence number).
 */
export async function readStream(
  bucket: string,
  location: StreamLocation = integrationTable(),
): Promise<{ streamArn: string; records: StreamRecord[]; shardOf: Map<string, string> }> {
  const dynamo = localDynamoClient(location.endpoint);
  const streams = new DynamoDBStreamsClient({
    endpoint: location.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: location.tableName }));
    const StreamArn = Table?.LatestStreamArn;
    if (!StreamArn) throw new Error(`table ${location.tableName} has no stream`);
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const records: StreamRecord[] = [];
    const shardOf = new Map<string, string>();
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (ShardIterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
        records.push(...(page.Records ?? []));
        for (const record of page.Records ?? [])
          shardOf.set(record.dynamodb?.SequenceNumber ?? '', shard.ShardId ?? '');
        if (!page.Records?.length) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return {
      streamArn: StreamArn,
      records: records.filter((record) => record.dynamodb?.Keys?.pk?.S === `BUCKET#${bucket}`),
      shardOf,
    };
  } finally {
    streams.destroy();
    dynamo.destroy();
  }
}

export async function streamRecordsOf(
  bucket: string,
  location: StreamLocation = integrationTable(),
): Promise<BucketStreamRecord[]> {
  return (await readStream(bucket, location)).records.map(asEventRecord);
}
