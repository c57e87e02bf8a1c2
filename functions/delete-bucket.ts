// DeleteBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
// The bucket item holds its encryption configuration and policy: they go with it.
import { accessDenied, noSuchBucket } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const deleteBucket: S3Operation = {
  name: 'DeleteBucket',
  method: 'DELETE',
  target: 'bucket',
  async handle({ bucket, caller }) {
    const deleted = await storage().buckets.deleteBucket(bucket, caller.accountId);
    if (!deleted.ok) throw deleted.reason === 'no-such-bucket' ? noSuchBucket(bucket) : accessDenied();
    return emptyResponse(204);
  },
};
