// A bucket's records as the table's DynamoDB stream holds them (the Streams API on DynamoDB Local),
// in the Lambda event's shape: what the stream Lambda would be given.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { inject } from 'vitest';
import type { BucketStreamRecord } from '../../lib/history/entry.ts';
import { asEventRecord } from '../../scripts/history-stream.ts';
import { LOCAL_REGION, localDynamoClient } from '../../scripts/local-stack.ts';

export async function streamRecordsOf(bucket: string): Promise<BucketStreamRecord[]> {
  const endpoint = inject('dynamodbEndpoint');
  const dynamo = localDynamoClient(endpoint);
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: inject('tableName') }));
    const StreamArn = Table?.LatestStreamArn;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const records: BucketStreamRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (ShardIterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
        records.push(...(page.Records ?? []).map(asEventRecord));
        if (!page.Records?.length) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return records.filter((record) => record.dynamodb?.Keys?.pk?.S === `BUCKET#${bucket}`);
  } finally {
    streams.destroy();
    dynamo.destroy();
  }
}
