// CreateBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
import { config } from '../lib/config.ts';
import { parseLocationConstraint } from '../lib/create-bucket-configuration.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { verifyIntegrity } from '../lib/integrity.ts';
import { storage } from '../lib/storage/index.ts';

const LEGACY_REGION = 'us-east-1';

export const createBucket: S3Operation = {
  name: 'CreateBucket',
  method: 'PUT',
  target: 'bucket',
  async handle({ bucket, caller, body, effectiveHeaders }) {
    const serviceRegion = config().region;
    // A digest sent with the body is verified, as for every body an operation reads: under V2 and OBS a
    // signed Content-MD5 is what binds the body to the signature (docs/security.md "Replay").
    await verifyIntegrity(effectiveHeaders, body, { required: false });
    const region = parseLocationConstraint(body, serviceRegion);
    const created = await storage().buckets.createBucket({
      name: bucket,
      ownerId: caller.accountId,
      region,
      createdAt: new Date().toISOString(),
    });
    if (!created.ok) {
      const ownedByCaller = created.ownerId === caller.accountId;
      // AWS's legacy us-east-1 behaviour (CreateBucket API reference): re-creating a bucket you own
      // there answers 200 and changes nothing — the conditional put above wrote nothing.
      if (ownedByCaller && serviceRegion === LEGACY_REGION)
        return emptyResponse(200, { location: `/${bucket}` });
      throw new S3Error(ownedByCaller ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists', {
        fields: { BucketName: bucket },
      });
    }
    return emptyResponse(200, { location: `/${bucket}` });
  },
};
