// The stream processor's core: a batch of DynamoDB stream records → history entries (and, with a bus,
// change events), in order. Idempotent: an entry's key is its change's place in its bucket's history
// (lib/storage/history.ts), so a redelivered record writes nothing new. On a failure it stops and
// reports the failed record (Lambda's ReportBatchItemFailures): Lambda retries from that record on,
// so the order per bucket holds and nothing after a failure is skipped.
import { logger } from '../log.ts';
import type { HistoryStore } from '../storage/history.ts';
import { type BucketStreamRecord, historyEntryOf } from './entry.ts';
import type { Publish } from './events.ts';

export interface Recorder {
  history: HistoryStore;
  retentionDays: number;
  /** Publishes each entry (EventBridge); none when no bus is configured. */
  publish?: Publish | undefined;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

const DAY_SECONDS = 86_400;

export async function recordHistory(
  records: readonly BucketStreamRecord[],
  recorder: Recorder,
): Promise<BatchResponse> {
  for (const record of records) {
    try {
      const entry = historyEntryOf(record);
      if (!entry) continue;
      const expiresAt = Math.floor(Date.parse(entry.time) / 1000) + recorder.retentionDays * DAY_SECONDS;
      await recorder.history.putEntry(entry, expiresAt);
      await recorder.publish?.(entry);
    } catch (error) {
      logger.error('history record failed; retried from this record', {
        eventID: record.eventID,
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
