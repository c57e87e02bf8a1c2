// DeletePublicAccessBlock — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html
// One conditional UpdateItem; 204 also when nothing was set.

import { deleteConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { publicAccessBlockCodec } from '../lib/public-access-block/codec.ts';

// AWS authorizes DeletePublicAccessBlock as s3:PutBucketPublicAccessBlock (its API reference).
const ACTION: S3Action = 's3:PutBucketPublicAccessBlock';

export const deletePublicAccessBlock: S3Operation = {
  name: 'DeletePublicAccessBlock',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'publicAccessBlock',
  action: ACTION,
  async handle(request) {
    await deleteConfiguration(request, ACTION, publicAccessBlockCodec);
    return emptyResponse(204);
  },
};
