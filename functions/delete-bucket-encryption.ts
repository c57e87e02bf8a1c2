// DeleteBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
// One conditional UpdateItem; 204 also when nothing was set.
import { authorizedWrite } from '../lib/auth/authorize.ts';
import { encryptionCodec } from '../lib/encryption/codec.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { removeConfiguration } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

// S3 has no separate action for DeleteBucketEncryption.
const ACTION: S3Action = 's3:PutEncryptionConfiguration';

export const deleteBucketEncryption: S3Operation = {
  name: 'DeleteBucketEncryption',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'encryption',
  action: ACTION,
  async handle(request) {
    const { bucket } = request;
    const buckets = storage().buckets;
    await authorizedWrite(
      request,
      ACTION,
      (guard) => buckets.updateBucket(bucket, guard, removeConfiguration(encryptionCodec)),
      buckets.getBucket,
    );
    return emptyResponse(204);
  },
};
