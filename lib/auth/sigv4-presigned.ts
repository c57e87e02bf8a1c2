// The presigned (query-string) form of AWS Signature Version 4: `?X-Amz-Algorithm=…&X-Amz-Signature=…`.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
// lib/auth/sigv4.ts imports it for the first presigned request; the canonical request, the credential
// scope and the signature check are the header form's (sigv4-verify.ts).

import { S3Error } from '../errors.ts';
import type { S3Request } from '../request.ts';
import {
  CONTENT_SHA256,
  checkPayloadHash,
  checkPayloadHashValue,
  MAX_SKEW_MS,
  parseAmzDate,
  type QueryPiece,
  queryValue,
  requestHasExpired,
  requestTimeTooSkewed,
  secretFor,
  UNSIGNED_PAYLOAD,
  type VerifiedCaller,
  type VerifyOptions,
} from './signature-common.ts';
import {
  canonicalQueryString,
  checkAmzHeadersSigned,
  checkCredential,
  checkSignature,
  type FormErrors,
  SIGV4_ALGORITHM,
} from './sigv4-verify.ts';

/** Presigned URLs live at most a week. */
const MAX_EXPIRES_SECONDS = 604_800;

const queryParametersError = (message: string, fields?: Record<string, string>) =>
  new S3Error('AuthorizationQueryParametersError', { message, ...(fields ? { fields } : {}) });

const QUERY_ERRORS: FormErrors = {
  malformed: (detail, fields) =>
    queryParametersError(`Error parsing the X-Amz-Credential parameter; ${detail}`, fields),
  dateMismatch: () => queryParametersError('Invalid credential date. Date is not the same as X-Amz-Date.'),
};

const MISSING_QUERY_PARAMETERS =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';

function presignedExpiry(value: string): number {
  if (!/^-?\d+$/.test(value)) throw queryParametersError('X-Amz-Expires should be a number');
  const seconds = Number(value);
  if (seconds < 0) throw queryParametersError('X-Amz-Expires must be non-negative');
  if (seconds === 0) throw queryParametersError('X-Amz-Expires must be greater than 0');
  if (seconds > MAX_EXPIRES_SECONDS) {
    throw queryParametersError('X-Amz-Expires must be less than a week (in seconds) that is; 604800');
  }
  return seconds;
}

/** Presigned URL: `?X-Amz-Algorithm=…&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=…&X-Amz-SignedHeaders=…&X-Amz-Signature=…`. */
export async function verifySigV4Query(
  request: S3Request,
  pieces: readonly QueryPiece[],
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const algorithm = queryValue(pieces, 'X-Amz-Algorithm');
  const credentialValue = queryValue(pieces, 'X-Amz-Credential');
  const amzDate = queryValue(pieces, 'X-Amz-Date');
  const expiresValue = queryValue(pieces, 'X-Amz-Expires');
  const signedHeadersList = queryValue(pieces, 'X-Amz-SignedHeaders');
  const signature = queryValue(pieces, 'X-Amz-Signature');
  if (
    algorithm === undefined ||
    credentialValue === undefined ||
    amzDate === undefined ||
    expiresValue === undefined ||
    signedHeadersList === undefined ||
    signature === undefined
  ) {
    throw queryParametersError(MISSING_QUERY_PARAMETERS);
  }
  if (algorithm !== SIGV4_ALGORITHM) {
    throw queryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const requestMs = parseAmzDate(amzDate);
  if (requestMs === undefined) {
    throw queryParametersError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  const credential = checkCredential(credentialValue, amzDate, options.region, QUERY_ERRORS);
  const expiresSeconds = presignedExpiry(expiresValue);
  const signedHeaders = signedHeadersList.split(';');
  if (!signedHeaders.includes('host')) throw queryParametersError('X-Amz-SignedHeaders must include host.');

  const nowMs = options.now.getTime();
  // A URL may be used any time until it expires, but not signed far in the future.
  if (requestMs - nowMs > MAX_SKEW_MS) throw requestTimeTooSkewed(amzDate, options.now);
  const expiresMs = requestMs + expiresSeconds * 1000;
  if (nowMs > expiresMs) throw requestHasExpired(expiresMs, nowMs, { 'X-Amz-Expires': expiresValue });
  // The content hash header is not part of a presigned URL's contract (LocalStack's AWS-validated
  // tests ignore it too); any other x-amz-* header must have been signed.
  checkAmzHeadersSigned(request, signedHeaders, 'x-amz-content-sha256');
  const headerHash = signedHeaders.includes('x-amz-content-sha256')
    ? request.headers['x-amz-content-sha256']
    : undefined;
  // The S3 presigner hoists it as `X-Amz-Content-Sha256`, a bare SigV4 presigner as `x-amz-content-sha256`.
  const queryHash = pieces.find((piece) => piece.name.toLowerCase() === 'x-amz-content-sha256')?.value;
  const payloadHash = queryHash ?? headerHash ?? UNSIGNED_PAYLOAD;
  checkPayloadHashValue(payloadHash, CONTENT_SHA256.aws);

  const secret = await secretFor(options.lookup, credential.accessKeyId);
  checkSignature({
    request,
    credential,
    secret,
    amzDate,
    query: canonicalQueryString(pieces, 'X-Amz-Signature'),
    signedHeaders,
    signedHeadersList,
    payloadHash,
    signatureProvided: signature,
  });
  checkPayloadHash(payloadHash, request.body);
  // A body hash sent as a header but left out of the URL's signature still has to be the body's: any
  // body hash present is verified (docs/security.md "What is authenticated").
  const sentHash = request.headers[CONTENT_SHA256.aws];
  if (sentHash !== undefined) checkPayloadHash(sentHash, request.body);
  return { accountId: secret.accountId, accessKeyId: secret.accessKeyId };
}
