// The three operations every configuration subresource has (docs/architecture.md "Adding a
// configuration subresource"), as one path each that takes the subresource as data — its codec, its
// action, how its body is read — so that a handler file is the operation's row and what is its own:
// - Put: integrity, then the body (the codec's parse), then one conditional UpdateItem. AWS checks
//   the bucket and the caller before the body, so a refused body is answered only after one read
//   that tells NoSuchBucket and AccessDenied apart first.
// - Delete: one conditional UpdateItem removing the attribute (a no-op write when none is set).
// - Get: one strongly consistent GetItem, authorized; the value or undefined when none is set.
import { authorizeAccess, authorizedWrite } from '../auth/authorize.ts';
import { profile } from '../config.ts';
import { verifyIntegrity } from '../integrity.ts';
import type { S3Action } from '../policy/index.ts';
import {
  type AttributeCodec,
  type BucketChange,
  readConfiguration,
  removeConfiguration,
  setConfiguration,
} from '../storage/buckets.ts';
import { storage } from '../storage/index.ts';
import type { BucketRequest } from './dispatch.ts';

/** Reads the Put's body into the value to store (the body's size was checked when it was decoded). */
export type BodyReader<T> = (body: Buffer) => T;

export async function putConfiguration<T>(
  request: BucketRequest,
  action: S3Action,
  codec: AttributeCodec<T>,
  read: BodyReader<T>,
): Promise<void> {
  const buckets = storage().buckets;
  let value: T;
  try {
    await verifyIntegrity(request.effectiveHeaders, request.body, { required: profile().integrityRequired });
    value = read(request.body);
  } catch (bodyError) {
    // AWS checks the bucket and the caller's rights before the body.
    await authorizeAccess(await buckets.getBucket(request.bucket), request, action);
    throw bodyError;
  }
  await writeChange(request, action, setConfiguration(codec, value));
}

export const deleteConfiguration = <T>(request: BucketRequest, action: S3Action, codec: AttributeCodec<T>) =>
  writeChange(request, action, removeConfiguration(codec));

/** One authorized conditional UpdateItem of the bucket (lib/auth/authorize.ts `authorizedWrite`). */
function writeChange(request: BucketRequest, action: S3Action, change: BucketChange): Promise<void> {
  const buckets = storage().buckets;
  return authorizedWrite(
    request,
    action,
    (guard) => buckets.updateBucket(request.bucket, guard, change),
    buckets.getBucket,
  );
}

export async function getConfiguration<T>(
  request: BucketRequest,
  action: S3Action,
  codec: AttributeCodec<T>,
): Promise<T | undefined> {
  const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, action);
  return readConfiguration(codec, record);
}
