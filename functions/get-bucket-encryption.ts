// GetBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
// One strongly consistent GetItem on the bucket item.
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { encryptionCodec } from '../lib/encryption/codec.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { readConfiguration } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:GetEncryptionConfiguration';

export const getBucketEncryption: S3Operation = {
  name: 'GetBucketEncryption',
  method: 'GET',
  target: 'bucket',
  subresource: 'encryption',
  action: ACTION,
  async handle(request) {
    const { bucket } = request;
    const record = await authorizeAccess(await storage().buckets.getBucket(bucket), request, ACTION);
    const answering = profile();
    let encryption = readConfiguration(encryptionCodec, record);
    if (!encryption) {
      if (answering.unsetAnswer !== 'platform-default') {
        throw new S3Error(answering.unsetAnswer, { fields: { BucketName: bucket } });
      }
      encryption = { ...answering.platformDefault, updatedAt: '', updatedBy: '' };
    }
    return xmlResponse(encryptionCodec.serialize(encryption, answering, config()));
  },
};
