// The encryption configuration's attribute on the bucket item, and the view an auditor reads in the
// history: the half of its codec (codec.ts) without the XML. The history Lambda reads only this
// half, so its bundle leaves fast-xml-parser out (docs/performance.md, "Cold start").
//
// The stored shape is byte-identical to what the table has always held (a map of sseAlgorithm,
// bucketKeyEnabled, updatedAt, updatedBy and the optional kmsMasterKeyId, projectId,
// blockedEncryptionTypes): existing tables keep working, and the history's before/after, read from
// the stream's images, decode old and new records alike (docs/architecture.md).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeCodec } from '../storage/buckets.ts';
import type { BlockedEncryptionType, EncryptionConfiguration, SseAlgorithm } from './model.ts';

/** The configuration as stored: with when and by which account it was last put. */
export interface StoredEncryption extends EncryptionConfiguration {
  updatedAt: string;
  updatedBy: string;
}

function toAttribute(encryption: StoredEncryption): AttributeValue {
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

function fromAttribute(value: AttributeValue | undefined): StoredEncryption | undefined {
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

/** The configuration in S3's own element names, as an auditor reads it (docs/history.md); null = none. */
function view(encryption: EncryptionConfiguration | undefined) {
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

export const encryptionAttribute = {
  attribute: 'encryption',
  toAttribute,
  fromAttribute,
  view,
} as const satisfies AttributeCodec<StoredEncryption> & Record<string, unknown>;
