// The bucket item's access patterns, one function each. One item per bucket
// (pk = BUCKET#<name>, sk = BUCKET) holds everything an encryption call needs, so each call is one
// DynamoDB request. Writes are conditional: never read-then-write.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BlockedEncryptionType, EncryptionConfiguration, SseAlgorithm } from '../encryption/model.ts';
import { LAST_CHANGE_NAMES, lastChangeAttribute, setLastChange } from './change.ts';
import { storageFailure } from './errors.ts';

export interface StoredEncryption extends EncryptionConfiguration {
  updatedAt: string;
  updatedBy: string;
}

export interface BucketRecord {
  name: string;
  ownerId: string;
  region: string;
  createdAt: string;
  /** Incremented on every change of the item. */
  version: number;
  encryption: StoredEncryption | undefined;
  /** The bucket policy as the owner put it (returned verbatim by GetBucketPolicy). */
  policy: string | undefined;
  /** Whether the policy has a Deny statement: only then can it refuse the owner. */
  policyHasDeny: boolean;
}

export interface BucketSummary {
  name: string;
  createdAt: string;
  region: string;
}

/** Why a conditional write on a bucket did not happen: no bucket, or its guard failed (with the item as it is). */
export type WriteRefusal = { reason: 'no-such-bucket' } | { reason: 'refused'; bucket: BucketRecord };

/**
 * What a configuration write is conditioned on: the caller owns the bucket and no policy could
 * deny it (one request, the owner's steady state), or the item is still the one whose policy was
 * evaluated (the second request of a call allowed by a policy): same version of the same
 * generation — owner and creation time — since a bucket deleted and re-created restarts at 1.
 */
export type WriteGuard = { owner: string } | { version: number; ownerId: string; createdAt: string };

export type WriteResult = { ok: true } | ({ ok: false } & WriteRefusal);

const bucketKey = (name: string): Record<string, AttributeValue> => ({
  pk: { S: `BUCKET#${name}` },
  sk: { S: 'BUCKET' },
});

const OWNER_INDEX = 'byOwner';

/** The table's TTL attribute (lib/storage/table.json): epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** What DeleteBucket removes: every attribute of a live bucket but its key and version. */
const LIVE_ATTRIBUTES = [
  'bucketName',
  'ownerId',
  '#region',
  'createdAt',
  '#encryption',
  '#policy',
  'policyHasDeny',
];

function toEncryptionAttribute(encryption: StoredEncryption): AttributeValue {
  const map: Record<string, AttributeValue> = {
    sseAlgorithm: { S: encryption.sseAlgorithm },
    bucketKeyEnabled: { BOOL: encryption.bucketKeyEnabled },
    updatedAt: { S: encryption.updatedAt },
    updatedBy: { S: encryption.updatedBy },
  };
  if (encryption.kmsMasterKeyId !== undefined) map.kmsMasterKeyId = { S: encryption.kmsMasterKeyId };
  if (encryption.projectId !== undefined) map.projectId = { S: encryption.projectId };
  if (encryption.blockedEncryptionTypes?.length) {
    map.blockedEncryptionTypes = { L: encryption.blockedEncryptionTypes.map((type) => ({ S: type })) };
  }
  return { M: map };
}

function fromEncryptionAttribute(value: AttributeValue | undefined): StoredEncryption | undefined {
  const map = value?.M;
  if (!map) return undefined;
  const encryption: StoredEncryption = {
    sseAlgorithm: map.sseAlgorithm?.S as SseAlgorithm,
    bucketKeyEnabled: map.bucketKeyEnabled?.BOOL ?? false,
    updatedAt: map.updatedAt?.S ?? '',
    updatedBy: map.updatedBy?.S ?? '',
  };
  if (map.kmsMasterKeyId?.S !== undefined) encryption.kmsMasterKeyId = map.kmsMasterKeyId.S;
  if (map.projectId?.S !== undefined) encryption.projectId = map.projectId.S;
  if (map.blockedEncryptionTypes?.L) {
    encryption.blockedEncryptionTypes = map.blockedEncryptionTypes.L.map(
      (type) => type.S as BlockedEncryptionType,
    );
  }
  return encryption;
}

