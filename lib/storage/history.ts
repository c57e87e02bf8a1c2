// The history entries' access patterns (docs/history.md). Entries live in the service's one table,
// beside the buckets: pk = HISTORY#<bucket>, sk = <generation's createdAt>#<its owner>#<version>.
// A generation is one life of a bucket name (created, changed, deleted); its item's version counts
// every change, so the key is the order in which DynamoDB applied the changes, and the same change
// seen twice (a redelivered stream record) is the same key: the write is a conditional put.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE } from './buckets.ts';
import { storageFailure } from './errors.ts';

export interface HistoryEntry {
  /** When the change was made (the serving request's clock; ISO 8601). */
  time: string;
  /** S3's name of the operation, e.g. PutBucketEncryption. */
  operation: string;
  bucket: string;
  /** The caller; null when the change was not made through the S3 API (then only time and states are known). */
  accountId: string | null;
  accessKeyId: string | null;
  requestId: string | null;
  sourceIp: string | null;
  /** The configuration (or policy, or bucket) before and after; null = none. */
  before: unknown;
  after: unknown;
  /** Which life of the bucket name the change belongs to: its owner and creation time. */
  bucketOwner: string;
  generation: string;
  /** The bucket item's version after the change: the change's place in its generation. */
  version: number;
  /**
   * The request that made the change just before this one (the old image's `lastChange`), when the
   * record named one. A version skipped right before this entry whose request is the older entry's
   * is a write the SDK retried and DynamoDB applied twice (recorded once), not a lost change.
   */
  previousRequestId?: string | undefined;
}

/**
 * Versions of one generation that have no entry: changes whose entry could not be written (the
 * stream consumer gave up on them; `npm run admin -- history replay` writes what is still in the
 * stream). Versions count every change of a generation, so a missing one is a visible hole.
 */
export interface HistoryGap {
  bucket: string;
  bucketOwner: string;
  generation: string;
  /** The first and the last version not recorded. */
  fromVersion: number;
  toVersion: number;
  /** The newest changes of the bucket as it is now: their entries may still be on their way. */
  pending: boolean;
}

/** What a history lists, newest first: the entries, and the gaps between them. */
export type HistoryItem = { kind: 'change'; entry: HistoryEntry } | ({ kind: 'gap' } & HistoryGap);

export interface HistoryPage {
  /** The entries and gaps of this page, newest first. */
  items: HistoryItem[];
  /** The entries alone. */
  entries: HistoryEntry[];
  /** Pass as `after` to continue where this page stopped; undefined at the end. */
  cursor: string | undefined;
}

/** The bucket as it is now (its item), for the gap of its newest changes. */
export interface CurrentBucket {
  bucketOwner: string;
  generation: string;
  version: number;
  /** The request of the item's last change (`lastChange`), when it named one. */
  lastRequestId: string | undefined;
}

export interface HistoryQuery {
  /** Only generations this account owned (what an owner may see); all when undefined (the operator). */
  bucketOwner?: string | undefined;
  /** Only changes this account made (the caller). Gaps are shown still: who made a lost change is unknown. */
  accountId?: string | undefined;
  /** Only entries at or after this time (ISO 8601). */
  since?: string | undefined;
  /** At most this many entries (gaps are not counted). */
  limit?: number | undefined;
  /** A cursor from a previous page. */
  after?: string | undefined;
  /** With the first page: the bucket as it is now, to show its newest changes that have no entry. */
  current?: CurrentBucket | undefined;
  /** Items DynamoDB evaluates per request (tests use small pages). */
  pageSize?: number | undefined;
}

export interface HistoryStore {
  /** Writes the entry unless it is there already; false when it was (a redelivery). */
  putEntry(entry: HistoryEntry, expiresAt: number): Promise<boolean>;
  /** The bucket name's entries and gaps, newest first: one page of at most `limit` entries. */
  listHistory(bucket: string, query?: HistoryQuery): Promise<HistoryPage>;
}

const historyPk = (bucket: string) => `HISTORY#${bucket}`;
const VERSION_DIGITS = 12;
const entrySk = (entry: Pick<HistoryEntry, 'generation' | 'bucketOwner' | 'version'>) =>
  `${entry.generation}#${entry.bucketOwner}#${String(entry.version).padStart(VERSION_DIGITS, '0')}`;

const nullable = (value: string | null): AttributeValue => (value === null ? { NULL: true } : { S: value });

/** An entry as stored: the entry, and when it expires (epoch seconds). */
interface StoredEntry {
  entry: HistoryEntry;
  expiresAt: number;
}

