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
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Pass as `after` to continue where this page stopped; undefined at the end. */
  cursor: string | undefined;
}

export interface HistoryQuery {
  /** Only generations this account owned (what an owner may see); all when undefined (the operator). */
  bucketOwner?: string | undefined;
  /** Only entries at or after this time (ISO 8601). */
  since?: string | undefined;
  /** At most this many entries. */
  limit?: number | undefined;
  /** A cursor from a previous page. */
  after?: string | undefined;
  /** Items DynamoDB evaluates per request (tests use small pages). */
  pageSize?: number | undefined;
}

export interface HistoryStore {
  /** Writes the entry unless it is there already; false when it was (a redelivery). */
  putEntry(entry: HistoryEntry, expiresAt: number): Promise<boolean>;
  /** The bucket name's entries, newest first: one page of at most `limit`. */
  listHistory(bucket: string, query?: HistoryQuery): Promise<HistoryPage>;
}

const historyPk = (bucket: string) => `HISTORY#${bucket}`;
const VERSION_DIGITS = 12;
const entrySk = (entry: Pick<HistoryEntry, 'generation' | 'bucketOwner' | 'version'>) =>
  `${entry.generation}#${entry.bucketOwner}#${String(entry.version).padStart(VERSION_DIGITS, '0')}`;

const nullable = (value: string | null): AttributeValue => (value === null ? { NULL: true } : { S: value });

function fromItem(item: Record<string, AttributeValue>): HistoryEntry {
  const text = (name: string) => item[name]?.S ?? null;
  return {
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
}

const encodeCursor = (key: Record<string, AttributeValue>) =>
  Buffer.from(JSON.stringify([key.pk?.S, key.sk?.S])).toString('base64url');

export class InvalidCursor extends Error {}

function decodeCursor(bucket: string, cursor: string): Record<string, AttributeValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const [pk, sk] = Array.isArray(parsed) ? parsed : [];
  if (pk !== historyPk(bucket) || typeof sk !== 'string')
    throw new InvalidCursor(`not a cursor of ${bucket}'s history`);
  return { pk: { S: pk }, sk: { S: sk } };
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

    async listHistory(bucket, query = {}) {
      const limit = query.limit ?? Number.POSITIVE_INFINITY;
      // TTL deletes expired items within days, not at once: expired entries are filtered out.
      const filters = [`${TTL_ATTRIBUTE} > :now`];
      const values: Record<string, AttributeValue> = {
        ':pk': { S: historyPk(bucket) },
        ':now': { N: String(Math.floor(Date.now() / 1000)) },
      };
      if (query.bucketOwner !== undefined) {
        filters.push('bucketOwner = :owner');
        values[':owner'] = { S: query.bucketOwner };
      }
      if (query.since !== undefined) {
        filters.push('#time >= :since');
        values[':since'] = { S: query.since };
      }
      const entries: HistoryEntry[] = [];
      let startKey = query.after ? decodeCursor(bucket, query.after) : undefined;
      let last: Record<string, AttributeValue> | undefined;
      try {
        while (entries.length < limit) {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              FilterExpression: filters.join(' AND '),
              ExpressionAttributeNames: query.since !== undefined ? { '#time': 'time' } : undefined,
              ExpressionAttributeValues: values,
              ScanIndexForward: false,
              ExclusiveStartKey: startKey,
              Limit: query.pageSize,
            }),
          );
          for (const item of page.Items ?? []) {
            if (entries.length === limit) return { entries, cursor: last && encodeCursor(last) };
            entries.push(fromItem(item));
            last = item;
          }
          startKey = page.LastEvaluatedKey;
          if (!startKey) return { entries, cursor: undefined };
        }
      } catch (error) {
        throw storageFailure(error, 'listHistory');
      }
      return { entries, cursor: last && encodeCursor(last) };
    },
  };
}
