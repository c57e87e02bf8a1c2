// GetBucketAcl — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html
// One strongly consistent GetItem: the owner's FULL_CONTROL grant, the only ACL a bucket has here.
import { serializeBucketAcl } from '../lib/acl/serialize.ts';
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { dialectOf } from '../lib/encryption/profiles.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:GetBucketAcl';

export const getBucketAcl: S3Operation = {
  name: 'GetBucketAcl',
  method: 'GET',
  target: 'bucket',
  subresource: 'acl',
  action: ACTION,
  async handle(request) {
    const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
    const dialect = dialectOf(request);
    return xmlResponse(serializeBucketAcl(record.ownerId, profile(), config(), dialect));
  },
};