function fromItem(item: Record<string, AttributeValue>): StoredEntry {
  const text = (name: string) => item[name]?.S ?? null;
  const entry: HistoryEntry = {
    time: item.time?.S ?? '',
    operation: item.operation?.S ?? '',
    bucket: item.bucket?.S ?? '',
    accountId: text('accountId'),
    accessKeyId: text('accessKeyId'),
    requestId: text('requestId'),
    sourceIp: text('sourceIp'),
    before: JSON.parse(item.before?.S ?? 'null'),
    after: JSON.parse(item.after?.S ?? 'null'),
    bucketOwner: item.bucketOwner?.S ?? '',
    generation: item.generation?.S ?? '',
    version: Number(item.version?.N ?? '0'),
  };
  if (item.previousRequestId?.S !== undefined) entry.previousRequestId = item.previousRequestId.S;
  return { entry, expiresAt: Number(item[TTL_ATTRIBUTE]?.N ?? '0') };
}

const sameGeneration = (a: HistoryEntry, b: HistoryEntry) =>
  a.generation === b.generation && a.bucketOwner === b.bucketOwner;

const gap = (
  of: Pick<HistoryEntry, 'bucket' | 'bucketOwner' | 'generation'>,
  fromVersion: number,
  toVersion: number,
  pending = false,
): HistoryGap => ({
  bucket: of.bucket,
  bucketOwner: of.bucketOwner,
  generation: of.generation,
  fromVersion,
  toVersion,
  pending,
});

/**
 * The versions missing between two consecutive entries (newer first), if any. Not a gap: entries of
 * different generations; versions a retried write took (the newer entry's previous request is the
 * older entry's); and an older entry already expired (the ones between may have expired and been
 * deleted by TTL, which removes expired items in no particular order).
 */
export function gapBetween(newer: StoredEntry, older: StoredEntry, now: number): HistoryGap | undefined {
  if (!sameGeneration(newer.entry, older.entry)) return undefined;
  if (newer.entry.version - older.entry.version <= 1) return undefined;
  if (older.expiresAt <= now || newer.expiresAt <= now) return undefined;
  const previous = newer.entry.previousRequestId;
  if (previous !== undefined && previous === older.entry.requestId) return undefined;
  return gap(newer.entry, older.entry.version + 1, newer.entry.version - 1);
}

/**
 * The first versions of a generation missing below its oldest entry, if any, while they cannot have
 * expired yet: the generation began less than the retention period ago (the entry's own `expiresAt`
 * minus its time is the retention it was written with).
 */
export function gapBefore(oldest: StoredEntry, now: number): HistoryGap | undefined {
  if (oldest.entry.version <= 1 || oldest.expiresAt <= now) return undefined;
  const retention = oldest.expiresAt - Math.floor(Date.parse(oldest.entry.time) / 1000);
  const began = Math.floor(Date.parse(oldest.entry.generation) / 1000);
  if (!(began + retention > now)) return undefined;
  return gap(oldest.entry, 1, oldest.entry.version - 1);
}

/**
 * The newest changes of the bucket as it is now that have no entry: the versions above its
 * generation's newest entry (or all of them, when it has none). Not a gap when the item's last
 * change is the newest entry's request (a retried write applied twice).
 */
export function gapAtHead(
  bucket: string,
  current: CurrentBucket,
  newest: HistoryEntry | undefined,
): HistoryGap | undefined {
  const ofCurrent =
    newest?.generation === current.generation && newest.bucketOwner === current.bucketOwner
      ? newest
      : undefined;
  const recorded = ofCurrent?.version ?? 0;
  if (current.version <= recorded) return undefined;
  if (ofCurrent && current.lastRequestId !== undefined && current.lastRequestId === ofCurrent.requestId)
    return undefined;
  return gap({ bucket, ...current }, recorded + 1, current.version, true);
}

/** A cursor names the last item a page read: the next page starts there (re-reading it as the neighbour). */
const encodeCursor = (key: Record<string, AttributeValue>) =>
  Buffer.from(JSON.stringify([key.pk?.S, key.sk?.S])).toString('base64url');

export class InvalidCursor extends Error {}

function decodeCursor(bucket: string, cursor: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const [pk, sk] = Array.isArray(parsed) ? parsed : [];
  if (pk !== historyPk(bucket) || typeof sk !== 'string')
    throw new InvalidCursor(`not a cursor of ${bucket}'s history`);
  return sk;
}

/** The history Lambda's one access pattern: its bundle then holds PutItem and no read (IAM: PutItem only). */
export function createHistoryWriter(
  client: DynamoDBClient,
  tableName: string,
): Pick<HistoryStore, 'putEntry'> {
  return {
    async putEntry(entry, expiresAt) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: historyPk(entry.bucket) },
              sk: { S: entrySk(entry) },
              time: { S: entry.time },
              operation: { S: entry.operation },
              bucket: { S: entry.bucket },
              accountId: nullable(entry.accountId),
              accessKeyId: nullable(entry.accessKeyId),
              requestId: nullable(entry.requestId),
              sourceIp: nullable(entry.sourceIp),
              // JSON text: the states keep their exact shape (and a policy its exact text).
              before: { S: JSON.stringify(entry.before ?? null) },
              after: { S: JSON.stringify(entry.after ?? null) },
              bucketOwner: { S: entry.bucketOwner },
              generation: { S: entry.generation },
              version: { N: String(entry.version) },
              ...(entry.previousRequestId !== undefined
                ? { previousRequestId: { S: entry.previousRequestId } }
                : {}),
              [TTL_ATTRIBUTE]: { N: String(expiresAt) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw storageFailure(error, 'putHistoryEntry');
      }
    },
  };
}

