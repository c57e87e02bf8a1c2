// The query parameters of the listing operations (ListBuckets, ListObjects, ListObjectsV2), read and
// validated as AWS does, and ListBuckets' continuation token. Pure: no HTTP, no storage.
// AWS's answers to bad parameters (messages, ArgumentName/ArgumentValue, which is checked first) are
// written down in docs/behaviour.md "Listings".
import { createHash } from 'node:crypto';
import { invalidArgument } from './errors.ts';
import { S3_REGIONS } from './regions.ts';

type Query = ReadonlyArray<readonly [name: string, value: string]>;

/** The first value of a parameter, as AWS reads a repeated one; undefined when absent. */
export const queryParameter = (query: Query, name: string): string | undefined =>
  query.find(([key]) => key === name)?.[1];

/** ListBuckets' page size without `max-buckets` (AWS: "a default page size of 10,000"). */
export const DEFAULT_MAX_BUCKETS = 10_000;

const INTEGER = /^[-+]?\d+$/;
const INT32_MAX = 2 ** 31 - 1;

interface CountRule {
  /** The parameter, e.g. `max-buckets`. */
  name: string;
  fallback: number;
  min: number;
  max: number;
  /** AWS's ArgumentName and message for a number out of range (`maxKeys` is spelled so there). */
  rangeArgumentName: string;
  rangeMessage: string;
}

/**
 * A page-size parameter: absent or empty → the fallback; not a decimal 32-bit integer → AWS's
 * "not an integer or within integer range" (ArgumentValue as sent); out of range → the rule's
 * message (ArgumentValue the number read, `-01` as `-1`).
 */
function readCount(query: Query, rule: CountRule): number {
  const text = queryParameter(query, rule.name);
  if (text === undefined || text === '') return rule.fallback;
  const value = Number(text);
  if (!INTEGER.test(text) || Math.abs(value) > INT32_MAX) {
    throw invalidArgument(`Provided ${rule.name} not an integer or within integer range`, rule.name, text);
  }
  if (value < rule.min || value > rule.max) {
    throw invalidArgument(rule.rangeMessage, rule.rangeArgumentName, String(value));
  }
  return value;
}

export interface ListBucketsQuery {
  maxBuckets: number;
  /** Present (even empty) when the request sent it: the response echoes it. */
  prefix: string | undefined;
  continuationToken: string | undefined;
}

/**
 * ListBuckets' parameters, checked in AWS's order: max-buckets, then bucket-region. The continuation
 * token is read later, against the caller (readContinuationToken).
 */
export function parseListBucketsQuery(query: Query, serviceRegion: string): ListBucketsQuery {
  const maxBuckets = readCount(query, {
    name: 'max-buckets',
    fallback: DEFAULT_MAX_BUCKETS,
    min: 1,
    max: DEFAULT_MAX_BUCKETS,
    rangeArgumentName: 'max-buckets',
    rangeMessage: 'Argument max-buckets must be an integer between 1 and 10000',
  });
  const bucketRegion = queryParameter(query, 'bucket-region');
  // Every bucket of a deployment is in its region (CreateBucket refuses any other), so naming that
  // region filters nothing; AWS refuses another AWS Region at a regional endpoint, and a name that is
  // none (`eu-east-1`) as no region (LocalStack's AWS-validated snapshot, bad-region).
  if (bucketRegion !== undefined && bucketRegion.toLowerCase() !== serviceRegion) {
    if (!S3_REGIONS.has(bucketRegion.toLowerCase())) {
      throw invalidArgument(`Argument value ${bucketRegion} is not a valid AWS Region`, 'bucket-region');
    }
    throw invalidArgument(
      'Requests with bucket-region specified must be made to the corresponding regional endpoint',
      'bucket-region',
    );
  }
  const continuationToken = queryParameter(query, 'continuation-token');
  return {
    maxBuckets,
    prefix: queryParameter(query, 'prefix'),
    continuationToken: continuationToken === '' ? undefined : continuationToken,
  };
}

// ListBuckets' continuation token: the last bucket name of the page, behind a checksum that covers
// the account it was issued to. A token altered, made up, or issued to another account fails the
// checksum → 400 InvalidArgument. It is not a secret (docs/behaviour.md "Listings"): whoever forges one can only
// move the start of their own listing, because the Query is always on the caller's own partition.
const TOKEN_VERSION = 'lb1';
const CHECKSUM_BYTES = 12;
const TOKEN_NAME = /^[a-z0-9.-]{1,63}$/;

const checksum = (accountId: string, name: string): Buffer =>
  createHash('sha256').update(`${TOKEN_VERSION}\n${accountId}\n${name}`).digest().subarray(0, CHECKSUM_BYTES);

