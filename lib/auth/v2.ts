// Signature Version 2 (`Authorization: AWS ak:sig`) and Huawei OBS's own (`Authorization: OBS ak:sig`):
// one algorithm, HMAC-SHA1 over a string to sign, with two header prefixes. Only the obs profile
// accepts them (Huawei's esdk-obs-nodejs signs nothing else; see below).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
//
// The rules follow what esdk-obs-nodejs 3.x actually signs (lib/utils.js, Utils.prototype.doAuth):
//   METHOD \n Content-MD5 \n Content-Type \n Date \n
//   every header starting with the prefix (x-amz- / x-obs-), lower-case, sorted, `name:value\n`
//   the resource: the path as sent (virtual-hosted: `/bucket` + path) + the sub-resources it lists,
//   sorted, `?name` or `?name=value` (decoded), joined with `&`.
// A path-style bucket's path is accepted with or without its trailing slash (canonicalUris). A
// signature whose resource leaves out a sub-resource the request names is refused, whoever made it:
// botocore's V2 signer leaves out `?encryption`, `?publicAccessBlock` and `?policyStatus` (its
// HmacV1Auth.QSAOfInterest, botocore 1.43.11), and a signature over `/b1/` alone is also what a
// ListObjects or DeleteBucket of the bucket carries: accepting it for those would let a captured
// DeleteBucket delete the bucket's encryption or Block Public Access.
// The Date line is empty when x-amz-date / x-obs-date is present (AWS's rule; the OBS SDK never sends
// those, so it always signs the Date header it sends).
//
// What the signature does not cover, and how the service makes up for it (docs/security.md "Replay"):
// - the body, unless the request signs a digest of it (Content-MD5, the dialect's content-sha256, or,
//   in V2, x-amz-checksum-sha1/-sha256). A signed digest is verified (here, or by the operation for
//   Content-MD5 and the checksums); a write without one binds its body to its signature on first use
//   (options.bindBody): a few seconds after its first use, the signature carries no other body;
// - under OBS, every x-amz-* header: refused (403 AccessDenied, as SigV4 refuses an unsigned x-amz-*),
//   so that x-amz-expected-bucket-owner, x-amz-content-sha256, x-amz-checksum-*, x-amz-date or any
//   x-amz-* header a later operation reads can never change what an OBS-signed request does. Huawei's
//   SDK sends none after an OBS signature (its OBS model prefixes every header x-obs-). Under V2 the
//   x-obs-* headers are likewise unsigned, but the service reads none of them, and Huawei's SDK sends
//   one in V2 mode (x-obs-az-redundancy on CreateBucket), so they are left alone.

import { createHash, createHmac } from 'node:crypto';
import { S3Error } from '../errors.ts';
import type { S3Request } from '../request.ts';
import {
  CONTENT_SHA256,
  canonicalUris,
  checkClockSkew,
  checkPayloadHash,
  checkPayloadHashValue,
  isSha256Hex,
  MAX_SKEW_MS,
  parseHttpDate,
  type QueryPiece,
  queryValue,
  requestHasExpired,
  secretFor,
  sha256Hex,
  signaturesMatch,
  spacedHexBytes,
  type VerifiedCaller,
  type VerifyOptions,
} from './signature-common.ts';

export interface V2Flavour {
  /** The Authorization scheme: `AWS` or `OBS`. */
  scheme: 'AWS' | 'OBS';
  /** Headers signed by name and value: `x-amz-` or `x-obs-`. */
  headerPrefix: string;
  /** The header that, present, replaces Date: `x-amz-date` or `x-obs-date`. */
  dateHeader: string;
  /** The dialect's body hash (hex SHA-256), signed as one of its prefixed headers. */
  contentSha256: string;
  /** The other dialect's prefix when the service reads headers of it: present, they are refused. */
  refusedPrefix?: string;
  /** Checksum headers the string to sign covers that bind the body (cryptographic, not CRCs). */
  signedDigests: readonly string[];
}

export const AWS_V2: V2Flavour = {
  scheme: 'AWS',
  headerPrefix: 'x-amz-',
  dateHeader: 'x-amz-date',
  contentSha256: CONTENT_SHA256.aws,
  signedDigests: ['x-amz-checksum-sha1', 'x-amz-checksum-sha256'],
};
export const OBS_V2: V2Flavour = {
  scheme: 'OBS',
  headerPrefix: 'x-obs-',
  dateHeader: 'x-obs-date',
  contentSha256: CONTENT_SHA256.obs,
  refusedPrefix: 'x-amz-',
  signedDigests: [],
};

