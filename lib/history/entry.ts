// One DynamoDB stream record of a bucket item → the history entry it stands for (pure; no AWS calls).
// The table's stream carries NEW_AND_OLD_IMAGES, and every write to a bucket item also sets its
// `lastChange` map (lib/storage/change.ts), so one record holds who, what, when, before and after.
// DeleteBucket leaves a deletion marker (lib/storage/buckets.ts) whose new image names the deleter.
// Records of other items (accounts, keys, the history itself) and TTL's removal of a marker are no change.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { encryptionAttribute } from '../encryption/attribute.ts';
import { ownershipControlsAttribute } from '../ownership/attribute.ts';
import { publicAccessBlockAttribute } from '../public-access-block/attribute.ts';
import {
  type AttributeCodec,
  type BucketRecord,
  fromItem,
  isDeletionMarker,
  readConfiguration,
} from '../storage/buckets.ts';
import type { HistoryEntry } from '../storage/history.ts';

type Image = Record<string, AttributeValue>;

/** The parts of a DynamoDB stream record read here (the Lambda event's `Records[]` and GetRecords' shape). */
export interface BucketStreamRecord {
  eventID?: string | undefined;
  eventName?: string | undefined;
  dynamodb?:
    | {
        Keys?: Image | undefined;
        NewImage?: Image | undefined;
        OldImage?: Image | undefined;
        SequenceNumber?: string | undefined;
        /** Epoch seconds (the Lambda event; GetRecords' Date is converted to it by the local poller). */
        ApproximateCreationDateTime?: number | undefined;
      }
    | undefined;
}

/** A configuration subresource's codec, with the view an auditor reads (null when none is set). */
type ViewedCodec<T> = AttributeCodec<T> & { view(value: T | undefined): unknown };

/** How the history reads one configuration subresource of a bucket item. */
const configuration = <T>(suffix: string, codec: ViewedCodec<T>) => ({
  /** The operations that change it: Put<suffix>, Delete<suffix>. */
  suffix,
  /** Its field in a whole-bucket view: the stored attribute's name. */
  field: codec.attribute,
  read: (bucket: BucketRecord | undefined) => readConfiguration(codec, bucket),
  view: (bucket: BucketRecord | undefined) => codec.view(readConfiguration(codec, bucket)),
});

/** The configuration subresources the history shows, one row each. */
const CONFIGURATIONS = [
  configuration('BucketEncryption', encryptionAttribute),
  configuration('PublicAccessBlock', publicAccessBlockAttribute),
  configuration('BucketOwnershipControls', ownershipControlsAttribute),
];

const bucketView = (bucket: BucketRecord | undefined) =>
  bucket
    ? {
        owner: bucket.ownerId,
        region: bucket.region,
        createdAt: bucket.createdAt,
        ...Object.fromEntries(CONFIGURATIONS.map(({ field, view }) => [field, view(bucket)])),
        policy: bucket.policy ?? null,
      }
    : null;

/** What an operation's entry shows as before and after: the part of the bucket it changes. */
function stateView(operation: string, bucket: BucketRecord | undefined): unknown {
  const changed = CONFIGURATIONS.find(({ suffix }) => operation.endsWith(suffix));
  if (changed) return changed.view(bucket);
  if (operation.endsWith('BucketPolicy')) return bucket?.policy ?? null;
  return bucketView(bucket);
}

/** The operation a change without a recorded one was (a write made outside the S3 API). */
function inferOperation(before: BucketRecord | undefined, after: BucketRecord | undefined): string {
  if (!before) return 'CreateBucket';
  if (!after) return 'DeleteBucket';
  for (const { suffix, read } of CONFIGURATIONS) {
    const is = read(after);
    if (JSON.stringify(read(before)) !== JSON.stringify(is))
      return is !== undefined ? `Put${suffix}` : `Delete${suffix}`;
  }
  if (before.policy !== after.policy)
    return after.policy !== undefined ? 'PutBucketPolicy' : 'DeleteBucketPolicy';
  return 'UpdateBucket';
}

const liveBucket = (image: Image | undefined): BucketRecord | undefined =>
  image && !isDeletionMarker(image) ? fromItem(image) : undefined;

/** The entry a stream record stands for; undefined when it is not a change of a bucket. */
export function historyEntryOf(record: BucketStreamRecord): HistoryEntry | undefined {
  const change = record.dynamodb;
  if (!change?.Keys?.pk?.S?.startsWith('BUCKET#') || change.Keys.sk?.S !== 'BUCKET') return undefined;
  const before = liveBucket(change.OldImage);
  const after = liveBucket(change.NewImage);
  const live = after ?? before;
  if (!live) return undefined;
  // A record without a new image is a removal nobody recorded (not DeleteBucket, which leaves a marker).
  const recorded = change.NewImage?.lastChange?.M ?? {};
  const text = (name: string) => recorded[name]?.S ?? null;
  // The SDK retries a write whose answer timed out, and the retry may apply again on top of the first
  // application (same request, same values): one accepted request, so one entry.
  const requestId = text('requestId');
  const previousRequestId = change.OldImage?.lastChange?.M?.requestId?.S;
  if (requestId !== null && previousRequestId === requestId) return undefined;
  const operation = text('operation') ?? inferOperation(before, after);
  const approximate = (change.ApproximateCreationDateTime ?? 0) * 1000;
  return {
    time: text('time') ?? new Date(approximate).toISOString(),
    operation,
    bucket: live.name || change.Keys.pk.S.slice('BUCKET#'.length),
    accountId: text('accountId'),
    accessKeyId: text('accessKeyId'),
    requestId,
    sourceIp: text('sourceIp'),
    before: stateView(operation, before),
    after: stateView(operation, after),
    bucketOwner: live.ownerId,
    generation: live.createdAt,
    version: change.NewImage?.version?.N ? Number(change.NewImage.version.N) : live.version + 1,
    // Tells a version skipped by a retried write from a lost change (lib/storage/history.ts gaps).
    ...(previousRequestId !== undefined ? { previousRequestId } : {}),
  };
}
