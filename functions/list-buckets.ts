// ListBuckets — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
// The caller's buckets only.
import { S3_NAMESPACE } from '../lib/encryption/profiles.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import { xmlDocument } from '../lib/http/xml.ts';
import { storage } from '../lib/storage/index.ts';

export const listBuckets: S3Operation = {
  name: 'ListBuckets',
  method: 'GET',
  target: 'service',
  async handle({ caller }) {
    const buckets = await storage().buckets.listBuckets(caller.accountId);
    return xmlResponse(
      xmlDocument(
        'ListAllMyBucketsResult',
        {
          Owner: { ID: caller.accountId },
          Buckets: {
            Bucket: buckets.map(({ name, createdAt, region }) => ({
              Name: name,
              CreationDate: createdAt,
              BucketRegion: region,
            })),
          },
        },
        S3_NAMESPACE,
      ),
    );
  },
};
