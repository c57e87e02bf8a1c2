// Whether a caller may act on a bucket, checked in S3's order: the bucket exists (NoSuchBucket),
// x-amz-expected-bucket-owner names its owner, the caller owns it (AccessDenied otherwise).
import { accessDenied, noSuchBucket } from '../errors.ts';
import type { Caller, S3Request } from '../http/request.ts';
import type { BucketRecord, WriteResult } from '../storage/buckets.ts';

export const expectedBucketOwner = (request: Pick<S3Request, 'headers'>): string | undefined =>
  request.headers['x-amz-expected-bucket-owner'];

/** Throws the S3 error for a caller who may not act on `bucket` as `record` stands; returns it otherwise. */
export function assertMayAct(
  bucket: string,
  record: BucketRecord | undefined,
  caller: Caller,
  expectedOwner: string | undefined,
): BucketRecord {
  if (!record) throw noSuchBucket(bucket);
  if (expectedOwner !== undefined && record.ownerId !== expectedOwner) throw accessDenied();
  if (record.ownerId !== caller.accountId) throw accessDenied();
  return record;
}

/**
 * Runs an owner-conditioned write (one request in steady state). When the write is refused, or the
 * expected owner rules it out, throws the reason in S3's order.
 */
export async function writeAsOwner(
  request: Pick<S3Request, 'headers'> & { bucket: string; caller: Caller },
  write: () => Promise<WriteResult>,
  readBucket: (bucket: string) => Promise<BucketRecord | undefined>,
): Promise<void> {
  const { bucket, caller } = request;
  const expectedOwner = expectedBucketOwner(request);
  if (expectedOwner === undefined || expectedOwner === caller.accountId) {
    const written = await write();
    if (written.ok) return;
    assertMayAct(bucket, written.reason === 'not-owner' ? written.bucket : undefined, caller, expectedOwner);
  }
  assertMayAct(bucket, await readBucket(bucket), caller, expectedOwner);
  // The caller owns the bucket but the write was refused: it changed hands in between.
  throw accessDenied();
}
