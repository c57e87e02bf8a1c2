// PutBucketOwnershipControls — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html
// Steady state: one conditional UpdateItem. (BucketOwnerEnforced on a bucket whose ACL grants others
// is InvalidBucketAclWithObjectOwnership in AWS; a bucket here never has such an ACL.)

import { config, profile } from '../lib/config.ts';
import { putConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { ownershipControlsCodec } from '../lib/ownership/codec.ts';
import type { S3Action } from '../lib/policy/index.ts';

const ACTION: S3Action = 's3:PutBucketOwnershipControls';

export const putBucketOwnershipControls: S3Operation = {
  name: 'PutBucketOwnershipControls',
  method: 'PUT',
  target: 'bucket',
  subresource: 'ownershipControls',
  action: ACTION,
  async handle(request) {
    await putConfiguration(request, ACTION, ownershipControlsCodec, (body) =>
      ownershipControlsCodec.parse(body, profile(), config()),
    );
    return emptyResponse(200);
  },
};
