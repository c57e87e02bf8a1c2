// DeleteBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
// One conditional UpdateItem; 204 also when nothing was set.

import { encryptionCodec } from '../lib/encryption/codec.ts';
import { deleteConfiguration } from '../lib/http/configuration.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';

// S3 has no separate action for DeleteBucketEncryption.
const ACTION: S3Action = 's3:PutEncryptionConfiguration';

export const deleteBucketEncryption: S3Operation = {
  name: 'DeleteBucketEncryption',
  method: 'DELETE',
  target: 'bucket',
  subresource: 'encryption',
  action: ACTION,
  async handle(request) {
    await deleteConfiguration(request, ACTION, encryptionCodec);
    return emptyResponse(204);
  },
};
