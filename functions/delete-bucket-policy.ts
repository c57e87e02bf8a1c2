// DeleteBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html
// The owner's account only; 204 also when there was none.
import { authorizedWrite } from '../lib/auth/authorize.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const deleteBucketPolicy: S3Operation = {
  name: 'DeleteBucketPolicy',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'policy',
  async handle(request) {
    const buckets = storage().buckets;
    await authorizedWrite(
      request,
      's3:DeleteBucketPolicy',
      (guard) => buckets.deletePolicy(request.bucket, guard),
      buckets.getBucket,
    );
    return emptyResponse(204);
  },
};