export function issueContinuationToken(accountId: string, lastName: string): string {
  return Buffer.concat([checksum(accountId, lastName), Buffer.from(lastName, 'utf8')]).toString('base64url');
}

const incorrectToken = () =>
  invalidArgument('The continuation token provided is incorrect', 'continuation-token');

/** The bucket name a token resumes after, if it was issued to this account for this prefix. */
export function readContinuationToken(token: string, accountId: string, prefix: string | undefined): string {
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical encoding of a token this service issued: no padding, no other alphabet.
  if (bytes.toString('base64url') !== token || bytes.length <= CHECKSUM_BYTES) throw incorrectToken();
  const name = bytes.subarray(CHECKSUM_BYTES).toString('utf8');
  if (!TOKEN_NAME.test(name) || !checksum(accountId, name).equals(bytes.subarray(0, CHECKSUM_BYTES))) {
    throw incorrectToken();
  }
  // A page of another prefix's listing cannot resume this one.
  if (prefix && !name.startsWith(prefix)) throw incorrectToken();
  return name;
}

/** ListObjects' page size without `max-keys` (and the most AWS returns in one page). */
export const DEFAULT_MAX_KEYS = 1000;

export interface ListObjectsQuery {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  /** `url` when the client asked for URL-encoded names (the AWS CLI always does). */
  encodingType: 'url' | undefined;
  /** V1's marker / V2's start-after, as sent. */
  startAfter: string | undefined;
}

/** ListObjects(V2)'s parameters; `startAfterName` is `marker` (V1) or `start-after` (V2). */
export function parseListObjectsQuery(
  query: Query,
  startAfterName: 'marker' | 'start-after' | 'key-marker',
): ListObjectsQuery {
  const maxKeys = readCount(query, {
    name: 'max-keys',
    fallback: DEFAULT_MAX_KEYS,
    min: 0,
    max: INT32_MAX,
    rangeArgumentName: 'maxKeys',
    rangeMessage: 'Argument maxKeys must be an integer between 0 and 2147483647',
  });
  const encodingType = queryParameter(query, 'encoding-type');
  // An empty value too (`?encoding-type=`): AWS refuses it, ArgumentValue empty (LocalStack's
  // AWS-validated snapshots, test_list_ops_encoding_type_validation).
  if (encodingType !== undefined && encodingType !== 'url') {
    throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  }
  // This service issues no object-listing tokens (it lists no objects): any token is not one of ours.
  const continuationToken = queryParameter(query, 'continuation-token');
  if (continuationToken !== undefined && continuationToken !== '') throw incorrectToken();
  // Parameters of another listing, which AWS refuses rather than ignores (versitygw's tests run against
  // AWS itself: ListObjectsV1 start-after, versitygw#2004; ListObjectVersions version-id-marker, #2174).
  const startAfter = queryParameter(query, 'start-after');
  if (startAfterName === 'marker' && startAfter !== undefined) {
    throw invalidArgument(
      'startAfter only supported in REST.GET.BUCKET with list-type=2',
      'start-after',
      startAfter,
    );
  }
  const versionIdMarker = queryParameter(query, 'version-id-marker');
  if (
    startAfterName === 'key-marker' &&
    versionIdMarker !== undefined &&
    !queryParameter(query, 'key-marker')
  ) {
    throw invalidArgument(
      'A version-id marker cannot be specified without a key marker',
      'version-id-marker',
      versionIdMarker,
    );
  }
  return {
    prefix: queryParameter(query, 'prefix') ?? '',
    delimiter: queryParameter(query, 'delimiter') || undefined,
    maxKeys,
    encodingType: encodingType === 'url' ? 'url' : undefined,
    startAfter: queryParameter(query, startAfterName),
  };
}

// S3's `encoding-type=url` form, as MinIO writes it (cmd/api-utils.go s3URLEncode): letters, digits
// and `-_./*` as they are, a space as `+`, every other UTF-8 byte as %XX. Clients decode it as a form
// value (botocore: unquote_plus), so `/` stays readable in prefixes and delimiters.
const URL_SAFE = /[A-Za-z0-9\-_./*]/;
function s3UrlEncode(name: string): string {
  let encoded = '';
  for (const character of name) {
    if (URL_SAFE.test(character)) encoded += character;
    else if (character === ' ') encoded += '+';
    else
      for (const byte of Buffer.from(character, 'utf8'))
        encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** A name as a listing answers it: URL-encoded when the client asked (`encoding-type=url`). */
export const listedName = (name: string, encodingType: 'url' | undefined): string =>
  encodingType === 'url' ? s3UrlEncode(name) : name;
