// CreateBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
// One conditional PutItem, which also stores the bucket's first configurations: the new-bucket
// defaults of the deployment's profile (Block Public Access on, BucketOwnerEnforced: AWS since April
// 2023; none with S3_BUCKET_DEFAULTS=legacy) and the x-amz-object-ownership it names.
import { acceptOwnerOnlyAcl, readAclHeaders } from '../lib/acl/request.ts';
import { bucketArn } from '../lib/bucket-name.ts';
import { config, profile } from '../lib/config.ts';
import { parseLocationConstraint } from '../lib/create-bucket-configuration.ts';
import { dialectOf } from '../lib/encryption/profiles.ts';
import { notImplemented, S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { verifyIntegrity } from '../lib/integrity.ts';
import { ownershipControlsAttribute } from '../lib/ownership/attribute.ts';
import { parseObjectOwnershipHeader } from '../lib/ownership/parse.ts';
import { publicAccessBlockAttribute } from '../lib/public-access-block/attribute.ts';
import { setConfiguration } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

const LEGACY_REGION = 'us-east-1';

export const createBucket: S3Operation = {
  name: 'CreateBucket',
  method: 'PUT',
  target: 'bucket',
  async handle(request) {
    const { bucket, caller, body, effectiveHeaders } = request;
    const serviceRegion = config().region;
    const answering = profile();
    // A digest sent with the body is verified, as for every body an operation reads: under V2 and OBS a
    // signed Content-MD5 is what binds the body to the signature (docs/security.md "Replay").
    await verifyIntegrity(effectiveHeaders, body, { required: false });
    const dialect = dialectOf(request);
    const region = parseLocationConstraint(body, serviceRegion, answering.locationDocument[dialect]);
    const named = effectiveHeaders['x-amz-object-ownership'];
    if (named !== undefined && !answering.objectOwnership) {
      // A vendor without Object Ownership (Huawei OBS) has no such header: S3's own answer.
      throw notImplemented();
    }
    // Object Lock (with the versioning it turns on) is not served: a bucket created without it would not
    // be the bucket the client asked for, so nothing is created (docs/behaviour.md "Buckets").
    const prefix = answering.headerPrefix[dialect];
    if (effectiveHeaders[`${prefix}bucket-object-lock-enabled`]?.trim().toLowerCase() === 'true') {
      throw notImplemented('Object Lock is not implemented by this service');
    }
    const defaults = answering.newBucketDefaults;
    const objectOwnership =
      named === undefined ? defaults.objectOwnership : parseObjectOwnershipHeader(named);
    // An ACL other than the owner's full control cannot go with ACLs disabled (AWS:
    // InvalidBucketAclWithObjectOwnership), and is not kept here otherwise.
    acceptOwnerOnlyAcl(
      readAclHeaders(effectiveHeaders, prefix, caller.accountId),
      objectOwnership,
      'InvalidBucketAclWithObjectOwnership',
    );
    const created = await storage().buckets.createBucket({
      name: bucket,
      ownerId: caller.accountId,
      region,
      createdAt: new Date().toISOString(),
      configurations: {
        ...(defaults.publicAccessBlock &&
          setConfiguration(publicAccessBlockAttribute, defaults.publicAccessBlock).set),
        ...(objectOwnership && setConfiguration(ownershipControlsAttribute, { objectOwnership }).set),
      },
    });
    if (!created.ok) {
      const ownedByCaller = created.ownerId === caller.accountId;
      // AWS's legacy us-east-1 behaviour (CreateBucket API reference): re-creating a bucket you own
      // there answers 200 and changes nothing — the conditional put above wrote nothing.
      if (ownedByCaller && serviceRegion === LEGACY_REGION) return created200(bucket);
      throw new S3Error(ownedByCaller ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists', {
        fields: { BucketName: bucket },
      });
    }
    return created200(bucket);
  },
};

/** CreateBucket's 200: its Location, and in the aws profile the bucket's ARN (S3's `x-amz-bucket-arn`). */
const created200 = (bucket: string) =>
  emptyResponse(200, {
    location: `/${bucket}`,
    ...(profile().bucketArn && { 'x-amz-bucket-arn': bucketArn(bucket) }),
  });
