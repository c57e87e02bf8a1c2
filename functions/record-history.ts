// DynamoDB stream → audit history — https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
// One entry per change of a bucket (docs/history.md) and, with the `eventBus` param, one EventBridge
// event. Not an S3 operation: no gateway route, no middy stack; `async (event, context)` as Node 24 requires.
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { config } from '../lib/config.ts';
import type { BucketStreamRecord } from '../lib/history/entry.ts';
import { eventBridgePublisher } from '../lib/history/events.ts';
import { type Recorder, recordHistory } from '../lib/history/recorder.ts';
import { logger } from '../lib/log.ts';
import { createHistoryStore } from '../lib/storage/history.ts';
import { storage } from '../lib/storage/index.ts';

let recorder: Recorder | undefined;

function containerRecorder(): Recorder {
  if (!recorder) {
    const settings = config();
    recorder = {
      history: createHistoryStore(storage().client, settings.tableName),
      retentionDays: settings.historyRetentionDays,
      publish: settings.eventBusName ? eventBridgePublisher(settings.eventBusName) : undefined,
    };
  }
  return recorder;
}

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
  logger.addContext(context);
  // The Lambda event's attribute values are the DynamoDB JSON the SDK's types describe.
  return recordHistory(event.Records as unknown as BucketStreamRecord[], containerRecorder());
};