/**
 * The query parameters esdk-obs-nodejs puts in the resource it signs (its
 * `allowedResourceParameterNames`, compared in lower case), the same list for both prefixes.
 */
export const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl',
  'backtosource',
  'policy',
  'torrent',
  'logging',
  'location',
  'storageinfo',
  'quota',
  'storageclass',
  'storagepolicy',
  'requestpayment',
  'versions',
  'versioning',
  'versionid',
  'uploads',
  'uploadid',
  'partnumber',
  'website',
  'notification',
  'replication',
  'lifecycle',
  'deletebucket',
  'delete',
  'cors',
  'restore',
  'tagging',
  'append',
  'position',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'x-image-process',
  'x-oss-process',
  'x-image-save-object',
  'x-image-save-bucket',
  'encryption',
  'directcoldaccess',
  'rename',
  'name',
  'metadata',
  'modify',
  'attname',
  'truncate',
  'x-obs-security-token',
  'x-workflow-prefix',
  'x-workflow-start',
  'x-workflow-limit',
  'x-workflow-template-name',
  'x-workflow-graph-name',
  'x-workflow-execution-state',
  'x-workflow-execution-type',
  'x-workflow-next-marker',
  'obsworkflowtriggerpolicy',
  'obsbucketalias',
  'obsalias',
  'publicaccessblock',
  'bucketstatus',
  'policystatus',
  'customdomain',
  'inventory',
  'object-lock',
  'retention',
  'mirrorbacktosource',
  'obscompresspolicy',
  'length',
]);

/** Query parameter names, compared in lower case. */
type NameSet = Pick<ReadonlySet<string>, 'has'>;

/** What a string to sign is built over, when not the request as received with Huawei's list. */
export interface ResourceVariant {
  /** The path as received, or another that the signature may cover (`canonicalUris`). */
  path?: string;
  /** The query parameters that are part of the resource. */
  subresources?: NameSet;
  /** The Date line: a presigned URL's `Expires` instead of the Date header. */
  date?: string;
}

/** `/bucket/key?acl&versionId=1`: the resource part of the string to sign. */
export function canonicalResource(
  request: S3Request,
  {
    path = request.rawPath === '' ? '/' : request.rawPath,
    subresources = SIGNED_SUBRESOURCES,
  }: ResourceVariant = {},
): string {
  let resource = request.addressing === 'path' ? path : `/${request.bucket}${path}`;
  // The signer sorts the raw `name=value` pieces, then keeps those it lists (value decoded, omitted if empty).
  const pieces = [...request.queryPieces].sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
  let separator = '?';
  for (const piece of pieces) {
    if (!subresources.has(piece.name.toLowerCase())) continue;
    resource += `${separator}${piece.name}${piece.value === '' ? '' : `=${piece.value}`}`;
    separator = '&';
  }
  return resource;
}

/** The string to sign, over the headers as S3 reads them (a V2 presigned URL's signed headers are in its query). */
export function stringToSign(request: S3Request, flavour: V2Flavour, variant: ResourceVariant = {}): string {
  const headers = request.effectiveHeaders;
  const date = variant.date ?? (headers[flavour.dateHeader] === undefined ? (headers.date ?? '') : '');
  let text = `${request.method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${date}\n`;
  const prefixed = Object.keys(headers)
    .filter((name) => name.startsWith(flavour.headerPrefix))
    .sort();
  for (const name of prefixed) text += `${name}:${(headers[name] ?? '').trim()}\n`;
  return text + canonicalResource(request, variant);
}

/** Headers of the other dialect, which this scheme does not sign: 403, as SigV4 answers unsigned x-amz-*. */
function refuseUnsignedHeaders(request: S3Request, flavour: V2Flavour): void {
  const { refusedPrefix } = flavour;
  if (refusedPrefix === undefined) return;
  const unsigned = Object.keys(request.headers).filter((name) => name.startsWith(refusedPrefix));
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', {
      message: 'There were headers present in the request which were not signed',
      fields: { HeadersNotSigned: unsigned.join(', ') },
    });
  }
}