export function fromItem(item: Record<string, AttributeValue>): BucketRecord {
  return {
    name: item.bucketName?.S ?? '',
    ownerId: item.ownerId?.S ?? '',
    region: item.region?.S ?? '',
    createdAt: item.createdAt?.S ?? '',
    version: Number(item.version?.N ?? '0'),
    encryption: fromEncryptionAttribute(item.encryption),
    policy: item.policy?.S,
    policyHasDeny: item.policyHasDeny?.BOOL ?? false,
  };
}

/**
 * A deleted bucket's item stays behind as a deletion marker until TTL removes it: DeleteBucket is an
 * UpdateItem that records who deleted it (the stream's record of it carries both the bucket as it
 * was and the deleter, docs/history.md) and removes every attribute a live bucket has. It has no
 * owner, so no guard (all name `ownerId`) passes on it and the byOwner index skips it; reads treat
 * it as no bucket.
 */
export const isDeletionMarker = (item: Record<string, AttributeValue>): boolean =>
  item.deletedAt !== undefined;

function refusal(error: unknown): WriteRefusal | undefined {
  if (!(error instanceof ConditionalCheckFailedException)) return undefined;
  return error.Item && !isDeletionMarker(error.Item)
    ? { reason: 'refused', bucket: fromItem(error.Item) }
    : { reason: 'no-such-bucket' };
}

export interface BucketStore {
  /** Creates the bucket unless the name is taken; on a taken name returns the current owner. */
  createBucket(input: {
    name: string;
    ownerId: string;
    region: string;
    createdAt: string;
  }): Promise<{ ok: true } | { ok: false; ownerId: string }>;
  /** The bucket, read strongly consistently; undefined when there is none. */
  getBucket(name: string): Promise<BucketRecord | undefined>;
  /** Deletes the bucket (and with it its encryption configuration and policy) if the caller owns it. */
  deleteBucket(name: string, callerAccountId: string): Promise<WriteResult>;
  /** The buckets an account owns, by name. */
  listBuckets(ownerId: string): Promise<BucketSummary[]>;
  /** Replaces the encryption configuration if the guard holds. */
  putEncryption(name: string, guard: WriteGuard, encryption: StoredEncryption): Promise<WriteResult>;
  /** Removes the encryption configuration if the guard holds (no-op when none is set). */
  deleteEncryption(name: string, guard: WriteGuard): Promise<WriteResult>;
  /** Sets the bucket policy if the caller owns the bucket. */
  putPolicy(name: string, callerAccountId: string, policy: string, hasDeny: boolean): Promise<WriteResult>;
  /** Removes the bucket policy if the caller owns the bucket. */
  deletePolicy(name: string, callerAccountId: string): Promise<WriteResult>;
}

function guardCondition(guard: WriteGuard): { expression: string; values: Record<string, AttributeValue> } {
  if ('owner' in guard) {
    return {
      expression:
        'attribute_exists(pk) AND ownerId = :caller AND (attribute_not_exists(policyHasDeny) OR policyHasDeny = :false)',
      values: { ':caller': { S: guard.owner }, ':false': { BOOL: false } },
    };
  }
  return {
    expression:
      'attribute_exists(pk) AND #version = :version AND ownerId = :owner AND createdAt = :createdAt',
    values: {
      ':version': { N: String(guard.version) },
      ':owner': { S: guard.ownerId },
      ':createdAt': { S: guard.createdAt },
    },
  };
}

const ownerGuard = (callerAccountId: string) => ({
  expression: 'attribute_exists(pk) AND ownerId = :caller',
  values: { ':caller': { S: callerAccountId } },
});

