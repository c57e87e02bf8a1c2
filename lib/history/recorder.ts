// The stream processor's core: a batch of DynamoDB stream records → history entries (and, with a bus,
// change events), in order. Idempotent: an entry's key is its change's place in its bucket's history
// (lib/storage/history.ts), so a redelivered record writes nothing new. On a failure it stops and
// reports the failed record (Lambda's ReportBatchItemFailures): Lambda retries from that record on,
// so the order per bucket holds and nothing after a failure is skipped. Before each record it checks
// the time left: a record that might not finish before the deadline is not started, and it and the
// rest are handed back the same way (retried from there), so a slow DynamoDB or EventBridge never
// makes the Lambda time out with nothing reported (docs/history.md "Failures").
import { logger } from '../log.ts';
import type { HistoryStore } from '../storage/history.ts';
import { type BucketStreamRecord, historyEntryOf } from './entry.ts';
import type { Publish } from './events.ts';

export interface Recorder {
  history: Pick<HistoryStore, 'putEntry'>;
  retentionDays: number;
  /** Publishes each entry (EventBridge); none when no bus is configured. */
  publish?: Publish | undefined;
  /** The longest one record can take (its put, and its publish): what must be left to start one. */
  recordBudgetMs?: number | undefined;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The batch's answer for Lambda, and what happened to its records (metrics). */
export interface BatchOutcome extends BatchResponse {
  /** Entries written (a redelivered record writes none). */
  written: number;
  /** Records that failed (0 or 1: the batch stops at the first). */
  failed: number;
  /** Records not started for lack of time, handed back to be retried. */
  deferred: number;
}

const DAY_SECONDS = 86_400;

/** `deadline`: epoch ms by which the batch's work must be over (undefined: no limit, the local poller). */
export async function recordHistory(
  records: readonly BucketStreamRecord[],
  recorder: Recorder,
  deadline?: number,
): Promise<BatchOutcome> {
  let written = 0;
  let index = 0;
  for (const record of records) {
    const position = index++;
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    if (deadline !== undefined && Date.now() + (recorder.recordBudgetMs ?? 0) > deadline) {
      const deferred = records.length - position;
      logger.warn('history batch handed back before the deadline; retried from this record', {
        sequenceNumber,
        deferred,
      });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }], written, failed: 0, deferred };
    }
    try {
      const entry = historyEntryOf(record);
      if (!entry) continue;
      // A `time` that does not parse (an operator's direct write) expires from now rather than failing
      // the record forever (DynamoDB refuses a NaN number).
      const at = Date.parse(entry.time);
      const expiresAt =
        Math.floor((Number.isFinite(at) ? at : Date.now()) / 1000) + recorder.retentionDays * DAY_SECONDS;
      if (await recorder.history.putEntry(entry, expiresAt)) written++;
      await recorder.publish?.(entry);
    } catch (error) {
      logger.error('history record failed; retried from this record', {
        eventID: record.eventID,
        sequenceNumber,
        error,
      });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }], written, failed: 1, deferred: 0 };
    }
  }
  return { batchItemFailures: [], written, failed: 0, deferred: 0 };
}
