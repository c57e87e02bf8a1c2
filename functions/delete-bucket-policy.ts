// DeleteBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html
// Owner only; 204 also when there was none.
import { authorizeOwner } from '../lib/auth/authorize.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const deleteBucketPolicy: S3Operation = {
  name: 'DeleteBucketPolicy',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'policy',
  async handle(request) {
    const written = await storage().buckets.deletePolicy(request.bucket, request.caller.accountId);
    if (!written.ok) authorizeOwner(written.reason === 'refused' ? written.bucket : undefined, request);
    return emptyResponse(204);
  },
};
