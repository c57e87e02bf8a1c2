// The bucket item's access patterns, one function each. One item per bucket
// (pk = BUCKET#<name>, sk = BUCKET) holds everything an encryption call needs, so each call is one
// DynamoDB request. Writes are conditional: never read-then-write. Every write to a live bucket is
// `updateBucket` with the change given as data; a configuration subresource's codec makes its
// attribute, so this file knows no subresource's schema (docs/architecture.md).
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
import { lastChangeAttribute } from './change.ts';
import { storageFailure } from './errors.ts';

export interface BucketRecord {
  name: string;
  ownerId: string;
  region: string;
  createdAt: string;
  /** Incremented on every change of the item. */
  version: number;
  /**
   * The item as stored: a configuration subresource reads its own attribute from it through its
   * codec (`readConfiguration`), so storage does not know any subresource's schema.
   */
  item: Readonly<Record<string, AttributeValue>>;
  /** The bucket policy as the owner put it (returned verbatim by GetBucketPolicy). */
  policy: string | undefined;
  /**
   * Changes when, and only when, the policy is put or deleted or the bucket is created: a write
   * allowed by evaluating the policy is conditioned on it (not on `version`, which every
   * configuration write moves). Undefined on items created before it existed.
   */
  policyRevision: string | undefined;
  /** The actions for which a Deny of the policy could apply to the owner (lib/policy/owner-deniable.ts). */
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
 * A boolean field of a map attribute on the bucket item, named as data (a subresource's codec knows
 * the shape; storage does not): Block Public Access's `publicAccessBlock.blockPublicPolicy`, for one.
 */
export interface BucketFlag {
  readonly attribute: string;
  readonly field: string;
}

/**
 * What a write is conditioned on (lib/auth/authorize.ts chooses):
 * - `owner`: the caller owns the bucket and, when `action` is given, no Deny of its policy could apply
 *   to the owner for that action, by the policy's `ownerDenyActions` computed over the same list of
 *   actions (`ownerDenyScope`) — one request, the owner's steady state;
 * - `policyRevision`: the bucket is still the one whose policy was evaluated — same policy revision,
 *   same generation (owner and creation time) — so only a concurrent policy change (or the bucket
 *   re-created) refuses it, never a concurrent configuration write; and, with `unlessFlags`, none of
 *   those flags turned on meanwhile (RestrictPublicBuckets, which takes back a public policy's grants).
 */
export type WriteGuard =
  | { owner: string; action?: undefined }
  | { owner: string; action: string; ownerDenyScope: string }
  | {
      ownerId: string;
      createdAt: string;
      policyRevision: string | undefined;
      unlessFlags?: readonly BucketFlag[];
    };

export type WriteResult = { ok: true } | ({ ok: false } & WriteRefusal);

const bucketKey = (name: string): Record<string, AttributeValue> => ({
  pk: { S: `BUCKET#${name}` },
  sk: { S: 'BUCKET' },
});

const OWNER_INDEX = 'byOwner';

/** The table's TTL attribute (lib/storage/table.json): epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * What DeleteBucket removes: every attribute of a live bucket but its key, version and lastChange.
 * A configuration subresource adds its attribute here (docs/architecture.md).
 */
const LIVE_ATTRIBUTES = [
  'bucketName',
  'ownerId',
  'region',
  'createdAt',
  'encryption',
  'publicAccessBlock',
  'ownershipControls',
  'policy',
  'policyRevision',
  'ownerDenyActions',
  'ownerDenyScope',
  'policyHasDeny',
];

/**
 * A write to a bucket item as data: the attributes to set (already in DynamoDB's form, made by the
 * subresource's codec) and the attributes to remove. `updateBucket` adds the version and `lastChange`.
 */
export interface BucketChange {
  set?: Readonly<Record<string, AttributeValue>>;
  remove?: readonly string[];
  /**
   * The write happens only if none of these flags is on (true) in the item it changes, checked in the
   * same conditional write: PutBucketPolicy of a public policy names BlockPublicPolicy, so a
   * concurrent PutPublicAccessBlock cannot let one in. A refusal hands back the item, as any other.
   */
  unlessFlags?: readonly BucketFlag[];
}

/**
 * The bridge between a configuration subresource's typed value and its attribute on the bucket item
 * (lib/<subresource>/codec.ts implements one). The stored shape is what existing tables hold, and
 * what the history reads from the stream's images: change it only with a migration.
 */
export interface AttributeCodec<T> {
  /** The item's attribute that holds the value. */
  readonly attribute: string;
  toAttribute(value: T): AttributeValue;
  /** Undefined when the attribute is absent (nothing set). */
  fromAttribute(value: AttributeValue | undefined): T | undefined;
}

/** The change that sets a subresource's value. */
export const setConfiguration = <T>(codec: AttributeCodec<T>, value: T): BucketChange => ({
  set: { [codec.attribute]: codec.toAttribute(value) },
});

/** The change that removes a subresource's value (a no-op write when none is set). */
export const removeConfiguration = <T>(codec: AttributeCodec<T>): BucketChange => ({
  remove: [codec.attribute],
});

/** A subresource's value as the bucket holds it; undefined when none is set. */
export const readConfiguration = <T>(
  codec: AttributeCodec<T>,
  bucket: Pick<BucketRecord, 'item'> | undefined,
): T | undefined => codec.fromAttribute(bucket?.item[codec.attribute]);

/**
 * PutBucketPolicy's change: the policy verbatim, a new policy revision (what a policy-checked write
 * is conditioned on) and the actions the policy could deny its owner (what the owner's one-request
 * write is conditioned on). A string set cannot be empty: no deniable action = no attribute.
 */
export function putPolicyChange(
  policy: string,
  ownerDenyActions: readonly string[],
  ownerDenyScope: string,
  unlessFlags: readonly BucketFlag[] = [],
): BucketChange {
  const denies = ownerDenyActions.length > 0;
  return {
    ...(unlessFlags.length > 0 ? { unlessFlags } : {}),
    set: {
      policy: { S: policy },
      policyRevision: { S: randomUUID() },
      ownerDenyScope: { S: ownerDenyScope },
      ...(denies ? { ownerDenyActions: { SS: [...ownerDenyActions] } } : {}),
    },
    remove: denies ? ['policyHasDeny'] : ['policyHasDeny', 'ownerDenyActions'],
  };
}

/** DeleteBucketPolicy's change: no policy, nothing it denies, and a new revision. */
export const deletePolicyChange = (): BucketChange => ({
  set: { policyRevision: { S: randomUUID() } },
  remove: ['policy', 'policyHasDeny', 'ownerDenyActions', 'ownerDenyScope'],
});

/** What every write also does, so a change may not name these. */
const MANAGED_ATTRIBUTES = new Set(['pk', 'sk', 'version', 'lastChange']);

/** What CreateBucket writes itself: initial configurations may not name these either. */
const BUCKET_ATTRIBUTES = new Set(['bucketName', 'ownerId', 'region', 'createdAt', 'policyRevision']);

/**
 * The UpdateItem expression of a change, with generated placeholders (`#a0`, `:a0`…) so no
 * attribute name needs escaping by hand (`region` is a DynamoDB reserved word, for one): the
 * change's SETs and `lastChange`, its REMOVEs, and the version counter.
 */
export function updateExpression(change: BucketChange, lastChange: AttributeValue) {
  const names: Record<string, string> = { '#version': 'version', '#lastChange': 'lastChange' };
  const values: Record<string, AttributeValue> = { ':one': { N: '1' }, ':lastChange': lastChange };
  let count = 0;
  const name = (attribute: string) => {
    if (MANAGED_ATTRIBUTES.has(attribute)) throw new Error(`a change may not write ${attribute}`);
    const placeholder = `a${count++}`;
    names[`#${placeholder}`] = attribute;
    return placeholder;
  };
  const sets = ['#lastChange = :lastChange'];
  for (const [attribute, value] of Object.entries({ ...change.set })) {
    const placeholder = name(attribute);
    values[`:${placeholder}`] = value;
    sets.push(`#${placeholder} = :${placeholder}`);
  }
  const removes = (change.remove ?? []).map((attribute) => `#${name(attribute)}`);
  const expression = [
    `SET ${sets.join(', ')}`,
    ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
    'ADD #version :one',
  ].join(' ');
  return { expression, names, values };
}

export function fromItem(item: Record<string, AttributeValue>): BucketRecord {
  return {
    name: item.bucketName?.S ?? '',
    ownerId: item.ownerId?.S ?? '',
    region: item.region?.S ?? '',
    createdAt: item.createdAt?.S ?? '',
    version: Number(item.version?.N ?? '0'),
    item,
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

export interface NewBucket {
  name: string;
  ownerId: string;
  region: string;
  createdAt: string;
  /**
   * The configurations the bucket starts with (the new-bucket defaults, CreateBucket's
   * x-amz-object-ownership), as data: `setConfiguration(codec, value).set` of each subresource.
   */
  configurations?: BucketChange['set'];
}

export interface BucketStore {
  /** Creates the bucket unless the name is taken; on a taken name returns the current owner. */
  createBucket(input: NewBucket): Promise<{ ok: true } | { ok: false; ownerId: string }>;
  /** The bucket, read strongly consistently; undefined when there is none. */
  getBucket(name: string): Promise<BucketRecord | undefined>;
  /** Deletes the bucket (and with it its encryption configuration and policy) if the guard holds. */
  deleteBucket(name: string, guard: WriteGuard): Promise<WriteResult>;
  /** One page of the buckets an account owns, in name order: one Query on the owner index. */
  listBuckets(ownerId: string, page: BucketPageRequest): Promise<BucketPage>;
  /**
   * Applies `change` to the bucket if the guard holds: one conditional UpdateItem, which also moves
   * the version and sets `lastChange`. A refused write hands back the item as it is.
   */
  updateBucket(name: string, guard: WriteGuard, change: BucketChange): Promise<WriteResult>;
}

interface Condition {
  expression: string;
  values: Record<string, AttributeValue>;
  names?: Record<string, string>;
}

/** `NOT (#f0.#f1 = :flagOn) AND …`: none of the flags is on (an absent attribute or field is not on). */
function flagsOff(flags: readonly BucketFlag[]): Condition | undefined {
  if (flags.length === 0) return undefined;
  const names: Record<string, string> = {};
  const terms = flags.map((flag, index) => {
    names[`#f${2 * index}`] = flag.attribute;
    names[`#f${2 * index + 1}`] = flag.field;
    return `NOT (#f${2 * index}.#f${2 * index + 1} = :flagOn)`;
  });
  return { expression: terms.join(' AND '), values: { ':flagOn': { BOOL: true } }, names };
}

/** The guard's condition and the change's own (`unlessFlags`), ANDed. */
function writeCondition(guard: WriteGuard, change: BucketChange): Condition {
  const base = guardCondition(guard);
  const flags = flagsOff([
    ...('unlessFlags' in guard ? (guard.unlessFlags ?? []) : []),
    ...(change.unlessFlags ?? []),
  ]);
  if (!flags) return base;
  return {
    expression: `${base.expression} AND ${flags.expression}`,
    values: { ...base.values, ...flags.values },
    names: flags.names,
  };
}

function guardCondition(guard: WriteGuard): Condition {
  if ('owner' in guard) {
    const owner: Condition = {
      expression: 'attribute_exists(pk) AND ownerId = :caller',
      values: { ':caller': { S: guard.owner } },
    };
    if (guard.action === undefined) return owner;
    // `contains` on a missing attribute is false: no policy, or one that cannot deny the owner.
    // A policy put before ownerDenyActions existed (policyHasDeny), or whose ownerDenyActions was
    // computed over another list of actions than today's (ownerDenyScope), is evaluated instead.
    return {
      expression: `${owner.expression} AND NOT contains(ownerDenyActions, :action) AND attribute_not_exists(policyHasDeny) AND (attribute_not_exists(policy) OR ownerDenyScope = :scope)`,
      values: { ...owner.values, ':action': { S: guard.action }, ':scope': { S: guard.ownerDenyScope } },
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
    guard: WriteGuard,
    operation: string,
    change: BucketChange,
  ): Promise<WriteResult> {
    const condition = writeCondition(guard, change);
    const update = updateExpression(change, lastChangeAttribute());
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: bucketKey(name),
          UpdateExpression: update.expression,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: { ...update.names, ...condition.names },
          ExpressionAttributeValues: { ...update.values, ...condition.values },
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
    async createBucket({ name, ownerId, region, createdAt, configurations = {} }) {
      const policyRevision = randomUUID();
      for (const attribute of Object.keys(configurations)) {
        if (MANAGED_ATTRIBUTES.has(attribute) || BUCKET_ATTRIBUTES.has(attribute)) {
          throw new Error(`a configuration may not write ${attribute}`);
        }
      }
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...configurations,
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
      const now = { N: String(Math.floor(Date.now() / 1000)) };
      // Expired at once: TTL removes the marker within days (it only has to outlive the stream record).
      return conditionedUpdate(name, guard, 'deleteBucket', {
        set: { deletedAt: now, [TTL_ATTRIBUTE]: now },
        remove: LIVE_ATTRIBUTES,
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

    updateBucket(name, guard, change) {
      // The log names what the failed write touched, e.g. `updateBucket encryption`.
      const attributes = [...Object.keys(change.set ?? {}), ...(change.remove ?? [])];
      return conditionedUpdate(name, guard, `updateBucket ${attributes.join(',')}`, change);
    },
  };
}
