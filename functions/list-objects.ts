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
import { listedName, parseListObjectsQuery } from '../lib/listing.ts';
import type { S3Action } from '../lib/policy/index.ts';
import { storage } from '../lib/storage/index.ts';
import { xmlDocument } from '../lib/xml/write.ts';

const ACTION: S3Action = 's3:ListBucket';

/**
 * The empty listing, echoing the request in the element order of AWS's documented responses:
 * Name, Prefix, (V1: Marker | V2: StartAfter, KeyCount), MaxKeys, Delimiter, EncodingType, IsTruncated.
 */
async function emptyListing(request: BucketRequest, version: 1 | 2): Promise<S3Response> {
  const listing = parseListObjectsQuery(request.query, version === 1 ? 'marker' : 'start-after');
  await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, ACTION);
  const encode = (name: string | undefined) =>
    name === undefined ? undefined : listedName(name, listing.encodingType);
  const position =
    version === 1
      ? { Marker: encode(listing.startAfter ?? '') }
      : { StartAfter: encode(listing.startAfter), KeyCount: 0 };
  return xmlResponse(
    xmlDocument(
      'ListBucketResult',
      {
        Name: request.bucket,
        Prefix: encode(listing.prefix),
        ...position,
        MaxKeys: listing.maxKeys,
        Delimiter: encode(listing.delimiter),
        EncodingType: listing.encodingType,
        IsTruncated: false,
      },
      S3_NAMESPACE,
    ),
  );
}

const VERSIONS_ACTION: S3Action = 's3:ListBucketVersions';

/**
 * The empty version listing, in the element order of AWS's documented response: Name, Prefix,
 * KeyMarker, VersionIdMarker, MaxKeys, Delimiter, EncodingType, IsTruncated.
 */
async function emptyVersionListing(request: BucketRequest): Promise<S3Response> {
  const listing = parseListObjectsQuery(request.query, 'key-marker');
  const versionIdMarker = request.query.find(([name]) => name === 'version-id-marker')?.[1];
  await authorizeAccess(await storage().buckets.getBucket(request.bucket), request, VERSIONS_ACTION);
  const encode = (name: string | undefined) =>
    name === undefined ? undefined : listedName(name, listing.encodingType);
  return xmlResponse(
    xmlDocument(
      'ListVersionsResult',
      {
        Name: request.bucket,
        Prefix: encode(listing.prefix),
        KeyMarker: encode(listing.startAfter ?? ''),
        VersionIdMarker: versionIdMarker ?? '',
        MaxKeys: listing.maxKeys,
        Delimiter: encode(listing.delimiter),
        EncodingType: listing.encodingType,
        IsTruncated: false,
      },
      S3_NAMESPACE,
    ),
  );
}

export const listObjectVersions: S3Operation = {
  name: 'ListObjectVersions',
  method: 'GET',
  target: 'bucket',
  subresource: 'versions',
  action: VERSIONS_ACTION,
  handle: (request) => emptyVersionListing(request),
};

export const listObjects: S3Operation = {
  name: 'ListObjects',
  method: 'GET',
  target: 'bucket',
  action: ACTION,
  handle: (request) => emptyListing(request, 1),
};

export const listObjectsV2: S3Operation = {
  name: 'ListObjectsV2',
  method: 'GET',
  target: 'bucket',
  parameter: ['list-type', '2'],
  action: ACTION,
  handle: (request) => emptyListing(request, 2),
};