export function createBucketStore(client: DynamoDBClient, tableName: string): BucketStore {
  async function conditionedUpdate(
    name: string,
    condition: { expression: string; values: Record<string, AttributeValue> },
    operation: string,
    update: { expression: string; names?: Record<string, string>; values?: Record<string, AttributeValue> },
  ): Promise<WriteResult> {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: bucketKey(name),
          UpdateExpression: `${setLastChange(update.expression)} ADD #version :one`,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: { '#version': 'version', ...LAST_CHANGE_NAMES, ...update.names },
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':lastChange': lastChangeAttribute(),
            ...condition.values,
            ...update.values,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true };
    } catch (error) {
      const refused = refusal(error);
      if (refused) return { ok: false, ...refused };
      throw storageFailure(error, operation);
    }
  }

  return {
    async createBucket({ name, ownerId, region, createdAt }) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...bucketKey(name),
              bucketName: { S: name },
              ownerId: { S: ownerId },
              region: { S: region },
              createdAt: { S: createdAt },
              version: { N: '1' },
              lastChange: lastChangeAttribute(),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(deletedAt)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { ok: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          return { ok: false, ownerId: error.Item?.ownerId?.S ?? '' };
        }
        throw storageFailure(error, 'createBucket');
      }
    },

    async getBucket(name) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: tableName, Key: bucketKey(name), ConsistentRead: true }),
        );
        return Item && !isDeletionMarker(Item) ? fromItem(Item) : undefined;
      } catch (error) {
        throw storageFailure(error, 'getBucket');
      }
    },

    deleteBucket(name, callerAccountId) {
      const now = Math.floor(Date.now() / 1000);
      return conditionedUpdate(name, ownerGuard(callerAccountId), 'deleteBucket', {
        expression: `SET deletedAt = :deletedAt, ${TTL_ATTRIBUTE} = :deletedAt REMOVE ${LIVE_ATTRIBUTES.join(', ')}`,
        names: { '#encryption': 'encryption', '#policy': 'policy', '#region': 'region' },
        // Expired at once: TTL removes the marker within days (it only has to outlive the stream record).
        values: { ':deletedAt': { N: String(now) } },
      });
    },

    async listBuckets(ownerId) {
      const buckets: BucketSummary[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      try {
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: OWNER_INDEX,
              KeyConditionExpression: 'ownerId = :owner',
              ExpressionAttributeValues: { ':owner': { S: ownerId } },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) {
            buckets.push({
              name: item.bucketName?.S ?? '',
              createdAt: item.createdAt?.S ?? '',
              region: item.region?.S ?? '',
            });
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      } catch (error) {
        throw storageFailure(error, 'listBuckets');
      }
      return buckets;
    },

    putEncryption(name, guard, encryption) {
      return conditionedUpdate(name, guardCondition(guard), 'putEncryption', {
        expression: 'SET #encryption = :encryption',
        names: { '#encryption': 'encryption' },
        values: { ':encryption': toEncryptionAttribute(encryption) },
      });
    },

    deleteEncryption(name, guard) {
      return conditionedUpdate(name, guardCondition(guard), 'deleteEncryption', {
        expression: 'REMOVE #encryption',
        names: { '#encryption': 'encryption' },
      });
    },

    putPolicy(name, callerAccountId, policy, hasDeny) {
      return conditionedUpdate(name, ownerGuard(callerAccountId), 'putPolicy', {
        expression: 'SET #policy = :policy, policyHasDeny = :hasDeny',
        names: { '#policy': 'policy' },
        values: { ':policy': { S: policy }, ':hasDeny': { BOOL: hasDeny } },
      });
    },

    deletePolicy(name, callerAccountId) {
      return conditionedUpdate(name, ownerGuard(callerAccountId), 'deletePolicy', {
        expression: 'REMOVE #policy, policyHasDeny',
        names: { '#policy': 'policy' },
      });
    },
  };
}
