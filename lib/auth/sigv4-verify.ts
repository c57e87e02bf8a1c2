// AWS Signature Version 4 for S3, verified on the server: the Authorization header form, and what the
// presigned (query-string) form shares with it (sigv4-presigned.ts, imported by the first presigned
// request: most requests sign a header, and a cold start loads only what they need).
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
//
// S3's canonical request differs from other services': the URI is the path exactly as sent (not
// normalised, not encoded a second time), and the payload hash is the x-amz-content-sha256 header
// (UNSIGNED-PAYLOAD for presigned URLs).

import { createHmac } from 'node:crypto';
import { invalidRequest, S3Error } from '../errors.ts';
import type { S3Request } from '../request.ts';
import {
  CONTENT_SHA256,
  canonicalUris,
  checkClockSkew,
  checkPayloadHash,
  checkPayloadHashValue,
  headerRequestDate,
  type QueryPiece,
  type SigningSecret,
  secretFor,
  sha256Hex,
  signaturesMatch,
  spacedHexBytes,
  toAmzDate,
  type VerifiedCaller,
  type VerifyOptions,
} from './signature-common.ts';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';
const TERMINATOR = 'aws4_request';

/** The query parameters that make a request a presigned one (any of them: the rest must follow). */
export const PRESIGNED_MARKERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'] as const;

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  scope: string;
}

/** How a malformed credential or signed-headers list is reported: the two forms differ. */
export interface FormErrors {
  malformed(detail: string, fields?: Record<string, string>): S3Error;
  dateMismatch(credentialDate: string, requestDate: string): S3Error;
}

const HEADER_ERRORS: FormErrors = {
  malformed: (detail, fields) =>
    new S3Error('AuthorizationHeaderMalformed', {
      message: `The authorization header is malformed; ${detail}`,
      ...(fields ? { fields } : {}),
    }),
  dateMismatch: (credentialDate, requestDate) =>
    new S3Error('AuthorizationHeaderMalformed', {
      message: `The authorization header is malformed; Invalid credential date "${credentialDate}". This date is not the same as X-Amz-Date: "${requestDate}".`,
    }),
};

/** `AKID/yyyyMMdd/region/s3/aws4_request`, checked against the request date and this service's region. */
export function checkCredential(
  value: string,
  requestDate: string,
  region: string,
  errors: FormErrors,
): Credential {
  const parts = value.split('/');
  const [accessKeyId, date, credentialRegion, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    date === undefined ||
    credentialRegion === undefined ||
    service === undefined ||
    terminator === undefined
  ) {
    throw errors.malformed(
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  if (date !== requestDate.slice(0, 8)) throw errors.dateMismatch(date, requestDate.slice(0, 8));
  if (credentialRegion !== region) {
    throw errors.malformed(`the region '${credentialRegion}' is wrong; expecting '${region}'`, {
      Region: region,
    });
  }
  if (service !== SERVICE) {
    throw errors.malformed(`incorrect service "${service}". This endpoint belongs to "s3".`);
  }
  if (terminator !== TERMINATOR) {
    throw errors.malformed(`incorrect terminal "${terminator}". This endpoint uses "aws4_request".`);
  }
  return { accessKeyId, date, region, scope: `${date}/${region}/${SERVICE}/${TERMINATOR}` };
}

interface AuthorizationHeader {
  credential: string;
  signedHeaders: string;
  signature: string;
}

const THREE_COMPONENTS =
  'the authorization header requires three components: Credential, SignedHeaders, and Signature.';

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (comma, optional spaces). */
function parseAuthorizationHeader(authorization: string): AuthorizationHeader {
  // The algorithm is a token of its own: `AWS4-HMAC-SHA256Credential=…` is refused, as AWS refuses it
  // (minio-js#289: clients that left the space out failed against S3).
  if (authorization[SIGV4_ALGORITHM.length] !== ' ') throw HEADER_ERRORS.malformed(THREE_COMPONENTS);
  const components = new Map<string, string>();
  for (const part of authorization.slice(SIGV4_ALGORITHM.length).split(',')) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf('=');
    const name = equals < 0 ? trimmed : trimmed.slice(0, equals);
    if (equals < 0 || components.has(name)) throw HEADER_ERRORS.malformed(THREE_COMPONENTS);
    components.set(name, trimmed.slice(equals + 1));
  }
  const credential = components.get('Credential');
  const signedHeaders = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (
    credential === undefined ||
    signedHeaders === undefined ||
    signature === undefined ||
    components.size !== 3
  ) {
    throw HEADER_ERRORS.malformed(THREE_COMPONENTS);
  }
  return { credential, signedHeaders, signature };
}

/** The request time of the header form: x-amz-date, else the Date header (AWS accepts either). */
function headerRequestTime(request: S3Request): { epochMs: number; amzDate: string; asSent: string } {
  const sent = headerRequestDate(request.headers);
  if (sent?.epochMs !== undefined) {
    const { asSent, epochMs } = sent;
    return { epochMs, amzDate: sent.fromAmzDate ? asSent : toAmzDate(epochMs), asSent };
  }
  throw new S3Error('AccessDenied', {
    message: 'AWS authentication requires a valid Date or x-amz-date header',
  });
}

/** AWS answers 403 when an x-amz-* header rides along unsigned (it could have been added in transit). */
export function checkAmzHeadersSigned(
  request: S3Request,
  signedHeaders: readonly string[],
  exempt?: string,
): void {
  const unsigned: string[] = [];
  for (const name in request.headers) {
    if (name.startsWith('x-amz-') && name !== exempt && !signedHeaders.includes(name)) unsigned.push(name);
  }
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', {
      message: 'There were headers present in the request which were not signed',
      fields: { HeadersNotSigned: unsigned.join(', ') },
    });
  }
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
/** Each byte's RFC 3986 form: itself if unreserved, else `%XX` in upper case. */
const ENCODED_BYTES: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

/** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every other UTF-8 byte as %XX. */
export function uriEncode(text: string): string {
  if (UNRESERVED.test(text)) return text;
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) encoded += ENCODED_BYTES[byte];
  return encoded;
}

/** Every parameter (but the signature itself), decoded then RFC 3986-encoded, sorted by name then value. */
export function canonicalQueryString(pieces: readonly QueryPiece[], skip?: string): string {
  const pairs: [string, string][] = [];
  for (const piece of pieces) {
    if (piece.name !== skip) pairs.push([uriEncode(piece.name), uriEncode(piece.value)]);
  }
  if (pairs.length === 0) return '';
  pairs.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
  );
  let query = '';
  for (const [name, value] of pairs) query += `${query === '' ? '' : '&'}${name}=${value}`;
  return query;
}

// Only a value with a whitespace run or whitespace other than a space changes when runs are collapsed.
const NEEDS_COLLAPSE = /\s\s|[^\S ]/;
const WHITESPACE_RUN = /\s+/g;

/** The signed headers in the order listed, values trimmed and inner whitespace runs collapsed. */
function canonicalHeaders(request: S3Request, signedHeaders: readonly string[]): string {
  let block = '';
  for (const name of signedHeaders) {
    // An absent signed header canonicalises as empty: the signature then decides (a mismatch, unless
    // the client really signed an empty value that the gateway dropped).
    const value = (request.headers[name] ?? (name === 'host' ? request.host : '')).trim();
    block += `${name}:${NEEDS_COLLAPSE.test(value) ? value.replace(WHITESPACE_RUN, ' ') : value}\n`;
  }
  return block;
}

export function canonicalRequest(
  request: S3Request,
  query: string,
  signedHeaders: readonly string[],
  signedHeadersList: string,
  payloadHash: string,
  uri: string = canonicalUris(request)[0] ?? '/',
  headers: string = canonicalHeaders(request, signedHeaders),
): string {
  return `${request.method}\n${uri}\n${query}\n${headers}\n${signedHeadersList}\n${payloadHash}`;
}

// The signing key depends only on (secret, day, region): derive it once a day per key, not per request.
const signingKeys = new Map<string, { secretAccessKey: string; key: Buffer }>();
const MAX_SIGNING_KEYS = 512;

