// DeleteBucketOwnershipControls — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketOwnershipControls.html
// One conditional UpdateItem; 204 also when nothing was set.

import { deleteConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { ownershipControlsCodec } from '../lib/ownership/codec.ts';
import type { S3Action } from '../lib/policy/index.ts';

// AWS authorizes DeleteBucketOwnershipControls as s3:PutBucketOwnershipControls (its API reference).
const ACTION: S3Action = 's3:PutBucketOwnershipControls';

export const deleteBucketOwnershipControls: S3Operation = {
  name: 'DeleteBucketOwnershipControls',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'ownershipControls',
  action: ACTION,
  async handle(request) {
    await deleteConfiguration(request, ACTION, ownershipControlsCodec);
    return emptyResponse(204);
  },
};
