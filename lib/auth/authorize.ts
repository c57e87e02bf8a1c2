// The one authorization path of every bucket operation. Given the request (caller, the
// x-amz-expected-bucket-owner header, source address), the S3 action and the bucket item, it decides
// in S3's order:
//   1. no item                                    → 404 NoSuchBucket
//   2. x-amz-expected-bucket-owner names another  → 403 AccessDenied (the owner's requests too)
//   3. the owner, on a bucket-policy action       → allowed (AWS exempts the owner from a Deny there)
//   4. an explicit Deny of the policy matches     → 403 AccessDenied (the owner included)
//   5. the owner                                  → allowed
//   6. an Allow of the policy matches             → allowed; on a bucket-policy action 405
//                                                   MethodNotAllowed (AWS: only the owner's account)
//   7. otherwise                                  → 403 AccessDenied
// Reads call `authorize` on the item they read; writes go through `authorizedWrite`, which never
// reads-then-writes without a condition. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
import { accessDenied, noSuchBucket, S3Error } from '../errors.ts';
import { logger } from '../log.ts';
import {
  type BucketPolicy,
  evaluateBucketPolicy,
  POLICY_ACTIONS,
  type PolicyVerdict,
  PolicyWorkExceeded,
  parseStoredPolicy,
  requestContext,
  type S3Action,
} from '../policy/index.ts';
import type { BucketRecord, WriteGuard, WriteResult } from '../storage/buckets.ts';
import { type AccessRequest, requestFacts } from './request-facts.ts';

export type { AccessRequest } from './request-facts.ts';

const expectedBucketOwner = (request: Pick<AccessRequest, 'effectiveHeaders'>): string | undefined =>
  request.effectiveHeaders['x-amz-expected-bucket-owner'];

/** Parsed stored policies kept per container (they were validated when put). */
const PARSED_POLICY_CACHE_ENTRIES = 1_000;
const parsedPolicies = new Map<string, BucketPolicy>();
function storedPolicy(bucket: string, text: string): BucketPolicy {
  const key = `${bucket}\n${text}`;
  let policy = parsedPolicies.get(key);
  if (!policy) {
    policy = parseStoredPolicy(text, bucket);
    // Oldest first: a Map iterates in insertion order.
    if (parsedPolicies.size >= PARSED_POLICY_CACHE_ENTRIES) {
      const oldest = parsedPolicies.keys().next().value;
      if (oldest !== undefined) parsedPolicies.delete(oldest);
    }
    parsedPolicies.set(key, policy);
  }
  return policy;
}

/** The policy's verdict on this request, its context filled as AWS fills it (lib/policy/context.ts). */
function policyVerdict(
  policy: BucketPolicy,
  request: AccessRequest,
  action: S3Action,
  record: BucketRecord,
): PolicyVerdict {
  const facts = requestFacts(request, action, record.ownerId);
  try {
    return evaluateBucketPolicy(policy, {
      action,
      resource: `arn:aws:s3:::${request.bucket}`,
      principalAccount: request.caller.accountId,
      context: requestContext(facts),
    });
  } catch (error) {
    // A hostile policy meeting a hostile request (docs/security.md › Bounded work): refused, as a Deny.
    if (!(error instanceof PolicyWorkExceeded)) throw error;
    logger.warn('bucket policy evaluation exceeded its work budget; answered as a Deny', {
      bucket: request.bucket,
    });
    return 'deny';
  }
}

/** Throws the S3 error for a caller who may not take `action` on the bucket as `record` stands; returns it otherwise. */
export function authorize(
  record: BucketRecord | undefined,
  request: AccessRequest,
  action: S3Action,
): BucketRecord {
  const { bucket, caller } = request;
  if (!record) throw noSuchBucket(bucket);
  const expectedOwner = expectedBucketOwner(request);
  if (expectedOwner !== undefined && record.ownerId !== expectedOwner) throw accessDenied();
  const isOwner = record.ownerId === caller.accountId;
  const policyAction = POLICY_ACTIONS.has(action);
  if (isOwner && policyAction) return record;
  const verdict = record.policy
    ? policyVerdict(storedPolicy(bucket, record.policy), request, action, record)
    : 'none';
  if (verdict === 'deny') throw accessDenied();
  if (isOwner) return record;
  if (verdict === 'allow') {
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
      POLICY_ACTIONS.has(action) ? { owner: caller.accountId } : { owner: caller.accountId, action },
    );
    if (written.ok) return;
    if (written.reason === 'no-such-bucket') throw noSuchBucket(request.bucket);
    record = written.bucket;
  } else {
    record = await readBucket(request.bucket);
  }
  for (let attempt = 0; attempt < MAX_POLICY_CHECKED_ATTEMPTS; attempt++) {
    const allowed = authorize(record, request, action);
    const written = await write({
      ownerId: allowed.ownerId,
      createdAt: allowed.createdAt,
      policyRevision: allowed.policyRevision,
    });
    if (written.ok) return;
    if (written.reason === 'no-such-bucket') throw noSuchBucket(request.bucket);
    record = written.bucket;
  }
  // Only a policy changed again and again while this request ran gets here.
  throw new S3Error('OperationAborted');
}