function signingKey(secret: SigningSecret, date: string, region: string): Buffer {
  const cacheKey = `${secret.accessKeyId}/${date}/${region}`;
  const cached = signingKeys.get(cacheKey);
  if (cached && cached.secretAccessKey === secret.secretAccessKey) return cached.key;
  const dateKey = createHmac('sha256', `AWS4${secret.secretAccessKey}`).update(date).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(SERVICE).digest();
  const key = createHmac('sha256', serviceKey).update(TERMINATOR).digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(cacheKey, { secretAccessKey: secret.secretAccessKey, key });
  return key;
}

interface SignatureCheck {
  request: S3Request;
  credential: Credential;
  secret: SigningSecret;
  amzDate: string;
  query: string;
  signedHeaders: readonly string[];
  signedHeadersList: string;
  payloadHash: string;
  signatureProvided: string;
}

export function checkSignature(check: SignatureCheck): void {
  const key = signingKey(check.secret, check.credential.date, check.credential.region);
  // The canonical headers are the same for every URI tried: built once.
  const headers = canonicalHeaders(check.request, check.signedHeaders);
  const sign = (uri: string) => {
    const canonical = canonicalRequest(
      check.request,
      check.query,
      check.signedHeaders,
      check.signedHeadersList,
      check.payloadHash,
      uri,
      headers,
    );
    const stringToSign = `${SIGV4_ALGORITHM}\n${check.amzDate}\n${check.credential.scope}\n${sha256Hex(canonical)}`;
    return { canonical, stringToSign };
  };
  const uris = canonicalUris(check.request);
  let first: { canonical: string; stringToSign: string } | undefined;
  for (const uri of uris) {
    const attempt = sign(uri);
    first ??= attempt;
    const expected = createHmac('sha256', key).update(attempt.stringToSign).digest('hex');
    if (signaturesMatch(expected, check.signatureProvided)) return;
  }
  // What AWS returns to help a client debug its signer (for the path as received); never the
  // expected signature or the key.
  const { canonical, stringToSign } = first ?? { canonical: '', stringToSign: '' };
  throw new S3Error('SignatureDoesNotMatch', {
    fields: {
      AWSAccessKeyId: check.credential.accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: check.signatureProvided,
      StringToSignBytes: spacedHexBytes(stringToSign),
      CanonicalRequest: canonical,
      CanonicalRequestBytes: spacedHexBytes(canonical),
    },
  });
}

/** `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export async function verifySigV4Header(
  request: S3Request,
  authorization: string,
  pieces: readonly QueryPiece[],
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const header = parseAuthorizationHeader(authorization);
  const time = headerRequestTime(request);
  const credential = checkCredential(header.credential, time.amzDate, options.region, HEADER_ERRORS);
  const signedHeaders = header.signedHeaders.split(';');
  if (!signedHeaders.includes('host')) {
    throw HEADER_ERRORS.malformed('the SignedHeaders component must include host.');
  }
  // S3 refuses a header-signed request without its body hash: "The x-amz-content-sha256 header is required
  // for all AWS Signature Version 4 requests" (S3 API reference, "Signature Calculations for the
  // Authorization Header"), answered 400 InvalidRequest "Missing required header for this request:
  // x-amz-content-sha256" (versitygw's tests/test_rest_list_buckets.sh expects AWS's words). Every SDK and
  // CLI sends it; a presigned URL (verifyPresigned) signs UNSIGNED-PAYLOAD instead.
  const declaredHash = request.headers['x-amz-content-sha256'];
  if (declaredHash === undefined)
    throw invalidRequest('Missing required header for this request: x-amz-content-sha256');
  checkClockSkew(time.epochMs, time.asSent, options.now);
  checkAmzHeadersSigned(request, signedHeaders);
  checkPayloadHashValue(declaredHash, CONTENT_SHA256.aws);

  const secret = await secretFor(options.lookup, credential.accessKeyId);
  checkSignature({
    request,
    credential,
    secret,
    amzDate: time.amzDate,
    query: canonicalQueryString(pieces),
    signedHeaders,
    signedHeadersList: header.signedHeaders,
    payloadHash: declaredHash,
    signatureProvided: header.signature,
  });
  checkPayloadHash(declaredHash, request.body);
  return { accountId: secret.accountId, accessKeyId: secret.accessKeyId };
}
