// DeleteBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
// The bucket item holds its encryption configuration and policy: they go with it. Steady state (the
// owner, no Deny that could apply): one conditional DeleteItem.
import { authorizedWrite } from '../lib/auth/authorize.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:DeleteBucket';

export const deleteBucket: S3Operation = {
  name: 'DeleteBucket',
  method: 'DELETE',
  target: 'bucket',
  action: ACTION,
  async handle(request) {
    const buckets = storage().buckets;
    await authorizedWrite(
      request,
      ACTION,
      (guard) => buckets.deleteBucket(request.bucket, guard),
      buckets.getBucket,
    );
    return emptyResponse(204);
  },
};
