// Change events: each history entry published to an EventBridge bus, for a data plane or a SIEM to
// subscribe to (docs/history.md). Delivery is at least once — a redelivered stream record publishes
// again — so subscribers deduplicate on `detail.id`, which names the entry.
//
// The EventBridge client is imported on the first publish, not at cold start: a stack without an
// event bus never loads it, and with code splitting it is a chunk of its own (as the KMS client is).
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { bucketArn } from '../bucket-name.ts';
import type { HistoryEntry } from '../storage/history.ts';

export const EVENT_SOURCE = 'bucket-encryption-api';
export const EVENT_DETAIL_TYPE = 'Bucket Configuration Changed';

export type Publish = (entry: HistoryEntry) => Promise<void>;

/** The event's detail: the entry, with a stable id (the same change always has the same id). */
export const eventDetail = (entry: HistoryEntry) => ({
  id: `${entry.bucket}/${entry.generation}/${entry.bucketOwner}/${entry.version}`,
  ...entry,
});

/**
 * Timeouts like the DynamoDB and KMS clients': a hung EventBridge must not hold the batch until the
 * Lambda dies. One publish takes at most 3 attempts of 1 s (plus backoff): the recorder's per-record
 * budget (lib/history/recorder.ts) counts on it.
 */
export const EVENTBRIDGE_CLIENT_SETTINGS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
} as const;
/** The longest one publish can take with those settings (3 × 1 s, and the SDK's backoff between). */
export const PUBLISH_BUDGET_MS = 3 * 1_000 + 500;

type EventBridgeModule = typeof import('./eventbridge.ts');
let eventBridgeModule: Promise<EventBridgeModule> | undefined;

/** Publishes through `client`, or through a client of its own made on the first publish. */
export function eventBridgePublisher(eventBusName: string, client?: EventBridgeClient): Publish {
  let own: EventBridgeClient | undefined;
  return async (entry) => {
    eventBridgeModule ??= import('./eventbridge.ts');
    const { EventBridgeClient, PutEventsCommand } = await eventBridgeModule;
    own ??= client ?? new EventBridgeClient(EVENTBRIDGE_CLIENT_SETTINGS);
    const { FailedEntryCount, Entries } = await own.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: eventBusName,
            Source: EVENT_SOURCE,
            DetailType: EVENT_DETAIL_TYPE,
            Resources: [bucketArn(entry.bucket)],
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
