// Decodes an API Gateway HTTP API (payload v2) event into the S3Request every operation sees:
// which bucket (from the path, or from the Host header under the base domain), which object key,
// which subresource. API Gateway routes on method and path only; the operation is picked later
// from this (lib/http/dispatch.ts).
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { S3Error } from '../errors.ts';
import { MAX_REQUEST_BODY_BYTES, type QueryPiece, type S3Request } from '../request.ts';

// Query parameters that name an S3 subresource (the operation), as opposed to plain parameters
// such as `x-id`, `prefix` or the X-Amz-* of a presigned URL. A subresource missing here would be
// taken for no subresource at all, and `DELETE /b?newThing` for DeleteBucket: so the list is every
// `?name` in the request URIs of the vendors' own API models, which test/unit/http/subresources.test.ts
// reads from the installed SDKs (taken 2026-12-07):
// - S3: @aws-sdk/client-s3 3.1162.0's operation schemas (dist-es/schemas/schemas_0.js, 112 operations;
//   botocore 1.43.11's service-2.json names the same ones but `annotation` and `metadataAnnotationTable`),
//   and `uploadId`, a query member of the multipart operations;
// - OBS: every fixed `urlPath` of esdk-obs-nodejs 3.26.8's obsModel.js and v2Model.js (`apiversion`,
//   `customdomain`, `quota`…).
const SUBRESOURCES = new Set([
  // S3
  'abac',
  'accelerate',
  'acl',
  'analytics',
  'annotation',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataAnnotationTable',
  'metadataConfiguration',
  'metadataInventoryTable',
  'metadataJournalTable',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
  // OBS, beyond S3's
  'append',
  'apiversion',
  'bucketStatus',
  'customdomain',
  'directcoldaccess',
  'metadata',
  'mirrorBackToSource',
  'modify',
  'obscompresspolicy',
  'quota',
  'rename',
  'storageClass',
  'storagePolicy',
  'storageinfo',
  'truncate',
]);

/** Every query parameter that names an operation of S3's or OBS's API (the tests compare it with the SDKs). */
export const KNOWN_SUBRESOURCES: ReadonlySet<string> = SUBRESOURCES;

/** S3's limit on the request's headers and query string together (8 KB). */
export const MAX_HEADER_SECTION_BYTES = 8 * 1024;

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new S3Error('InvalidURI');
  }
};

/** The query's pieces, as sent and percent-decoded; a malformed escape is 400 InvalidURI. */
export function parseQuery(rawQueryString: string): QueryPiece[] {
  if (!rawQueryString) return [];
  const pieces: QueryPiece[] = [];
  for (const raw of rawQueryString.split('&')) {
    if (!raw) continue;
    const equals = raw.indexOf('=');
    const rawName = equals < 0 ? raw : raw.slice(0, equals);
    const rawValue = equals < 0 ? '' : raw.slice(equals + 1);
    pieces.push({ raw, rawName, rawValue, name: decode(rawName), value: decode(rawValue) });
  }
  return pieces;
}

export type Addressing = Pick<S3Request, 'addressing' | 'bucket' | 'objectKey'>;

