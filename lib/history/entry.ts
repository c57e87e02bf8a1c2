// One DynamoDB stream record of a bucket item → the history entry it stands for (pure; no AWS calls).
// The table's stream carries NEW_AND_OLD_IMAGES, and every write to a bucket item also sets its
// `lastChange` map (lib/storage/change.ts), so one record holds who, what, when, before and after.
// DeleteBucket leaves a deletion marker (lib/storage/buckets.ts) whose new image names the deleter.
// Records of other items (accounts, keys, the history itself) and TTL's removal of a marker are no change.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { EncryptionConfiguration } from '../encryption/model.ts';
import { type BucketRecord, fromItem, isDeletionMarker } from '../storage/buckets.ts';
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

/** The encryption configuration in S3's own element names, as an auditor reads it. */
function configurationView(encryption: EncryptionConfiguration | undefined) {
  if (!encryption) return null;
  return {
    SSEAlgorithm: encryption.sseAlgorithm,
    ...(encryption.kmsMasterKeyId !== undefined ? { KMSMasterKeyID: encryption.kmsMasterKeyId } : {}),
    ...(encryption.projectId !== undefined ? { ProjectID: encryption.projectId } : {}),
    BucketKeyEnabled: encryption.bucketKeyEnabled,
    ...(encryption.blockedEncryptionTypes?.length
      ? { BlockedEncryptionTypes: encryption.blockedEncryptionTypes }
      : {}),
  };
}

const bucketView = (bucket: BucketRecord | undefined) =>
  bucket
    ? {
        owner: bucket.ownerId,
        region: bucket.region,
        createdAt: bucket.createdAt,
        encryption: configurationView(bucket.encryption),
        policy: bucket.policy ?? null,
      }
    : null;

/** What an operation's entry shows as before and after: the part of the bucket it changes. */
function stateView(operation: string, bucket: BucketRecord | undefined): unknown {
  if (operation.endsWith('BucketEncryption')) return configurationView(bucket?.encryption);
  if (operation.endsWith('BucketPolicy')) return bucket?.policy ?? null;
  return bucketView(bucket);
}

/** The operation a change without a recorded one was (a write made outside the S3 API). */
function inferOperation(before: BucketRecord | undefined, after: BucketRecord | undefined): string {
  if (!before) return 'CreateBucket';
  if (!after) return 'DeleteBucket';
  if (JSON.stringify(before.encryption) !== JSON.stringify(after.encryption))
    return after.encryption ? 'PutBucketEncryption' : 'DeleteBucketEncryption';
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
  if (requestId !== null && change.OldImage?.lastChange?.M?.requestId?.S === requestId) return undefined;
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
  };
}
