// The declarative operation table: which S3 operation a request is, by method, target (service or
// bucket) and subresource. lib/http/dispatch.ts reads it; the route Lambdas serve slices of it.
import type { OperationTable } from '../lib/http/dispatch.ts';
import { createBucket } from './create-bucket.ts';
import { deleteBucket } from './delete-bucket.ts';
import { deleteBucketEncryption } from './delete-bucket-encryption.ts';
import { deleteBucketOwnershipControls } from './delete-bucket-ownership-controls.ts';
import { deleteBucketPolicy } from './delete-bucket-policy.ts';
import { deletePublicAccessBlock } from './delete-public-access-block.ts';
import { getBucketAcl } from './get-bucket-acl.ts';
import { getBucketEncryption } from './get-bucket-encryption.ts';
import { getBucketLocation } from './get-bucket-location.ts';
import { getBucketOwnershipControls } from './get-bucket-ownership-controls.ts';
import { getBucketPolicy } from './get-bucket-policy.ts';
import { getBucketPolicyStatus } from './get-bucket-policy-status.ts';
import { getPublicAccessBlock } from './get-public-access-block.ts';
import { headBucketApiVersion, headServiceApiVersion } from './head-api-version.ts';
import { headBucket } from './head-bucket.ts';
import { listBuckets } from './list-buckets.ts';
import { listObjects, listObjectsV2 } from './list-objects.ts';
import { putBucketAcl } from './put-bucket-acl.ts';
import { putBucketEncryption } from './put-bucket-encryption.ts';
import { putBucketOwnershipControls } from './put-bucket-ownership-controls.ts';
import { putBucketPolicy } from './put-bucket-policy.ts';
import { putPublicAccessBlock } from './put-public-access-block.ts';

/** Operations on a bucket: served by every route (path-style `/{bucket}`, and virtual-hosted `/`). */
export const BUCKET_OPERATIONS: OperationTable = [
  createBucket,
  headBucket,
  deleteBucket,
  putBucketEncryption,
  getBucketEncryption,
  deleteBucketEncryption,
  putBucketPolicy,
  getBucketPolicy,
  getBucketPolicyStatus,
  deleteBucketPolicy,
  putPublicAccessBlock,
  getPublicAccessBlock,
  deletePublicAccessBlock,
  putBucketOwnershipControls,
  getBucketOwnershipControls,
  deleteBucketOwnershipControls,
  getBucketAcl,
  putBucketAcl,
  headBucketApiVersion,
  getBucketLocation,
  // V2 before V1: the same GET, told apart by `list-type=2`.
  listObjectsV2,
  listObjects,
];

/** Operations on the service (`GET /`): only the `/` route sees them. */
export const SERVICE_OPERATIONS: OperationTable = [listBuckets, headServiceApiVersion];
