// ListObjects — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
// ListObjectsV2 — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
// This service stores no objects, so every listing is empty; answering it (rather than 501) is what
// lets `aws s3 ls s3://b` and `aws s3 rb --force s3://b` work (docs/behaviour.md "Listings").
import { authorize } from '../lib/auth/authorize.ts';
import { S3_NAMESPACE } from '../lib/encryption/profiles.ts';
import type { BucketRequest, S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import { xmlDocument } from '../lib/http/xml.ts';
import { listedName, parseListObjectsQuery } from '../lib/listing.ts';
import { storage } from '../lib/storage/index.ts';

async function authorizeListing(request: BucketRequest): Promise<void> {
  authorize(await storage().buckets.getBucket(request.bucket), request, 's3:ListBucket');
}

// Element order as in AWS's documented responses: Name, Prefix, (Marker | ContinuationToken,
// StartAfter, KeyCount), MaxKeys, Delimiter, EncodingType, IsTruncated.
export const listObjects: S3Operation = {
  name: 'ListObjects',
  method: 'GET',
  target: 'bucket',
  async handle(request) {
    const listing = parseListObjectsQuery(request.query, 'marker');
    await authorizeListing(request);
    const encode = (name: string | undefined) =>
      name === undefined ? undefined : listedName(name, listing.encodingType);
    return xmlResponse(
      xmlDocument(
        'ListBucketResult',
        {
          Name: request.bucket,
          Prefix: encode(listing.prefix),
          Marker: encode(listing.startAfter ?? ''),
          MaxKeys: listing.maxKeys,
          Delimiter: encode(listing.delimiter),
          EncodingType: listing.encodingType,
          IsTruncated: false,
        },
        S3_NAMESPACE,
      ),
    );
  },
};

export const listObjectsV2: S3Operation = {
  name: 'ListObjectsV2',
  method: 'GET',
  target: 'bucket',
  parameter: ['list-type', '2'],
  async handle(request) {
    const listing = parseListObjectsQuery(request.query, 'start-after');
    await authorizeListing(request);
    const encode = (name: string | undefined) =>
      name === undefined ? undefined : listedName(name, listing.encodingType);
    return xmlResponse(
      xmlDocument(
        'ListBucketResult',
        {
          Name: request.bucket,
          Prefix: encode(listing.prefix),
          StartAfter: encode(listing.startAfter),
          KeyCount: 0,
          MaxKeys: listing.maxKeys,
          Delimiter: encode(listing.delimiter),
          EncodingType: listing.encodingType,
          IsTruncated: false,
        },
        S3_NAMESPACE,
      ),
    );
  },
};
