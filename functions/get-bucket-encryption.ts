// GetBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
// One strongly consistent GetItem on the bucket item.
import { authorize } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { serializeEncryptionConfiguration } from '../lib/encryption/serialize.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import { storage } from '../lib/storage/index.ts';

export const getBucketEncryption: S3Operation = {
  name: 'GetBucketEncryption',
  method: 'GET',
  target: 'bucket',
  subresource: 'encryption',
  async handle(request) {
    const { bucket } = request;
    const record = authorize(
      await storage().buckets.getBucket(bucket),
      request,
      's3:GetEncryptionConfiguration',
    );
    const answering = profile();
    let encryption = record.encryption;
    if (!encryption) {
      if (answering.unsetAnswer !== 'platform-default') {
        throw new S3Error(answering.unsetAnswer, { fields: { BucketName: bucket } });
      }
      encryption = { ...answering.platformDefault, updatedAt: '', updatedBy: '' };
    }
    return xmlResponse(serializeEncryptionConfiguration(encryption, answering, config()));
  },
};
