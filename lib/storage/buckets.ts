// The bucket item's access patterns, one function each. One item per bucket
// (pk = BUCKET#<name>, sk = BUCKET) holds everything an encryption call needs, so each call is one
// DynamoDB request. Writes are conditional: never read-then-write.
import { randomUUID } from 'node:crypto';
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
  /**
   * Changes when, and only when, the policy is put or deleted or the bucket is created: a write
   * allowed by evaluating the policy is conditioned on it (not on `version`, which every
   * configuration write moves). Undefined on items created before it existed.
   */
  policyRevision: string | undefined;
  /** The actions for which a Deny of the policy could apply to the owner (lib/auth/policy.ts). */
  ownerDenyActions: readonly string[];
}

export interface BucketSummary {
  name: string;
  createdAt: string;
  region: string;
}

/** Which page of an account's buckets to read: by name, after `startAfter`, names beginning `prefix`. */
export interface BucketPageRequest {
  limit: number;
  prefix?: string;
  startAfter?: string;
}

export interface BucketPage {
  buckets: BucketSummary[];
  /** The last name on this page when more may follow (where the next page starts after); else undefined. */
  nextStartAfter: string | undefined;
}

/** Why a conditional write on a bucket did not happen: no bucket, or its guard failed (with the item as it is). */
export type WriteRefusal = { reason: 'no-such-bucket' } | { reason: 'refused'; bucket: BucketRecord };

/**
 * What a write is conditioned on (lib/auth/authorize.ts chooses):
 * - `owner`: the caller owns the bucket and, when `action` is given, no Deny of its policy could apply
 *   to the owner for that action — one request, the owner's steady state;
 * - `policyRevision`: the bucket is still the one whose policy was evaluated — same policy revision,
 *   same generation (owner and creation time) — so only a concurrent policy change (or the bucket
 *   re-created) refuses it, never a concurrent configuration write.
 */
export type WriteGuard =
  | { owner: string; action?: string }
  | { ownerId: string; createdAt: string; policyRevision: string | undefined };

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
  'policyRevision',
  'ownerDenyActions',
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
    policyRevision: item.policyRevision?.S,
    ownerDenyActions: item.ownerDenyActions?.SS ?? [],
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
  /** Deletes the bucket (and with it its encryption configuration and policy) if the guard holds. */
  deleteBucket(name: string, guard: WriteGuard): Promise<WriteResult>;
  /** One page of the buckets an account owns, in name order: one Query on the owner index. */
  listBuckets(ownerId: string, page: BucketPageRequest): Promise<BucketPage>;
  /** Replaces the encryption configuration if the guard holds. */
  putEncryption(name: string, guard: WriteGuard, encryption: StoredEncryption): Promise<WriteResult>;
  /** Removes the encryption configuration if the guard holds (no-op when none is set). */
  deleteEncryption(name: string, guard: WriteGuard): Promise<WriteResult>;
  /** Sets the bucket policy (and what it may deny its owner) if the guard holds. */
  putPolicy(
    name: string,
    guard: WriteGuard,
    policy: string,
    ownerDenyActions: readonly string[],
  ): Promise<WriteResult>;
  /** Removes the bucket policy if the guard holds. */
  deletePolicy(name: string, guard: WriteGuard): Promise<WriteResult>;
}

interface Condition {
  expression: string;
  values: Record<string, AttributeValue>;
}

