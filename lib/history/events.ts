// Change events: each history entry published to an EventBridge bus, for a data plane or a SIEM to
// subscribe to (docs/history.md). Delivery is at least once — a redelivered stream record publishes
// again — so subscribers deduplicate on `detail.id`, which names the entry.
//
// The EventBridge client is imported on the first publish, not at cold start: a stack without an
// event bus never loads it, and with code splitting it is a chunk of its own (as the KMS client is).
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { HistoryEntry } from '../storage/history.ts';

export const EVENT_SOURCE = 'bucket-encryption-api';
export const EVENT_DETAIL_TYPE = 'Bucket Configuration Changed';

export type Publish = (entry: HistoryEntry) => Promise<void>;

/** The event's detail: the entry, with a stable id (the same change always has the same id). */
export const eventDetail = (entry: HistoryEntry) => ({
  id: `${entry.bucket}/${entry.generation}/${entry.bucketOwner}/${entry.version}`,
  ...entry,
});

type EventBridgeModule = typeof import('@aws-sdk/client-eventbridge');
let eventBridgeModule: Promise<EventBridgeModule> | undefined;

/** Publishes through `client`, or through a client of its own made on the first publish. */
export function eventBridgePublisher(eventBusName: string, client?: EventBridgeClient): Publish {
  let own: EventBridgeClient | undefined;
  return async (entry) => {
    eventBridgeModule ??= import('@aws-sdk/client-eventbridge');
    const { EventBridgeClient, PutEventsCommand } = await eventBridgeModule;
    own ??= client ?? new EventBridgeClient({});
    const { FailedEntryCount, Entries } = await own.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: eventBusName,
            Source: EVENT_SOURCE,
            DetailType: EVENT_DETAIL_TYPE,
            Resources: [`arn:aws:s3:::${entry.bucket}`],
            Time: new Date(entry.time),
            Detail: JSON.stringify(eventDetail(entry)),
          },
        ],
      }),
    );
    // PutEvents answers 200 with per-entry failures: a failed entry must fail the record (and be retried).
    if (FailedEntryCount) {
      const failure = Entries?.[0];
      throw new Error(`EventBridge refused the event: ${failure?.ErrorCode} ${failure?.ErrorMessage}`);
    }
  };
}
