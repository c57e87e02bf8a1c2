// PutBucketAcl — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html
// One strongly consistent GetItem and no write: the owner's full control (`private`, or the
// equivalent grant or AccessControlPolicy) is what the bucket already has; anything else is refused
// (docs/behaviour.md "Object Ownership and ACLs"). AWS checks the bucket and the caller first, then
// validates the ACL, then Object Ownership, then Block Public Access.
import { acceptOwnerOnlyAcl, readPutBucketAcl } from '../lib/acl/request.ts';
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { config, profile } from '../lib/config.ts';
import { requestHeaderPrefix } from '../lib/encryption/profiles.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { verifyIntegrity } from '../lib/integrity.ts';
import { ownershipControlsAttribute } from '../lib/ownership/attribute.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { BLOCK_PUBLIC_ACLS, flagOn } from '../lib/public-access-block/attribute.ts';
import { readConfiguration } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:PutBucketAcl';

export const putBucketAcl: S3Operation = {
  name: 'PutBucketAcl',
  method: 'PUT',
  target: 'bucket',
  subresource: 'acl',
  action: ACTION,
  async handle(request) {
    const answering = profile();
    const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
    await verifyIntegrity(request.effectiveHeaders, request.body, { required: answering.integrityRequired });
    // Huawei's SDK names the ACL headers x-obs-* when it signs OBS-style.
    const prefix = requestHeaderPrefix(answering, request);
    const verdict = readPutBucketAcl(
      request.effectiveHeaders,
      request.body,
      prefix,
      answering,
      record.ownerId,
      config(),
    );
    const ownership = readConfiguration(ownershipControlsAttribute, record)?.objectOwnership;
    acceptOwnerOnlyAcl(
      verdict,
      ownership,
      'AccessControlListNotSupported',
      flagOn(record, BLOCK_PUBLIC_ACLS),
    );
    return emptyResponse(200);
  },
};
