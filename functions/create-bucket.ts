// CreateBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
import { config } from '../lib/config.ts';
import { parseLocationConstraint } from '../lib/create-bucket-configuration.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const createBucket: S3Operation = {
  name: 'CreateBucket',
  method: 'PUT',
  target: 'bucket',
  async handle({ bucket, caller, body }) {
    const region = parseLocationConstraint(body, config().region);
    const created = await storage().buckets.createBucket({
      name: bucket,
      ownerId: caller.accountId,
      region,
      createdAt: new Date().toISOString(),
    });
    if (!created.ok) {
      const code = created.ownerId === caller.accountId ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists';
      throw new S3Error(code, { fields: { BucketName: bucket } });
    }
    return emptyResponse(200, { location: `/${bucket}` });
  },
};
