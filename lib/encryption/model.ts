// The bucket's default encryption configuration as this service stores and returns it.
// A plain JSON value: it is also the map stored in the bucket's DynamoDB item, so optional
// fields are absent (never `undefined`) and there are no classes or dates in it. Mutable, so that
// storage can build it field by field; the profiles' platform defaults are frozen.

/** Every SSEAlgorithm any profile speaks; each profile accepts its own subset (profiles.ts). */
export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse' | 'verenc' | 'kms';

/** `BlockedEncryptionTypes/EncryptionType`: NONE or SSE-C (AWS's only values). */
export type BlockedEncryptionType = 'NONE' | 'SSE-C';

export interface EncryptionConfiguration {
  sseAlgorithm: SseAlgorithm;
  /** Only with a KMS algorithm; absent = the platform-managed key (aws, obs). */
  kmsMasterKeyId?: string;
  /** OBS only, and only together with a key. */
  projectId?: string;
  /** Stored and returned; false when the request did not say. */
  bucketKeyEnabled: boolean;
  /** De-duplicated, in the order first sent; absent when the request had none. */
  blockedEncryptionTypes?: BlockedEncryptionType[];
}
