// GetBucketLocation — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
// The bucket's region; empty for us-east-1, as AWS answers (its legacy "no constraint" region). In
// OBS's dialect (obs profile, OBS signature or none) OBS's own document, which always names the region:
// https://support.huaweicloud.com/intl/en-us/api-obs/obs_04_0024.html
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { dialectOf, S3_NAMESPACE } from '../lib/encryption/profiles.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';
import { escapeXml, TEXT_KEY, xmlDocument } from '../lib/xml/write.ts';

const ACTION: S3Action = 's3:GetBucketLocation';

export const getBucketLocation: S3Operation = {
  name: 'GetBucketLocation',
  method: 'GET',
  target: 'bucket',
  subresource: 'location',
  action: ACTION,
  async handle(request) {
    const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
    const answering = profile();
    const dialect = dialectOf(request);
    if (answering.locationDocument[dialect] === 'Location') {
      const { region, obsDomain } = config();
      const namespace = escapeXml(answering.namespace(region, obsDomain));
      return xmlResponse(
        `${answering.xmlDeclaration}<Location xmlns="${namespace}">${escapeXml(record.region)}</Location>`,
      );
    }
    const constraint = record.region === 'us-east-1' ? undefined : record.region;
    return xmlResponse(xmlDocument('LocationConstraint', { [TEXT_KEY]: constraint }, S3_NAMESPACE));
  },
};
