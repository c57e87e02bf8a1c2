// The declarative operation table: which S3 operation a request is, by method, target (service or
// bucket) and subresource. lib/http/dispatch.ts reads it; the route Lambdas serve slices of it.
// Each row is the operation's route and how to import its module: a cold start loads this table, not
// the operations (lazyOperation in lib/http/dispatch.ts; docs/performance.md "Cold start"). A row
// repeats its module's route key, and test/unit/http/operations.test.ts checks that the two agree.
import { lazyOperation, type OperationTable } from '../lib/http/dispatch.ts';

/** Operations on a bucket: served by every route (path-style `/{bucket}`, and virtual-hosted `/`). */
export const BUCKET_OPERATIONS: OperationTable = [
  lazyOperation(
    { name: 'CreateBucket', method: 'PUT', target: 'bucket' },
    async () => (await import('./create-bucket.ts')).createBucket,
  ),
  lazyOperation(
    { name: 'HeadBucket', method: 'HEAD', target: 'bucket' },
    async () => (await import('./head-bucket.ts')).headBucket,
  ),
  lazyOperation(
    { name: 'DeleteBucket', method: 'DELETE', target: 'bucket' },
    async () => (await import('./delete-bucket.ts')).deleteBucket,
  ),
  lazyOperation(
    { name: 'PutBucketEncryption', method: 'PUT', target: 'bucket', subresource: 'encryption' },
    async () => (await import('./put-bucket-encryption.ts')).putBucketEncryption,
  ),
  lazyOperation(
    { name: 'GetBucketEncryption', method: 'GET', target: 'bucket', subresource: 'encryption' },
    async () => (await import('./get-bucket-encryption.ts')).getBucketEncryption,
  ),
  lazyOperation(
    { name: 'DeleteBucketEncryption', method: 'DELETE', target: 'bucket', subresource: 'encryption' },
    async () => (await import('./delete-bucket-encryption.ts')).deleteBucketEncryption,
  ),
  lazyOperation(
    { name: 'PutBucketPolicy', method: 'PUT', target: 'bucket', subresource: 'policy' },
    async () => (await import('./put-bucket-policy.ts')).putBucketPolicy,
  ),
  lazyOperation(
    { name: 'GetBucketPolicy', method: 'GET', target: 'bucket', subresource: 'policy' },
    async () => (await import('./get-bucket-policy.ts')).getBucketPolicy,
  ),
  lazyOperation(
    { name: 'GetBucketPolicyStatus', method: 'GET', target: 'bucket', subresource: 'policyStatus' },
    async () => (await import('./get-bucket-policy-status.ts')).getBucketPolicyStatus,
  ),
  lazyOperation(
    { name: 'DeleteBucketPolicy', method: 'DELETE', target: 'bucket', subresource: 'policy' },
    async () => (await import('./delete-bucket-policy.ts')).deleteBucketPolicy,
  ),
  lazyOperation(
    { name: 'PutPublicAccessBlock', method: 'PUT', target: 'bucket', subresource: 'publicAccessBlock' },
    async () => (await import('./put-public-access-block.ts')).putPublicAccessBlock,
  ),
  lazyOperation(
    { name: 'GetPublicAccessBlock', method: 'GET', target: 'bucket', subresource: 'publicAccessBlock' },
    async () => (await import('./get-public-access-block.ts')).getPublicAccessBlock,
  ),
  lazyOperation(
    { name: 'DeletePublicAccessBlock', method: 'DELETE', target: 'bucket', subresource: 'publicAccessBlock' },
    async () => (await import('./delete-public-access-block.ts')).deletePublicAccessBlock,
  ),
  lazyOperation(
    { name: 'PutBucketOwnershipControls', method: 'PUT', target: 'bucket', subresource: 'ownershipControls' },
    async () => (await import('./put-bucket-ownership-controls.ts')).putBucketOwnershipControls,
  ),
  lazyOperation(
    { name: 'GetBucketOwnershipControls', method: 'GET', target: 'bucket', subresource: 'ownershipControls' },
    async () => (await import('./get-bucket-ownership-controls.ts')).getBucketOwnershipControls,
  ),
  lazyOperation(
    {
      name: 'DeleteBucketOwnershipControls',
      method: 'DELETE',
      target: 'bucket',
      subresource: 'ownershipControls',
    },
    async () => (await import('./delete-bucket-ownership-controls.ts')).deleteBucketOwnershipControls,
  ),
  lazyOperation(
    { name: 'GetBucketAcl', method: 'GET', target: 'bucket', subresource: 'acl' },
    async () => (await import('./get-bucket-acl.ts')).getBucketAcl,
  ),
  lazyOperation(
    { name: 'PutBucketAcl', method: 'PUT', target: 'bucket', subresource: 'acl' },
    async () => (await import('./put-bucket-acl.ts')).putBucketAcl,
  ),
  lazyOperation(
    { name: 'HeadApiVersion', method: 'HEAD', target: 'bucket', subresource: 'apiversion', anonymous: true },
    async () => (await import('./head-api-version.ts')).headBucketApiVersion,
  ),
  lazyOperation(
    { name: 'GetBucketLocation', method: 'GET', target: 'bucket', subresource: 'location' },
    async () => (await import('./get-bucket-location.ts')).getBucketLocation,
  ),
  lazyOperation(
    { name: 'ListObjectVersions', method: 'GET', target: 'bucket', subresource: 'versions' },
    async () => (await import('./list-objects.ts')).listObjectVersions,
  ),
  // V2 before V1: the same GET, told apart by `list-type=2`.
  lazyOperation(
    { name: 'ListObjectsV2', method: 'GET', target: 'bucket', parameter: ['list-type', '2'] },
    async () => (await import('./list-objects.ts')).listObjectsV2,
  ),
  lazyOperation(
    { name: 'ListObjects', method: 'GET', target: 'bucket' },
    async () => (await import('./list-objects.ts')).listObjects,
  ),
];

/** Operations on the service (`GET /`): only the `/` route sees them. */
export const SERVICE_OPERATIONS: OperationTable = [
  lazyOperation(
    { name: 'ListBuckets', method: 'GET', target: 'service' },
    async () => (await import('./list-buckets.ts')).listBuckets,
  ),
  lazyOperation(
    { name: 'HeadApiVersion', method: 'HEAD', target: 'service', subresource: 'apiversion', anonymous: true },
    async () => (await import('./head-api-version.ts')).headServiceApiVersion,
  ),
];
