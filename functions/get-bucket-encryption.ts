// GetBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
// One strongly consistent GetItem on the bucket item.

import { config, profile } from '../lib/config.ts';
import { encryptionCodec } from '../lib/encryption/codec.ts';
import { S3Error } from '../lib/errors.ts';
import { getConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';

const ACTION: S3Action = 's3:GetEncryptionConfiguration';

export const getBucketEncryption: S3Operation = {
  name: 'GetBucketEncryption',
  method: 'GET',
  target: 'bucket',
  subresource: 'encryption',
  action: ACTION,
  async handle(request) {
    const answering = profile();
    let encryption = await getConfiguration(request, ACTION, encryptionCodec);
    if (!encryption) {
      if (answering.unsetAnswer !== 'platform-default') {
        throw new S3Error(answering.unsetAnswer, { fields: { BucketName: request.bucket } });
      }
      encryption = { ...answering.platformDefault, updatedAt: '', updatedBy: '' };
    }
    return xmlResponse(encryptionCodec.serialize(encryption, answering, config()));
  },
};
