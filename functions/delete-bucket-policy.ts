// DeleteBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html
// The owner's account only; 204 also when there was none.
import { authorizedWrite } from '../lib/auth/authorize.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { deletePolicyChange } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:DeleteBucketPolicy';

export const deleteBucketPolicy: S3Operation = {
  name: 'DeleteBucketPolicy',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'policy',
  action: ACTION,
  async handle(request) {
    const buckets = storage().buckets;
    await authorizedWrite(
      request,
      ACTION,
      (guard) => buckets.updateBucket(request.bucket, guard, deletePolicyChange()),
      buckets.getBucket,
    );
    return emptyResponse(204);
  },
};
