// DynamoDB stream → audit history — https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
// One entry per change of a bucket (docs/history.md) and, with the `eventBus` param, one EventBridge
// event. Not an S3 operation: no gateway route, no middy stack; `async (event, context)` as Node 24 requires.
// It hands back what it could not finish before its deadline (lib/history/recorder.ts) and writes one
// EMF line per batch: entries written, records failed and deferred (lib/metrics.ts).
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { config } from '../lib/config.ts';
import type { BucketStreamRecord } from '../lib/history/entry.ts';
import { eventBridgePublisher, PUBLISH_BUDGET_MS } from '../lib/history/events.ts';
import { type Recorder, recordHistory } from '../lib/history/recorder.ts';
import { logger } from '../lib/log.ts';
import { containerMetrics } from '../lib/metrics.ts';
import { enterDeadline } from '../lib/request.ts';
import { createDynamoClient } from '../lib/storage/client.ts';
import { createHistoryWriter } from '../lib/storage/history.ts';
import { startTrace } from '../lib/tracing.ts';

/** Time kept back from the Lambda's remaining time to answer (and write the log and metric lines). */
const RESPONSE_MARGIN_MS = 500;

let recorder: (Recorder & { client: object }) | undefined;

function containerRecorder(): Recorder & { client: object } {
  if (!recorder) {
    const settings = config();
    // A client of its own, not the routes' storage(): this bundle then holds the history's one
    // write (PutItem) and no other DynamoDB command (its role allows PutItem only).
    const client = createDynamoClient(settings);
    const publishes = settings.eventBusName !== undefined;
    recorder = {
      client,
      history: createHistoryWriter(client, settings.tableName),
      retentionDays: settings.historyRetentionDays,
      publish: settings.eventBusName ? eventBridgePublisher(settings.eventBusName) : undefined,
      // A put: every attempt its full timeout, plus backoff; a publish the same.
      recordBudgetMs:
        settings.dynamodbMaxAttempts * settings.dynamodbRequestTimeoutMs +
        250 +
        (publishes ? PUBLISH_BUDGET_MS : 0),
    };
  }
  return recorder;
}

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
  // Its own async context, so the deadline entered below stays with this invocation.
  await undefined;
  logger.addContext(context);
  // Powertools Metrics is imported by the first batch while it runs (lib/metrics.ts); the ColdStart line
  // is written as soon as it is there, the batch's line at the end.
  const metrics = containerMetrics();
  void metrics
    .then((emitter) => emitter?.recordColdStart(context.functionName))
    .catch((error: unknown) => logger.error('ColdStart metric not written', { error }));
  let counts: { written: number; failed: number; deferred: number } | undefined;
  const current = containerRecorder();
  const deadline =
    typeof context.getRemainingTimeInMillis === 'function'
      ? Date.now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS
      : undefined;
  // The DynamoDB client starts no attempt that could end after it (lib/storage/client.ts).
  enterDeadline(deadline);
  const trace = await startTrace('history', () => [current.client]);
  try {
    // The Lambda event's attribute values are the DynamoDB JSON the SDK's types describe.
    const { batchItemFailures, ...batch } = await recordHistory(
      event.Records as unknown as BucketStreamRecord[],
      current,
      deadline,
    );
    counts = batch;
    return { batchItemFailures };
  } finally {
    const emitter = await metrics;
    if (counts) emitter?.recordHistoryBatch(counts);
    emitter?.publish();
    trace?.end();
  }
};