// Methods whose body an operation reads: every served operation that takes a body is a PUT.
const BODY_METHODS: ReadonlySet<string> = new Set(['PUT', 'POST']);

/**
 * Whether a signed digest covers the body: Content-MD5 (in every string to sign), the dialect's hex
 * content-sha256, or a signed SHA checksum. Each is verified, so a body that does not match is refused.
 * CRC checksums are verified too but bind nothing: another body with the same CRC is easy to make.
 */
function bodyIsSigned(request: S3Request, flavour: V2Flavour): boolean {
  const headers = request.effectiveHeaders;
  if (headers['content-md5'] !== undefined) return true;
  const contentSha256 = headers[flavour.contentSha256];
  if (contentSha256 !== undefined && isSha256Hex(contentSha256)) return true;
  return flavour.signedDigests.some((name) => headers[name] !== undefined);
}

// Requests a client signs within the same second (Date has one-second resolution) to the same resource,
// without a digest, sign identically whatever their bodies: Huawei's SDK does so for two quick
// setBucketEncryption calls. They reach the service within about a second of each other, a few with
// cold starts: for this long after a signature's first use, another body is accepted; after it, only
// the bodies it came with. A replay with another body must therefore come within seconds of the
// original, not within its 15 minutes.
const SAME_SECOND_BURST_MS = 10_000;
/** Bodies kept per signature: more than a burst needs, few enough to keep the record small. */
const MAX_BODIES_PER_SIGNATURE = 16;

/**
 * A write whose body no signed digest covers: binds its body to its signature, or refuses it when the
 * signature has been in use for a while with other bodies (a captured request replayed with a body of
 * the replayer's).
 */
async function bindUnsignedBody(
  request: S3Request,
  flavour: V2Flavour,
  credentials: { accessKeyId: string; signature: string },
  lastUseMs: number,
  options: VerifyOptions,
): Promise<void> {
  if (!BODY_METHODS.has(request.method) || bodyIsSigned(request, flavour)) return;
  if (!options.bindBody) throw new Error('V2/OBS writes need a body binder (VerifyOptions.bindBody)');
  const signatureId = createHash('sha256')
    .update(`${flavour.scheme}\n${credentials.accessKeyId}\n${credentials.signature}`)
    .digest('hex');
  const seenAt = options.now.getTime();
  const bound = await options.bindBody({
    signatureId,
    bodySha256: sha256Hex(request.body),
    seenAt,
    otherBodiesSince: seenAt - SAME_SECOND_BURST_MS,
    maxBodies: MAX_BODIES_PER_SIGNATURE,
    // No request can carry this signature after that.
    expiresAt: Math.ceil(lastUseMs / 1000),
  });
  if (!bound) {
    throw new S3Error('AccessDenied', {
      message:
        'This signature was already used with another body. Sign a new request, with Content-MD5 to cover its body.',
    });
  }
}

/** `AWS ak:base64(HMAC-SHA1(secret, StringToSign))` or the same with `OBS`. */
export async function verifyV2(
  request: S3Request,
  authorization: string,
  flavour: V2Flavour,
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const credentials = authorization.slice(flavour.scheme.length + 1).trim();
  const colon = credentials.lastIndexOf(':');
  const accessKeyId = colon < 0 ? '' : credentials.slice(0, colon);
  const signature = colon < 0 ? '' : credentials.slice(colon + 1);
  if (accessKeyId === '' || signature === '') {
    throw new S3Error('InvalidArgument', {
      message: `${flavour.scheme} authorization header is invalid.  Expected ${flavour.scheme === 'AWS' ? 'AwsAccessKeyId' : 'AccessKeyId'}:signature`,
      fields: { ArgumentName: 'Authorization', ArgumentValue: authorization },
    });
  }

  const dateAsSent = request.headers[flavour.dateHeader] ?? request.headers.date;
  const requestMs = dateAsSent === undefined ? undefined : parseHttpDate(dateAsSent);
  if (dateAsSent === undefined || requestMs === undefined) {
    throw new S3Error('AccessDenied', {
      message: `${flavour.scheme} authentication requires a valid Date or ${flavour.dateHeader} header`,
    });
  }
  checkClockSkew(requestMs, dateAsSent, options.now);
  // No request can carry the signature once its time is more than 15 minutes past.
  return checkV2Signature(request, flavour, { accessKeyId, signature }, requestMs + MAX_SKEW_MS, options, {});
}

