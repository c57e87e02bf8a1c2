// PutBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
// The owner's account only. The policy is validated (MalformedPolicy, with AWS's messages) and stored
// verbatim, with the actions it could deny its owner (so the owner's other writes stay one request).
// A public policy (lib/policy/public.ts) is refused while the bucket's Block Public Access blocks
// public policies — checked by the write itself, so a concurrent PutPublicAccessBlock cannot let one in.
// The validator, the S3 table it reads and the owner's Deny precomputation are imported here, on demand: no other operation needs them,
// so they stay out of what a cold start loads (docs/architecture.md › The policy package).

import { authorizeAccess, authorizedWrite } from '../lib/auth/authorize.ts';
import { bucketArn } from '../lib/bucket-name.ts';
import { accessDenied, S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import { verifyIntegrity } from '../lib/integrity.ts';
import type { BucketPolicy, S3Action } from '../lib/policy/index.ts';
import { OWNER_DENY_SCOPE } from '../lib/policy/served-actions.ts';
import { BLOCK_PUBLIC_POLICY, flagOn } from '../lib/public-access-block/attribute.ts';
import { putPolicyChange } from '../lib/storage/buckets.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:PutBucketPolicy';

// AWS's answer, as users report it from S3 (docs/behaviour.md › Block Public Access); this service's
// callers are accounts' root users.
const publicPolicyBlocked = (account: string, bucket: string) =>
  accessDenied(
    `User: arn:aws:iam::${account}:root is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(bucket)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
  );

export const putBucketPolicy: S3Operation = {
  name: 'PutBucketPolicy',
  method: 'PUT',
  target: 'bucket',
  subresource: 'policy',
  action: ACTION,
  async handle(request) {
    const { bucket, caller, body } = request;
    const buckets = storage().buckets;
    const { actionsDeniableToOwner, isPublicPolicy, parseBucketPolicy } = await import(
      '../lib/policy/validate.ts'
    );
    let policy: BucketPolicy;
    try {
      await verifyIntegrity(request.effectiveHeaders, body, { required: false });
      policy = parseBucketPolicy(body, bucket);
    } catch (bodyError) {
      // AWS checks the bucket before the body.
      await authorizeAccess(await buckets.getBucket(bucket), request, ACTION);
      throw bodyError instanceof S3Error ? bodyError : new S3Error('MalformedPolicy');
    }
    // Only the owner's account may put a policy (authorizeAccess answers 405 to any other), so the caller is
    // the owner whenever this write happens.
    const ownerDenyActions = actionsDeniableToOwner(policy, caller.accountId, bucket);
    const unlessFlags = isPublicPolicy(policy) ? [BLOCK_PUBLIC_POLICY] : [];
    await authorizedWrite(
      request,
      ACTION,
      async (guard) => {
        // A new change (and policy revision) per attempt: a retried write is a new revision.
        const change = putPolicyChange(policy.text, ownerDenyActions, OWNER_DENY_SCOPE, unlessFlags);
        const written = await buckets.updateBucket(bucket, guard, change);
        // Refused on the caller's own bucket whose BlockPublicPolicy is on: that flag refused it. Any
        // other refusal (another account's bucket, …) goes on to authorization, which answers first.
        if (
          !written.ok &&
          written.reason === 'refused' &&
          unlessFlags.length > 0 &&
          written.bucket.ownerId === caller.accountId &&
          flagOn(written.bucket, BLOCK_PUBLIC_POLICY)
        ) {
          throw publicPolicyBlocked(caller.accountId, bucket);
        }
        return written;
      },
      buckets.getBucket,
    );
    return emptyResponse(204);
  },
};
