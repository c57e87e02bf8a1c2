// OBS's API-version probe: Huawei's SDK sends an unsigned `HEAD /?apiversion` (or
// `HEAD /{bucket}?apiversion`) and signs with the OBS scheme only when the answer carries
// `x-obs-api: 3.0`. Served in the obs profile only.
import { profile } from '../lib/config.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Request } from '../lib/request.ts';

async function answerApiVersion(request: S3Request) {
  if (!profile().apiVersionProbe) {
    throw new S3Error('NotImplemented', {
      message: `The ?apiversion subresource is not implemented by this service`,
    });
  }
  return emptyResponse(200, {
    'x-obs-api': '3.0',
    ...(request.bucket ? { 'x-obs-bucket-type': 'OBJECT' } : {}),
  });
}

export const headServiceApiVersion: S3Operation = {
  name: 'HeadApiVersion',
  method: 'HEAD',
  target: 'service',
  subresource: 'apiversion',
  anonymous: true,
  handle: answerApiVersion,
};

export const headBucketApiVersion: S3Operation = { ...headServiceApiVersion, target: 'bucket' };
