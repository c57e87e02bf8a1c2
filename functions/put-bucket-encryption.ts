// PutBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
// Steady state: one conditional UpdateItem. AWS checks the bucket before the body, so when the body
// (or its checksum) is refused, one read tells NoSuchBucket and AccessDenied apart first.
import { assertMayAct, expectedBucketOwner, writeAsOwner } from '../lib/auth/authorize.ts';
import { config } from '../lib/config.ts';
import type { EncryptionConfiguration } from '../lib/encryption/model.ts';
import { MAX_CONFIGURATION_BYTES, parseEncryptionConfiguration } from '../lib/encryption/parse.ts';
import { getProfile } from '../lib/encryption/profiles.ts';
import { S3Error } from '../lib/errors.ts';
import type { BucketRequest, S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { verifyIntegrity } from '../lib/integrity.ts';
import { storage } from '../lib/storage/index.ts';

async function readConfiguration(request: BucketRequest): Promise<EncryptionConfiguration> {
  const settings = config();
  const profile = getProfile(settings.profile);
  // Refuse an announced oversize body before touching it.
  if (Number(request.headers['content-length'] ?? 0) > MAX_CONFIGURATION_BYTES) {
    throw new S3Error('MaxMessageLengthExceeded');
  }
  await verifyIntegrity(request.headers, request.body, { required: profile.integrityRequired });
  return parseEncryptionConfiguration(request.body, profile, settings);
}

export const putBucketEncryption: S3Operation = {
  name: 'PutBucketEncryption',
  method: 'PUT',
  target: 'bucket',
  subresource: 'encryption',
  async handle(request) {
    const { bucket, caller } = request;
    const expectedOwner = expectedBucketOwner(request);
    const buckets = storage().buckets;
    let configuration: EncryptionConfiguration;
    try {
      configuration = await readConfiguration(request);
    } catch (bodyError) {
      assertMayAct(bucket, await buckets.getBucket(bucket), caller, expectedOwner);
      throw bodyError;
    }
    const stored = { ...configuration, updatedAt: new Date().toISOString(), updatedBy: caller.accountId };
    await writeAsOwner(
      request,
      () => buckets.putEncryption(bucket, caller.accountId, stored),
      buckets.getBucket,
    );
    return emptyResponse(200);
  },
};
