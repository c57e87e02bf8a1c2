// GetBucketOwnershipControls — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketOwnershipControls.html
// One strongly consistent GetItem. Nothing set → 404 OwnershipControlsNotFoundError.

import { config, profile } from '../lib/config.ts';
import { S3Error } from '../lib/errors.ts';
import { getConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import { ownershipControlsCodec } from '../lib/ownership/codec.ts';
import type { S3Action } from '../lib/policy/index.ts';

const ACTION: S3Action = 's3:GetBucketOwnershipControls';

export const getBucketOwnershipControls: S3Operation = {
  name: 'GetBucketOwnershipControls',
  method: 'GET',
  target: 'bucket',
  subresource: 'ownershipControls',
  action: ACTION,
  async handle(request) {
    const controls = await getConfiguration(request, ACTION, ownershipControlsCodec);
    if (!controls) {
      throw new S3Error('OwnershipControlsNotFoundError', { fields: { BucketName: request.bucket } });
    }
    return xmlResponse(ownershipControlsCodec.serialize(controls, profile(), config()));
  },
};
