// A bucket policy's verdict on one request: the stored policy parsed (and kept per container), the
// request context filled as AWS fills it (request-facts.ts, lib/policy/context.ts), the evaluation
// (lib/policy/evaluate.ts). lib/auth/authorize.ts imports this module on demand, the first time a
// request meets a policy it must evaluate: requests to buckets without a policy, and the owner's on
// actions no Deny can reach, never load the policy language (docs/architecture.md › The policy package).
// Whether the stored policy is public (Block Public Access's definition, lib/policy/public.ts) is read
// from the same parsed policy, once per container and policy: RestrictPublicBuckets and
// GetBucketPolicyStatus ask it.
import { bucketArn } from '../bucket-name.ts';
import { logger } from '../log.ts';
import {
  type BucketPolicy,
  evaluateBucketPolicy,
  isPublicPolicy,
  type PolicyVerdict,
  PolicyWorkExceeded,
  parseStoredPolicy,
  requestContext,
  type S3Action,
} from '../policy/index.ts';
import type { BucketRecord } from '../storage/buckets.ts';
import { type AccessRequest, requestFacts } from './request-facts.ts';

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

/** Each parsed policy's answer, computed when first asked (it lives as long as the parsed policy). */
const publicPolicies = new WeakMap<BucketPolicy, boolean>();

/** Whether the bucket's stored policy (`text`) is public, as S3 Block Public Access defines it. */
export function isStoredPolicyPublic(bucket: string, text: string): boolean {
  const policy = storedPolicy(bucket, text);
  let answer = publicPolicies.get(policy);
  if (answer === undefined) {
    answer = isPublicPolicy(policy);
    publicPolicies.set(policy, answer);
  }
  return answer;
}

/** The verdict of `record`'s policy (`text`) on this request, its context filled as AWS fills it. */
export function policyVerdict(
  text: string,
  request: AccessRequest,
  action: S3Action,
  record: BucketRecord,
): PolicyVerdict {
  const policy = storedPolicy(request.bucket, text);
  const facts = requestFacts(request, action, record.ownerId);
  try {
    return evaluateBucketPolicy(policy, {
      action,
      resource: bucketArn(request.bucket),
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
