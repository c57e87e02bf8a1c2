// PutBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
// Steady state: one conditional UpdateItem. AWS checks the bucket before the body, so when the body
// (or its checksum) is refused, one read tells NoSuchBucket and AccessDenied apart first.
import { authorizeAccess, authorizedWrite } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { encryptionCodec } from '../lib/encryption/codec.ts';
import type { EncryptionConfiguration } from '../lib/encryption/model.ts';
import type { BucketRequest, S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { verifyIntegrity } from '../lib/integrity.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { setConfiguration } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:PutEncryptionConfiguration';

async function readConfiguration(request: BucketRequest): Promise<EncryptionConfiguration> {
  // The body's size was checked when the request was decoded (lib/http/addressing.ts).
  await verifyIntegrity(request.effectiveHeaders, request.body, { required: profile().integrityRequired });
  return encryptionCodec.parse(request.body, profile(), config());
}

export const putBucketEncryption: S3Operation = {
  name: 'PutBucketEncryption',
  method: 'PUT',
  target: 'bucket',
  subresource: 'encryption',
  action: ACTION,
  async handle(request) {
    const { bucket, caller } = request;
    const buckets = storage().buckets;
    let configuration: EncryptionConfiguration;
    try {
      configuration = await readConfiguration(request);
    } catch (bodyError) {
      // AWS checks the bucket and the caller's rights before the body.
      await authorizeAccess(await buckets.getBucket(bucket), request, ACTION);
      throw bodyError;
    }
    const stored = { ...configuration, updatedAt: new Date().toISOString(), updatedBy: caller.accountId };
    const change = setConfiguration(encryptionCodec, stored);
    await authorizedWrite(
      request,
      ACTION,
      (guard) => buckets.updateBucket(bucket, guard, change),
      buckets.getBucket,
    );
    return emptyResponse(200);
  },
};
