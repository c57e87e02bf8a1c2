// The one authorization path of every bucket operation. Given the request (caller, headers, query,
// source address: the request context a policy's conditions read, filled by request-facts.ts and
// lib/policy/context.ts as docs/accounts.md › The request context lists), the S3 action and the bucket
// item, it decides in S3's order:
//   1. no item                                    → 404 NoSuchBucket
//   2. x-amz-expected-bucket-owner is no account id → 400 InvalidBucketOwnerAWSAccountID;
//      names another                              → 403 AccessDenied (the owner's requests too)
//   3. the owner, on a bucket-policy action       → allowed (AWS exempts the owner from a Deny there)
//   4. an explicit Deny of the policy matches     → 403 AccessDenied (the owner included)
//   5. the owner                                  → allowed
//   6. an Allow of the policy matches             → allowed; on a bucket-policy action 405
//                                                   MethodNotAllowed (AWS: only the owner's account) —
//                                                   unless RestrictPublicBuckets is on and the policy
//                                                   public: then it grants other accounts nothing
//   7. otherwise                                  → 403 AccessDenied
// The policy's verdict (4, 6) follows AWS's evaluation logic over its whole language (lib/policy/);
// that code is imported the first time a request needs it (policy-verdict.ts), not at cold start.
// Reads await `authorizeAccess` on the item they read; writes go through `authorizedWrite`, which never
// reads-then-writes without a condition: the owner's write is one conditional UpdateItem conditioned on
// the item's `ownerDenyActions` — the actions some Deny of the policy COULD apply to the owner, computed
// conservatively when the policy is put (lib/policy/owner-deniable.ts) — and any other write is
// conditioned on the policy revision it was evaluated against (and, when another account's write rests
// on a grant, on RestrictPublicBuckets still being off). RestrictPublicBuckets only takes grants away, so
// the owner's one-request write needs no condition on it (docs/behaviour.md › Block Public Access).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
import { accessDenied, noSuchBucket, S3Error } from '../errors.ts';
// Not index.ts: every request that authorizes loads this module, and it needs only the action names
// and the owner's Deny scope (lib/policy/served-actions.ts, with the context's key table), not the
// evaluator.
import { OWNER_DENY_SCOPE, POLICY_ACTIONS, type S3Action } from '../policy/served-actions.ts';
import { flagOn, RESTRICT_PUBLIC_BUCKETS } from '../public-access-block/attribute.ts';
import { isAccountId } from '../request.ts';
import type { BucketRecord, WriteGuard, WriteResult } from '../storage/buckets.ts';
import type { AccessRequest } from './request-facts.ts';

export type { AccessRequest } from './request-facts.ts';

const expectedBucketOwner = (request: Pick<AccessRequest, 'effectiveHeaders'>): string | undefined =>
  request.effectiveHeaders['x-amz-expected-bucket-owner'];

/** AWS's answer to an expected owner that is not an account id (LocalStack's AWS-validated snapshots). */
const invalidExpectedOwner = (value: string) =>
  new S3Error('InvalidBucketOwnerAWSAccountID', {
    message: `The value of the expected bucket owner parameter must be an AWS Account ID... [${value}]`,
  });

/**
 * Throws the S3 error for a caller who may not take `action` on the bucket as `record` stands; returns
 * it otherwise. Asynchronous because the policy language (policy-verdict.ts and lib/policy/) is
 * imported the first time a request needs it, not at cold start: await it — a call not awaited
 * authorizes nothing.
 */
export async function authorizeAccess(
  record: BucketRecord | undefined,
  request: AccessRequest,
  action: S3Action,
): Promise<BucketRecord> {
  const { bucket, caller } = request;
  if (!record) throw noSuchBucket(bucket);
  const expectedOwner = expectedBucketOwner(request);
  if (expectedOwner !== undefined && record.ownerId !== expectedOwner) {
    throw isAccountId(expectedOwner) ? accessDenied() : invalidExpectedOwner(expectedOwner);
  }
  const isOwner = record.ownerId === caller.accountId;
  const policyAction = POLICY_ACTIONS.has(action);
  if (isOwner && policyAction) return record;
  const { policy } = record;
  if (policy === undefined) {
    if (isOwner) return record;
    throw accessDenied();
  }
  const verdicts = await import('./policy-verdict.ts');
  const verdict = verdicts.policyVerdict(policy, request, action, record);
  if (verdict === 'deny') throw accessDenied();
  if (isOwner) return record;
  // RestrictPublicBuckets: "Amazon S3 blocks public and cross-account access derived from any public
  // … bucket policy, including non-public delegation to specific accounts" (User Guide, Block Public
  // Access); what is left is the owner's account, above. The flags are on the record already read.
  const granted =
    verdict === 'allow' &&
    !(flagOn(record, RESTRICT_PUBLIC_BUCKETS) && verdicts.isStoredPolicyPublic(bucket, policy));
  if (granted) {
    if (policyAction) {
      throw new S3Error('MethodNotAllowed', { fields: { Method: request.method, ResourceType: 'BUCKET' } });
    }
    return record;
  }
  throw accessDenied();
}

/** How many times a policy-checked write re-evaluates after a concurrent policy change. */
const MAX_POLICY_CHECKED_ATTEMPTS = 3;

/**
 * Runs a write under authorization. The owner writes in one request conditioned on owning the bucket
 * and on no Deny of its policy being able to apply to the owner for `action` (bucket-policy actions:
 * the owner is exempt). Otherwise — another account, a Deny that could apply, or an expected owner
 * other than the caller — the item (handed back by the refused write, or read) is authorized, and an
 * allowed call writes conditioned on the policy revision it was evaluated against, so a policy changed
 * in between is never bypassed while concurrent configuration writes never fail each other.
 */
export async function authorizedWrite(
  request: AccessRequest,
  action: S3Action,
  write: (guard: WriteGuard) => Promise<WriteResult>,
  readBucket: (bucket: string) => Promise<BucketRecord | undefined>,
): Promise<void> {
  const { caller } = request;
  const expectedOwner = expectedBucketOwner(request);
  let record: BucketRecord | undefined;
  if (expectedOwner === undefined || expectedOwner === caller.accountId) {
    const written = await write(
      POLICY_ACTIONS.has(action)
        ? { owner: caller.accountId }
        : { owner: caller.accountId, action, ownerDenyScope: OWNER_DENY_SCOPE },
    );
    if (written.ok) return;
    if (written.reason === 'no-such-bucket') throw noSuchBucket(request.bucket);
    record = written.bucket;
  } else {
    record = await readBucket(request.bucket);
  }
  for (let attempt = 0; attempt < MAX_POLICY_CHECKED_ATTEMPTS; attempt++) {
    const allowed = await authorizeAccess(record, request, action);
    // Another account's write rests on a grant: RestrictPublicBuckets turned on meanwhile would take it
    // back (a public policy's), so the write holds only while the flag is still off.
    const granted = allowed.ownerId !== caller.accountId && !flagOn(allowed, RESTRICT_PUBLIC_BUCKETS);
    const written = await write({
      ownerId: allowed.ownerId,
      createdAt: allowed.createdAt,
      policyRevision: allowed.policyRevision,
      ...(granted ? { unlessFlags: [RESTRICT_PUBLIC_BUCKETS] } : {}),
    });
    if (written.ok) return;
    if (written.reason === 'no-such-bucket') throw noSuchBucket(request.bucket);
    record = written.bucket;
  }
  // Only a policy changed again and again while this request ran gets here.
  throw new S3Error('OperationAborted');
}
