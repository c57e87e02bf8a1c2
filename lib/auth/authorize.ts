// Whether a caller may act on a bucket's encryption configuration, in S3's order: the bucket
// exists (NoSuchBucket), x-amz-expected-bucket-owner names its owner, then the bucket policy and
// ownership decide (AccessDenied otherwise): an explicit Deny beats everything, the owner is
// allowed, another account only through an Allow.
import { accessDenied, noSuchBucket, S3Error } from '../errors.ts';
import { type Caller, effectiveHeaders, type S3Request } from '../http/request.ts';
import type { BucketRecord, WriteGuard, WriteResult } from '../storage/buckets.ts';
import { type BucketPolicy, evaluateBucketPolicy, type PolicyAction, parseBucketPolicy } from './policy.ts';

export type AccessRequest = Pick<S3Request, 'headers' | 'query' | 'sourceIp'> & {
  bucket: string;
  caller: Caller;
};

export const expectedBucketOwner = (request: Pick<S3Request, 'headers' | 'query'>): string | undefined =>
  effectiveHeaders(request)['x-amz-expected-bucket-owner'];

// Stored policies were validated when put; parse each text once per container.
const parsedPolicies = new Map<string, BucketPolicy>();
function storedPolicy(bucket: string, text: string): BucketPolicy {
  const key = `${bucket}\n${text}`;
  let policy = parsedPolicies.get(key);
  if (!policy) {
    policy = parseBucketPolicy(text, bucket);
    if (parsedPolicies.size >= 1_000) parsedPolicies.clear();
    parsedPolicies.set(key, policy);
  }
  return policy;
}

/** Throws the S3 error for a caller who may not act on the bucket as `record` stands; returns it otherwise. */
export function authorize(
  record: BucketRecord | undefined,
  request: AccessRequest,
  action: PolicyAction,
): BucketRecord {
  const { bucket, caller } = request;
  if (!record) throw noSuchBucket(bucket);
  const expectedOwner = expectedBucketOwner(request);
  if (expectedOwner !== undefined && record.ownerId !== expectedOwner) throw accessDenied();
  const verdict = record.policy
    ? evaluateBucketPolicy(storedPolicy(bucket, record.policy), {
        action,
        principalAccount: caller.accountId,
        resource: `arn:aws:s3:::${bucket}`,
        sourceIp: request.sourceIp,
      })
    : 'none';
  if (verdict === 'deny') throw accessDenied();
  if (record.ownerId === caller.accountId || verdict === 'allow') return record;
  throw accessDenied();
}

/** Owner-only operations (bucket policy, HeadBucket): exists, expected owner, owner. */
export function authorizeOwner(record: BucketRecord | undefined, request: AccessRequest): BucketRecord {
  if (!record) throw noSuchBucket(request.bucket);
  const expectedOwner = expectedBucketOwner(request);
  if (expectedOwner !== undefined && record.ownerId !== expectedOwner) throw accessDenied();
  if (record.ownerId !== request.caller.accountId) throw accessDenied();
  return record;
}

const MAX_VERSIONED_ATTEMPTS = 3;

/**
 * Runs a configuration write under authorization. The owner of a bucket whose policy cannot deny
 * it writes in one request. Otherwise the refused write hands back the item; its policy is
 * evaluated, and an allowed call writes again conditioned on the item's version, so a policy
 * changed in between is never bypassed.
 */
export async function authorizedWrite(
  request: AccessRequest,
  action: PolicyAction,
  write: (guard: WriteGuard) => Promise<WriteResult>,
  readBucket: (bucket: string) => Promise<BucketRecord | undefined>,
): Promise<void> {
  const expectedOwner = expectedBucketOwner(request);
  let record: BucketRecord | undefined;
  if (expectedOwner === undefined || expectedOwner === request.caller.accountId) {
    const written = await write({ owner: request.caller.accountId });
    if (written.ok) return;
    if (written.reason === 'no-such-bucket') throw noSuchBucket(request.bucket);
    record = written.bucket;
  } else {
    record = await readBucket(request.bucket);
  }
  for (let attempt = 0; attempt < MAX_VERSIONED_ATTEMPTS; attempt++) {
    const allowed = authorize(record, request, action);
    const written = await write({
      version: allowed.version,
      ownerId: allowed.ownerId,
      createdAt: allowed.createdAt,
    });
    if (written.ok) return;
    if (written.reason === 'no-such-bucket') throw noSuchBucket(request.bucket);
    record = written.bucket;
  }
  throw new S3Error('OperationAborted');
}
