// HeadBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
import { accessDenied, noSuchBucket } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const headBucket: S3Operation = {
  name: 'HeadBucket',
  method: 'HEAD',
  target: 'bucket',
  async handle({ bucket, caller }) {
    const record = await storage().buckets.getBucket(bucket);
    if (!record) throw noSuchBucket(bucket);
    if (record.ownerId !== caller.accountId) throw accessDenied();
    return emptyResponse(200, { 'x-amz-bucket-region': record.region });
  },
};
