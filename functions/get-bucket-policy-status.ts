// GetBucketPolicyStatus — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicyStatus.html
// One strongly consistent GetItem, authorized as s3:GetBucketPolicyStatus; IsPublic by the one
// definition (lib/policy/public.ts), read from the stored policy as authorization parses it (imported on
// demand, kept per container). No policy → 404 NoSuchBucketPolicy, as AWS answers (docs/behaviour.md
// › Policy status, with the evidence).
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { serializePolicyStatus } from '../lib/public-access-block/policy-status.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:GetBucketPolicyStatus';

export const getBucketPolicyStatus: S3Operation = {
  name: 'GetBucketPolicyStatus',
  method: 'GET',
  target: 'bucket',
  subresource: 'policyStatus',
  action: ACTION,
  async handle(request) {
    const { bucket } = request;
    const record = await authorizeAccess(await storage().buckets.getBucket(bucket), request, ACTION);
    if (record.policy === undefined)
      throw new S3Error('NoSuchBucketPolicy', { fields: { BucketName: bucket } });
    const { isStoredPolicyPublic } = await import('../lib/auth/policy-verdict.ts');
    return xmlResponse(
      serializePolicyStatus(isStoredPolicyPublic(bucket, record.policy), profile(), config()),
    );
  },
};
