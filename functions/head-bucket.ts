// HeadBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
// Authorized as s3:ListBucket, as AWS does. "If the bucket exists and you have permission to access it,
// the response is 200 OK"; and "regardless of the permissions on the bucket, you will receive a response
// header with the correct bucket location" (the API reference and botocore's model): a 400 (signed for
// another region) or 403 on a bucket that exists carries x-amz-bucket-region, the header botocore's and
// SDK v3's region redirects read for a HEAD, which has no body to carry a <Region>.
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { bucketArn, isValidBucketName } from '../lib/bucket-name.ts';
import { profile } from '../lib/config.ts';
import { S3Error } from '../lib/errors.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { emptyResponse } from '../lib/http/response.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';

const ACTION: S3Action = 's3:ListBucket';

export const headBucket: S3Operation = {
  name: 'HeadBucket',
  method: 'HEAD',
  target: 'bucket',
  action: ACTION,
  async handle(request) {
    const record = await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
    return emptyResponse(200, {
      // S3 sends it on HeadBucket's empty 200 (LocalStack's test_s3.snapshot.json, recorded against AWS:
      // head_bucket_filtered_header).
      'content-type': 'application/xml',
      'x-amz-bucket-region': record.region,
      ...(profile().bucketArn && {
        'x-amz-bucket-arn': bucketArn(request.bucket),
        'x-amz-access-point-alias': 'false',
      }),
    });
  },
  async refused(request, error) {
    const bucket = request.bucket;
    if (bucket === undefined || !isValidBucketName(bucket) || error.headers['x-amz-bucket-region'])
      return error;
    // A region the caller learns only for a bucket that exists, as AWS answers; if the read fails, the
    // refusal stands as it was.
    const record = await storage()
      .buckets.getBucket(bucket)
      .catch(() => undefined);
    if (!record) return error;
    return new S3Error(error.code, {
      message: error.message,
      fields: error.fields,
      headers: { ...error.headers, 'x-amz-bucket-region': record.region },
      cause: error,
    });
  },
};