/** Bucket and key from the Host header (virtual-hosted) or the path (path-style). */
export function address(host: string, rawPath: string, baseDomain: string | undefined): Addressing {
  const path = decode(rawPath || '/');
  if (baseDomain && host.endsWith(`.${baseDomain}`)) {
    const bucket = host.slice(0, -baseDomain.length - 1);
    const key = path.replace(/^\//, '');
    return { addressing: 'virtual-hosted', bucket, objectKey: key === '' ? undefined : key };
  }
  const trimmed = path.replace(/^\//, '');
  if (trimmed === '') return { addressing: 'path', bucket: undefined, objectKey: undefined };
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { addressing: 'path', bucket: trimmed, objectKey: undefined };
  const key = trimmed.slice(slash + 1);
  return { addressing: 'path', bucket: trimmed.slice(0, slash), objectKey: key === '' ? undefined : key };
}

/** Header names and values (`name: value` CRLF each) and the query string, in UTF-16 units ≈ bytes. */
function headerSectionSize(headers: Record<string, string>, rawQueryString: string): number {
  let size = rawQueryString.length;
  for (const [name, value] of Object.entries(headers)) size += name.length + value.length + 4;
  return size;
}

/** The body's size in bytes, from the event's string, without decoding it. */
function bodySize(event: APIGatewayProxyEventV2): number {
  const body = event.body ?? '';
  if (!event.isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
}

/** The subresources a query names, each once, sorted (more than one is a conflict: lib/http/dispatch.ts). */
function subresourcesOf(query: readonly QueryPiece[]): string[] {
  const named: string[] = [];
  for (const { name } of query) if (SUBRESOURCES.has(name) && !named.includes(name)) named.push(name);
  return named.sort();
}

/**
 * The headers as S3 reads them: for a presigned URL, its `x-amz-*` query parameters count as headers
 * (the SDK's presigner puts `x-amz-checksum-crc32` and `x-amz-sdk-checksum-algorithm` there), and for
 * a V2 one (`AWSAccessKeyId`) its Content-Type too (botocore's presigner moves the headers it signs
 * there). Headers sent for real win.
 */
function effectiveHeaders(
  headers: Readonly<Record<string, string>>,
  query: readonly QueryPiece[],
): Readonly<Record<string, string>> {
  const v2 =
    query.some(({ name }) => name === 'AWSAccessKeyId') && query.some(({ name }) => name === 'Signature');
  if (!v2 && !query.some(({ name }) => name === 'X-Amz-Signature')) return headers;
  const merged: Record<string, string> = {};
  for (const { name, value } of query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') || lower === 'content-md5' || (v2 && lower === 'content-type')) {
      merged[lower] ??= value;
    }
  }
  return { ...merged, ...headers };
}

/** SigV4's URI encoding, which S3 clients use for paths: every byte but A-Z a-z 0-9 - _ . ~ and `/`. */
const uriEncodePath = (path: string): string =>
  encodeURIComponent(path)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The path percent-encoded as the client sent and signed it. API Gateway's HTTP API hands `rawPath`
 * over percent-decoded (`/My%20Bucket` arrives as `/My Bucket`); serverless-offline leaves it encoded.
 * Decoding (a no-op on a decoded path) and encoding as SigV4 does gives back what S3 clients send
 * either way: the SDKs, the AWS CLI and Huawei's SDK all encode every byte but the unreserved ones.
 * What the decoding lost cannot be restored: a client that escaped an unreserved character (`%2e`) or
 * wrote escapes in lower case gets SignatureDoesNotMatch (docs/behaviour.md). A path that does not
 * decode (`%FF`, a bare `%`) can only be one still encoded: it is taken as it is.
 */
export function signedPath(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
  try {
    return uriEncodePath(decoded);
  } catch {
    // A lone surrogate cannot be UTF-8 encoded: no client sent it.
    throw new S3Error('InvalidURI');
  }
}

/** A body API Gateway delivered as text (not base64) that held bytes that are not UTF-8: they are lost. */
const LOST_BYTE = '\uFFFD';

export function decodeEvent(
  event: APIGatewayProxyEventV2,
  requestId: string,
  baseDomain: string | undefined,
): S3Request {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  // Payload 2.0 moves the Cookie header into `cookies` (AWS: "All cookie headers in the request are
  // combined with commas and added to the cookies field"); a signature that covers it needs it back.
  if (headers.cookie === undefined && event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const host = (headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  const rawPath = signedPath(event.rawPath || '/');
  const rawQueryString = event.rawQueryString ?? '';
  // Limits first, before anything is decoded or hashed.
  if (headerSectionSize(headers, rawQueryString) > MAX_HEADER_SECTION_BYTES) {
    throw new S3Error('RequestHeaderSectionTooLarge', {
      fields: { MaxSizeAllowed: String(MAX_HEADER_SECTION_BYTES) },
    });
  }
  if (
    Number(headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES ||
    bodySize(event) > MAX_REQUEST_BODY_BYTES
  ) {
    throw new S3Error('MaxMessageLengthExceeded');
  }
  // API Gateway delivers text content types as UTF-8 strings; bytes that were not UTF-8 arrive as U+FFFD
  // and cannot be recovered, so no signature, digest or parse over them means anything (docs/behaviour.md).
  if (event.body && !event.isBase64Encoded && event.body.includes(LOST_BYTE)) {
    throw new S3Error('InvalidRequest', {
      message:
        'The request body is not valid UTF-8. Send text bodies as UTF-8, or with a binary Content-Type (application/octet-stream).',
    });
  }
  const queryPieces = parseQuery(rawQueryString);
  const { addressing, bucket, objectKey } = address(host, rawPath, baseDomain);
  const body = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64')
      : Buffer.from(event.body, 'utf8')
    : Buffer.alloc(0);
  return {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    rawPath,
    rawQueryString,
    queryPieces,
    query: queryPieces.map(({ name, value }) => [name, value] as const),
    headers,
    effectiveHeaders: effectiveHeaders(headers, queryPieces),
    body,
    host,
    addressing,
    bucket,
    objectKey,
    subresources: subresourcesOf(queryPieces),
    subresource: queryPieces.find(({ name }) => SUBRESOURCES.has(name))?.name,
    resource: bucket === undefined ? '/' : objectKey === undefined ? `/${bucket}` : `/${bucket}/${objectKey}`,
    requestId,
    sourceIp: event.requestContext?.http?.sourceIp,
  };
}
