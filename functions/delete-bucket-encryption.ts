// DeleteBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
// One conditional UpdateItem; 204 also when nothing was set.
import { authorizedWrite } from '../lib/auth/authorize.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const deleteBucketEncryption: S3Operation = {
  name: 'DeleteBucketEncryption',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'encryption',
  async handle(request) {
    const { bucket } = request;
    const buckets = storage().buckets;
    await authorizedWrite(
      request,
      's3:PutEncryptionConfiguration', // S3 has no separate action for DeleteBucketEncryption
      (guard) => buckets.deleteEncryption(bucket, guard),
      buckets.getBucket,
    );
    return emptyResponse(204);
  },
};
