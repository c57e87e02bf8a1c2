// PutPublicAccessBlock — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
// Steady state: one conditional UpdateItem. A flag left out of the body is false.

import { config, profile } from '../lib/config.ts';
import { putConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { publicAccessBlockCodec } from '../lib/public-access-block/codec.ts';

const ACTION: S3Action = 's3:PutBucketPublicAccessBlock';

export const putPublicAccessBlock: S3Operation = {
  name: 'PutPublicAccessBlock',
  method: 'PUT',
  target: 'bucket',
  subresource: 'publicAccessBlock',
  action: ACTION,
  async handle(request) {
    await putConfiguration(request, ACTION, publicAccessBlockCodec, (body) =>
      publicAccessBlockCodec.parse(body, profile(), config()),
    );
    return emptyResponse(200);
  },
};