export function createHistoryStore(client: DynamoDBClient, tableName: string): HistoryStore {
  return {
    ...createHistoryWriter(client, tableName),

    // One Query, newest first, over the bucket name's entries. The filters are applied here rather
    // than as a FilterExpression: a gap is found between neighbouring entries whether or not they are
    // shown (an entry filtered out or expired still proves its version was recorded), and DynamoDB
    // reads (and bills) the items a filter drops all the same. Bounded by the name's history.
    async listHistory(bucket, query = {}) {
      const limit = query.limit ?? Number.POSITIVE_INFINITY;
      const now = Math.floor(Date.now() / 1000);
      const shown = (entry: HistoryEntry) =>
        (query.bucketOwner === undefined || entry.bucketOwner === query.bucketOwner) &&
        (query.accountId === undefined || entry.accountId === query.accountId) &&
        (query.since === undefined || entry.time >= query.since);
      // A gap shows with its generation's owner, and when the entry above it is in the time asked for.
      const gapShown = (found: HistoryGap | undefined, above: HistoryEntry | undefined) =>
        found !== undefined &&
        (query.bucketOwner === undefined || found.bucketOwner === query.bucketOwner) &&
        (query.since === undefined || above === undefined || above.time >= query.since);

      const items: HistoryItem[] = [];
      const page = (cursor: string | undefined): HistoryPage => ({
        items,
        entries: items.flatMap((item) => (item.kind === 'change' ? [item.entry] : [])),
        cursor,
      });
      const resumeAt = query.after !== undefined ? decodeCursor(bucket, query.after) : undefined;
      // A resumed page starts at the cursor's item (sk <=): it is the neighbour of the first one read.
      let skipFirst = resumeAt !== undefined;
      let newer: StoredEntry | undefined;
      let newerKey: Record<string, AttributeValue> | undefined;
      let count = 0;
      let startKey: Record<string, AttributeValue> | undefined;
      // The first page starts with the gap of the bucket's newest changes, if any (the newest entry read).
      let headChecked = query.current === undefined || resumeAt !== undefined;
      try {
        for (;;) {
          const result = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: resumeAt !== undefined ? 'pk = :pk AND sk <= :resume' : 'pk = :pk',
              ExpressionAttributeValues: {
                ':pk': { S: historyPk(bucket) },
                ...(resumeAt !== undefined ? { ':resume': { S: resumeAt } } : {}),
              },
              ScanIndexForward: false,
              ExclusiveStartKey: startKey,
              Limit: query.pageSize,
            }),
          );
          for (const item of result.Items ?? []) {
            const stored = fromItem(item);
            if (skipFirst) {
              skipFirst = false;
              if (item.sk?.S === resumeAt) {
                newer = stored;
                newerKey = item;
                continue;
              }
            }
            if (!headChecked) {
              headChecked = true;
              const head = query.current && gapAtHead(bucket, query.current, stored.entry);
              if (gapShown(head, undefined) && head) items.push({ kind: 'gap', ...head });
            }
            const visible = stored.expiresAt > now && shown(stored.entry);
            // The page is full at the next entry to show: the next page starts at the last one read.
            if (visible && count === limit) return page(newerKey && encodeCursor(newerKey));
            if (newer) {
              const found = sameGeneration(newer.entry, stored.entry)
                ? gapBetween(newer, stored, now)
                : gapBefore(newer, now);
              if (gapShown(found, newer.entry) && found) items.push({ kind: 'gap', ...found });
            }
            if (visible) {
              items.push({ kind: 'change', entry: stored.entry });
              count++;
            }
            newer = stored;
            newerKey = item;
          }
          startKey = result.LastEvaluatedKey;
          if (!startKey) break;
          // Full, and the page read is used up: no more reading for a next entry that may not come.
          if (count === limit) return page(newerKey && encodeCursor(newerKey));
        }
      } catch (error) {
        throw storageFailure(error, 'listHistory');
      }
      if (!headChecked && query.current) {
        const head = gapAtHead(bucket, query.current, undefined);
        if (gapShown(head, undefined) && head) items.push({ kind: 'gap', ...head });
      }
      if (newer) {
        const found = gapBefore(newer, now);
        if (gapShown(found, newer.entry) && found) items.push({ kind: 'gap', ...found });
      }
      return page(undefined);
    },
  };
}
