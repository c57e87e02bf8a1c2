// HeadBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
// Authorized as s3:ListBucket, as AWS does.
import { authorizeAccess } from '../lib/auth/authorize.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:ListBucket';

export const headBucket: S3Operation = {
  name: 'HeadBucket',
  method: 'HEAD',
  target: 'bucket',
  action: ACTION,
  async handle(request) {
    const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
    return emptyResponse(200, { 'x-amz-bucket-region': record.region });
  },
};
