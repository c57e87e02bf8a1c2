// The regions S3 knows, as AWS publishes them in its S3 API model: the values of
// `BucketLocationConstraint` in @aws-sdk/client-s3 3.1162.0 (taken 2026-12-07) — the regions a
// CreateBucket may name, and `EU`, S3's old name for eu-west-1. us-east-1 is never among them: a bucket
// created without a constraint is in us-east-1. test/unit/regions.test.ts compares the list with the
// installed SDK's, so a newer SDK with a new region fails it until the region is added here. Typed out
// rather than imported: the SDK's S3 client is not part of the Lambdas' bundles.

/** Every `LocationConstraint` value S3's API model names (us-east-1 is never one). */
export const S3_LOCATION_CONSTRAINTS: ReadonlySet<string> = new Set([
  'EU',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-west-1',
  'us-west-2',
]);

/** Every AWS Region S3 serves: the location constraints but `EU`, and us-east-1. */
export const S3_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  ...[...S3_LOCATION_CONSTRAINTS].filter((constraint) => constraint !== 'EU'),
]);