const V2_QUERY_PARAMETERS =
  'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters';

/**
 * A presigned URL signed V2 (`?AWSAccessKeyId=…&Expires=…&Signature=…`) or OBS
 * (`?AccessKeyId=…&Expires=…&Signature=…`): the string to sign has `Expires` (seconds since the epoch)
 * for its Date line, and the URL can be used until then, as AWS documents ("Query string request
 * authentication alternative", RESTAuthentication.html) and Huawei's SDK signs (createSignedUrlSync).
 * Its resource: the sub-resources as for a header signature, and, as Huawei's SDK signs, the URL's own
 * `x-amz-`/`x-obs-` parameters. A V2 URL's `x-amz-*`, Content-MD5 and Content-Type parameters count
 * as headers (lib/http/addressing.ts), where botocore's presigner puts the headers it signs.
 */
export async function verifyV2Query(
  request: S3Request,
  pieces: readonly QueryPiece[],
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const awsKey = queryValue(pieces, 'AWSAccessKeyId');
  const obsKey = queryValue(pieces, 'AccessKeyId');
  const accessKeyId = awsKey ?? obsKey;
  const signature = queryValue(pieces, 'Signature');
  const expires = queryValue(pieces, 'Expires');
  if (!accessKeyId || !signature || expires === undefined || (awsKey !== undefined && obsKey !== undefined)) {
    throw new S3Error('AccessDenied', { message: V2_QUERY_PARAMETERS });
  }
  if (!/^\d{1,12}$/.test(expires)) {
    throw new S3Error('AccessDenied', {
      message: `Invalid date (should be seconds since epoch): ${expires}`,
    });
  }
  const expiresMs = Number(expires) * 1000;
  const nowMs = options.now.getTime();
  if (nowMs > expiresMs) throw requestHasExpired(expiresMs, nowMs);
  const flavour = awsKey === undefined ? OBS_V2 : AWS_V2;
  return checkV2Signature(request, flavour, { accessKeyId, signature }, expiresMs, options, {
    date: expires,
  });
}

/** Huawei's list, and the query parameters named with the scheme's prefix (its presigned URLs sign them). */
const withPrefixed = (prefix: string): NameSet => ({
  has: (name) => SIGNED_SUBRESOURCES.has(name) || name.startsWith(prefix),
});

async function checkV2Signature(
  request: S3Request,
  flavour: V2Flavour,
  credentials: { accessKeyId: string; signature: string },
  lastUseMs: number,
  options: VerifyOptions,
  shape: { date?: string },
): Promise<VerifiedCaller> {
  const { accessKeyId, signature } = credentials;
  refuseUnsignedHeaders(request, flavour);
  const declaredHash = request.effectiveHeaders[flavour.contentSha256];
  if (declaredHash !== undefined) checkPayloadHashValue(declaredHash, flavour.contentSha256);

  const secret = await secretFor(options.lookup, accessKeyId);
  const huawei = shape.date === undefined ? SIGNED_SUBRESOURCES : withPrefixed(flavour.headerPrefix);
  // A V2 URL's x-amz-* parameters are signed either way: in the resource (Huawei's SDK) or as the
  // header lines they count as (botocore). Both lists name every sub-resource.
  const lists = shape.date !== undefined && flavour === AWS_V2 ? [huawei, SIGNED_SUBRESOURCES] : [huawei];
  const variants = canonicalUris(request).flatMap((path) =>
    lists.map((subresources): ResourceVariant => ({ path, subresources, ...shape })),
  );
  const signs = (variant: ResourceVariant) =>
    signaturesMatch(
      createHmac('sha1', secret.secretAccessKey)
        .update(stringToSign(request, flavour, variant))
        .digest('base64'),
      signature,
    );
  if (!variants.some(signs)) {
    const toSign = stringToSign(request, flavour, { subresources: huawei, ...shape });
    throw new S3Error('SignatureDoesNotMatch', {
      fields: {
        AWSAccessKeyId: accessKeyId,
        StringToSign: toSign,
        SignatureProvided: signature,
        StringToSignBytes: spacedHexBytes(toSign),
      },
    });
  }
  if (declaredHash !== undefined) checkPayloadHash(declaredHash, request.body);
  await bindUnsignedBody(request, flavour, credentials, lastUseMs, options);
  return { accountId: secret.accountId, accessKeyId: secret.accessKeyId };
}
