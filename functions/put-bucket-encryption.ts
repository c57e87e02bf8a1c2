// PutBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
// Steady state: one conditional UpdateItem. AWS checks the bucket before the body, so when the body
// (or its checksum) is refused, one read tells NoSuchBucket and AccessDenied apart first.

import { config, profile } from '../lib/config.ts';
import { encryptionCodec } from '../lib/encryption/codec.ts';
import { putConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';

const ACTION: S3Action = 's3:PutEncryptionConfiguration';

export const putBucketEncryption: S3Operation = {
  name: 'PutBucketEncryption',
  method: 'PUT',
  target: 'bucket',
  subresource: 'encryption',
  action: ACTION,
  async handle(request) {
    await putConfiguration(request, ACTION, encryptionCodec, (body) => ({
      ...encryptionCodec.parse(body, profile(), config()),
      updatedAt: new Date().toISOString(),
      updatedBy: request.caller.accountId,
    }));
    return emptyResponse(200);
  },
};
