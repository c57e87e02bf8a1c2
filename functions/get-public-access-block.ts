// GetPublicAccessBlock — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
// One strongly consistent GetItem. Nothing set (deleted, a legacy-defaults bucket, or a bucket created
// before this service had the subresource) → 404 NoSuchPublicAccessBlockConfiguration.

import { config, profile } from '../lib/config.ts';
import { S3Error } from '../lib/errors.ts';
import { getConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { publicAccessBlockCodec } from '../lib/public-access-block/codec.ts';

const ACTION: S3Action = 's3:GetBucketPublicAccessBlock';

export const getPublicAccessBlock: S3Operation = {
  name: 'GetPublicAccessBlock',
  method: 'GET',
  target: 'bucket',
  subresource: 'publicAccessBlock',
  action: ACTION,
  async handle(request) {
    const configuration = await getConfiguration(request, ACTION, publicAccessBlockCodec);
    if (!configuration) {
      throw new S3Error('NoSuchPublicAccessBlockConfiguration', { fields: { BucketName: request.bucket } });
    }
    return xmlResponse(publicAccessBlockCodec.serialize(configuration, profile(), config()));
  },
};
