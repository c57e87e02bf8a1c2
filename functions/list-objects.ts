// ListObjects — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
// ListObjectsV2 — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
// ListObjectVersions — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
// This service stores no objects, so every listing is empty; answering it (rather than 501) is what
// lets `aws s3 ls s3://b` and `aws s3 rb --force s3://b` work, and tools that empty a bucket's versions
// before deleting it (ceph s3-tests' fixtures, `nuke_bucket`) (docs/behaviour.md "Listings").
import { authorizeAccess } from '../lib/auth/authorize.ts';
import { S3_NAMESPACE } from '../lib/encryption/profiles.ts';
import type { BucketRequest, S3Operation } from '../lib/http/dispatch.ts';
import { type S3Response, xmlResponse } from '../lib/http/response.ts';
import { listedName, parseListObjectsQuery, queryParameter } from '../lib/listing.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';
import { xmlDocument } from '../lib/xml/write.ts';

type Encode = (name: string | undefined) => string | undefined;

/** What tells one empty listing from another: its action, its root element, and where it starts. */
interface ListingShape {
  action: S3Action;
  root: 'ListBucketResult' | 'ListVersionsResult';
  /** The parameter that names where the listing starts. */
  marker: 'marker' | 'start-after' | 'key-marker';
  /** The elements between Prefix and MaxKeys, which echo where the listing starts. */
  position(startAfter: string | undefined, encode: Encode, request: BucketRequest): Record<string, unknown>;
}

const V1: ListingShape = {
  action: 's3:ListBucket',
  root: 'ListBucketResult',
  marker: 'marker',
  position: (startAfter, encode) => ({ Marker: encode(startAfter ?? '') }),
};

const V2: ListingShape = {
  action: 's3:ListBucket',
  root: 'ListBucketResult',
  marker: 'start-after',
  position: (startAfter, encode) => ({ StartAfter: encode(startAfter), KeyCount: 0 }),
};

const VERSIONS: ListingShape = {
  action: 's3:ListBucketVersions',
  root: 'ListVersionsResult',
  marker: 'key-marker',
  position: (startAfter, encode, request) => ({
    KeyMarker: encode(startAfter ?? ''),
    VersionIdMarker: queryParameter(request.query, 'version-id-marker') ?? '',
  }),
};

/**
 * The empty listing, echoing the request in the element order of AWS's documented responses: Name,
 * Prefix, (V1: Marker | V2: StartAfter, KeyCount | versions: KeyMarker, VersionIdMarker), MaxKeys,
 * Delimiter, EncodingType, IsTruncated.
 */
async function emptyListing(request: BucketRequest, shape: ListingShape): Promise<S3Response> {
  const listing = parseListObjectsQuery(request.query, shape.marker);
  const record = await authorizeAccess(
    await storage().buckets.getBucket(request.bucket),
    request,
    shape.action,
  );
  const encode: Encode = (name) => (name === undefined ? undefined : listedName(name, listing.encodingType));
  return xmlResponse(
    xmlDocument(
      shape.root,
      {
        Name: request.bucket,
        Prefix: encode(listing.prefix),
        ...shape.position(listing.startAfter, encode, request),
        MaxKeys: listing.maxKeys,
        Delimiter: encode(listing.delimiter),
        EncodingType: listing.encodingType,
        IsTruncated: false,
      },
      S3_NAMESPACE,
    ),
    200,
    // As AWS sends it with a listing (LocalStack's AWS-validated test_region_header_exists_outside_us_east_1).
    { 'x-amz-bucket-region': record.region },
  );
}

export const listObjectVersions: S3Operation = {
  name: 'ListObjectVersions',
  method: 'GET',
  target: 'bucket',
  subresource: 'versions',
  action: VERSIONS.action,
  handle: (request) => emptyListing(request, VERSIONS),
};

export const listObjects: S3Operation = {
  name: 'ListObjects',
  method: 'GET',
  target: 'bucket',
  action: V1.action,
  handle: (request) => emptyListing(request, V1),
};

export const listObjectsV2: S3Operation = {
  name: 'ListObjectsV2',
  method: 'GET',
  target: 'bucket',
  parameter: ['list-type', '2'],
  action: V2.action,
  handle: (request) => emptyListing(request, V2),
};