function guardCondition(guard: WriteGuard): Condition {
  if ('owner' in guard) {
    const owner: Condition = {
      expression: 'attribute_exists(pk) AND ownerId = :caller',
      values: { ':caller': { S: guard.owner } },
    };
    if (guard.action === undefined) return owner;
    // `contains` on a missing attribute is false: no policy, or one that cannot deny the owner.
    // A policy put before ownerDenyActions existed (policyHasDeny) is evaluated instead.
    return {
      expression: `${owner.expression} AND NOT contains(ownerDenyActions, :action) AND attribute_not_exists(policyHasDeny)`,
      values: { ...owner.values, ':action': { S: guard.action } },
    };
  }
  const generation = 'attribute_exists(pk) AND ownerId = :owner AND createdAt = :createdAt';
  const values: Record<string, AttributeValue> = {
    ':owner': { S: guard.ownerId },
    ':createdAt': { S: guard.createdAt },
  };
  if (guard.policyRevision === undefined) {
    return { expression: `${generation} AND attribute_not_exists(policyRevision)`, values };
  }
  return {
    expression: `${generation} AND policyRevision = :policyRevision`,
    values: { ...values, ':policyRevision': { S: guard.policyRevision } },
  };
}

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
      const policyRevision = randomUUID();
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
              policyRevision: { S: policyRevision },
              lastChange: lastChangeAttribute(),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(deletedAt)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { ok: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          // An attempt that timed out after DynamoDB applied it is retried by the SDK, and the retry
          // finds the item: the one carrying this call's own revision was written by this call.
          if (error.Item?.policyRevision?.S === policyRevision) return { ok: true };
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

    deleteBucket(name, guard) {
      const now = Math.floor(Date.now() / 1000);
      return conditionedUpdate(name, guardCondition(guard), 'deleteBucket', {
        expression: `SET deletedAt = :deletedAt, ${TTL_ATTRIBUTE} = :deletedAt REMOVE ${LIVE_ATTRIBUTES.join(', ')}`,
        names: { '#encryption': 'encryption', '#policy': 'policy', '#region': 'region' },
        // Expired at once: TTL removes the marker within days (it only has to outlive the stream record).
        values: { ':deletedAt': { N: String(now) } },
      });
    },

    async listBuckets(ownerId, { limit, prefix, startAfter }) {
      // One more than the page: whether another page follows is known without a second request
      // (DynamoDB answers a LastEvaluatedKey whenever it stops at Limit, even at the very end).
      const values: Record<string, AttributeValue> = { ':owner': { S: ownerId } };
      let keyCondition = 'ownerId = :owner';
      if (prefix) {
        keyCondition += ' AND begins_with(bucketName, :prefix)';
        values[':prefix'] = { S: prefix };
      }
      try {
        const { Items = [], LastEvaluatedKey } = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: OWNER_INDEX,
            KeyConditionExpression: keyCondition,
            ExpressionAttributeValues: values,
            Limit: limit + 1,
            ...(startAfter !== undefined && {
              ExclusiveStartKey: {
                ...bucketKey(startAfter),
                ownerId: { S: ownerId },
                bucketName: { S: startAfter },
              },
            }),
          }),
        );
        const buckets = Items.slice(0, limit).map((item) => ({
          name: item.bucketName?.S ?? '',
          createdAt: item.createdAt?.S ?? '',
          region: item.region?.S ?? '',
        }));
        // More follow when the extra item came back, or when DynamoDB's 1 MB page cut the Query short.
        const more = Items.length > limit || LastEvaluatedKey !== undefined;
        return { buckets, nextStartAfter: more ? buckets.at(-1)?.name : undefined };
      } catch (error) {
        throw storageFailure(error, 'listBuckets');
      }
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

    putPolicy(name, guard, policy, ownerDenyActions) {
      // A string set cannot be empty: no deniable action = no attribute.
      const denies = ownerDenyActions.length > 0;
      return conditionedUpdate(name, guardCondition(guard), 'putPolicy', {
        expression: `SET #policy = :policy, policyRevision = :revision${denies ? ', ownerDenyActions = :denies' : ''} REMOVE policyHasDeny${denies ? '' : ', ownerDenyActions'}`,
        names: { '#policy': 'policy' },
        values: {
          ':policy': { S: policy },
          ':revision': { S: randomUUID() },
          ...(denies ? { ':denies': { SS: [...ownerDenyActions] } } : {}),
        },
      });
    },

    deletePolicy(name, guard) {
      return conditionedUpdate(name, guardCondition(guard), 'deletePolicy', {
        expression: 'SET policyRevision = :revision REMOVE #policy, policyHasDeny, ownerDenyActions',
        names: { '#policy': 'policy' },
        values: { ':revision': { S: randomUUID() } },
      });
    },
  };
}
