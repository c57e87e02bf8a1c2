// GetBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
// The owner's account only; the policy as it was put.
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:GetBucketPolicy';

export const getBucketPolicy: S3Operation = {
  name: 'GetBucketPolicy',
  method: 'GET',
  target: 'bucket',
  subresource: 'policy',
  action: ACTION,
  async handle(request) {
    const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
    if (record.policy === undefined)
      throw new S3Error('NoSuchBucketPolicy', { fields: { BucketName: request.bucket } });
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: record.policy };
  },
};
