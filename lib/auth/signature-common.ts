// What the signature verifiers (sigv4.ts, v2.ts) share: the options they receive, request time and
// clock skew, the secret lookup, constant-time comparison, the query-string and addressing helpers.

import { hash, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../errors.ts';
import type { Caller, QueryPiece, S3Request } from '../request.ts';
import type { BodyBindingRecord } from '../storage/signatures.ts';

export interface SigningSecret {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export type SecretLookup = (accessKeyId: string) => Promise<SigningSecret | undefined>;

/** A V2/OBS write's body, bound to its signature (v2.ts; stored by lib/storage/signatures.ts). */
export type BodyBinding = BodyBindingRecord;

/** Records the binding: true when the body may go ahead, false when the signature may not carry it. */
export type BodyBinder = (binding: BodyBinding) => Promise<boolean>;

export interface VerifyOptions {
  now: Date;
  /** The region this service answers as: the only one a SigV4 credential scope may name. */
  region: string;
  /** obs profile: also accept `Authorization: AWS ak:sig` (V2) and `Authorization: OBS ak:sig`. */
  allowV2: boolean;
  lookup: SecretLookup;
  /** Where V2/OBS writes whose body no signed digest covers bind it to their signature (v2.ts). */
  bindBody?: BodyBinder;
}

/** Who signed a verified request. */
export type VerifiedCaller = Caller;

/** S3 rejects requests whose time is more than 15 minutes away from its own. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** `2025-01-01T00:00:00Z`: the form AWS uses for ServerTime, Expires, … in error documents. */
export const isoSeconds = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 19)}Z`;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `yyyyMMddTHHmmssZ` (ISO 8601 basic, as in x-amz-date / X-Amz-Date) → epoch ms, or undefined. */
export function parseAmzDate(value: string): number | undefined {
  const match = AMZ_DATE.exec(value);
  if (!match) return undefined;
  type Parts = [year: number, month: number, day: number, hour: number, minute: number, second: number];
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as Parts;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2025-02-30 over into March: reject what does not round-trip.
  const date = new Date(epochMs);
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  return epochMs;
}

/**
 * The time a header-signed SigV4 request names, as sent and read: its x-amz-date, else its Date header
 * (AWS accepts either); `epochMs` is undefined when the header it names does not parse, and the whole
 * answer undefined when it has neither. The signature check (sigv4-verify.ts) and the policy's
 * s3:signatureAge (request-facts.ts) both read the request's time here.
 */
export function headerRequestDate(
  headers: Readonly<Record<string, string | undefined>>,
): { asSent: string; epochMs: number | undefined; fromAmzDate: boolean } | undefined {
  const amzDate = headers['x-amz-date'];
  if (amzDate !== undefined) return { asSent: amzDate, epochMs: parseAmzDate(amzDate), fromAmzDate: true };
  const date = headers.date;
  return date === undefined ? undefined : { asSent: date, epochMs: parseHttpDate(date), fromAmzDate: false };
}

/** An HTTP date (`Fri, 20 Nov 2026 22:33:06 GMT`) or ISO 8601 basic → epoch ms, or undefined. */
export function parseHttpDate(value: string): number | undefined {
  const amz = parseAmzDate(value);
  if (amz !== undefined) return amz;
  const epochMs = Date.parse(value);
  return Number.isNaN(epochMs) ? undefined : epochMs;
}

/** `yyyyMMddTHHmmssZ` of an instant (what SigV4 signs when the client sent only a Date header). */
export const toAmzDate = (epochMs: number): string =>
  new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** 403 RequestTimeTooSkewed when the request time is more than 15 minutes from `now`, either way. */
export function checkClockSkew(requestTimeMs: number, requestTimeAsSent: string, now: Date): void {
  if (Math.abs(now.getTime() - requestTimeMs) > MAX_SKEW_MS) {
    throw requestTimeTooSkewed(requestTimeAsSent, now);
  }
}

/** A presigned URL used after it expired: 403, with when it expired and the server's time, as S3 answers. */
export const requestHasExpired = (expiresMs: number, nowMs: number, fields: Record<string, string> = {}) =>
  new S3Error('AccessDenied', {
    message: 'Request has expired',
    fields: { ...fields, Expires: isoSeconds(expiresMs), ServerTime: isoSeconds(nowMs) },
  });

export const requestTimeTooSkewed = (requestTimeAsSent: string, now: Date) =>
  new S3Error('RequestTimeTooSkewed', {
    fields: {
      RequestTime: requestTimeAsSent,
      ServerTime: isoSeconds(now.getTime()),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    },
  });

/**
 * What an access key id can be: 1–128 (IAM's limit) printable ASCII characters. Anything else is unknown
 * without a lookup: too long a table key, or a string (NUL, a lone surrogate) DynamoDB may refuse.
 */
const ACCESS_KEY_ID = /^[\x21-\x7e]{1,128}$/;

/** The secret of an access key, or 403 InvalidAccessKeyId. */
export async function secretFor(lookup: SecretLookup, accessKeyId: string): Promise<SigningSecret> {
  const secret = ACCESS_KEY_ID.test(accessKeyId) ? await lookup(accessKeyId) : undefined;
  if (!secret) throw new S3Error('InvalidAccessKeyId', { fields: { AWSAccessKeyId: accessKeyId } });
  return secret;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * The header carrying the body's SHA-256 in each dialect: AWS's `x-amz-content-sha256`, and OBS's
 * `x-obs-content-sha256` (hex SHA-256 of the body, verified by the server when present: Huawei's OBS API
 * reference, "Authentication of Signature in a Header").
 */
export const CONTENT_SHA256 = { aws: 'x-amz-content-sha256', obs: 'x-obs-content-sha256' } as const;

/** Whether a payload-hash value is a SHA-256 (hex) rather than UNSIGNED-PAYLOAD or a streaming mode. */
export const isSha256Hex = (value: string): boolean => SHA256_HEX.test(value);

/** What a payload-hash header may say on these (single-chunk) operations. */
export function checkPayloadHashValue(value: string, header: string): void {
  if (value === UNSIGNED_PAYLOAD || SHA256_HEX.test(value)) return;
  if (value.startsWith('STREAMING-')) {
    throw new S3Error('InvalidRequest', {
      message: `Streaming payloads (${header}: ${value}) are not supported for this operation; send the body in one piece.`,
    });
  }
  throw new S3Error('InvalidArgument', {
    message: `${header} must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.`,
    fields: { ArgumentName: header, ArgumentValue: value },
  });
}

// The payload hash of every bodiless request (GET, DELETE, HEAD): a constant, not a hash per request.
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// One-shot hashing: no Hash object per call, which was half the cost of hashing a canonical request.
export const sha256Hex = (data: string | Buffer): string =>
  data.length === 0 ? EMPTY_SHA256 : hash('sha256', data, 'hex');

/**
 * A hex payload hash must be the body's (checked after the signature, as AWS does while streaming):
 * 400 XAmzContentSHA256Mismatch, AWS's code for it, whichever dialect's header carried it (OBS documents
 * that it verifies x-obs-content-sha256 but not the code it answers).
 */
export function checkPayloadHash(declared: string, body: Buffer): void {
  if (!SHA256_HEX.test(declared)) return;
  const computed = sha256Hex(body);
  if (declared.toLowerCase() !== computed) {
    throw new S3Error('XAmzContentSHA256Mismatch', {
      fields: { ClientComputedContentSHA256: declared, S3ComputedContentSHA256: computed },
    });
  }
}

/** Constant-time comparison of the signature we computed with the one the client sent. */
export function signaturesMatch(expected: string, provided: string): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const providedBytes = Buffer.from(provided, 'utf8');
  // Lengths are not secret (the expected length is fixed by the algorithm); contents are.
  return expectedBytes.length === providedBytes.length && timingSafeEqual(expectedBytes, providedBytes);
}

/** `41 57 53 34 …`: how AWS shows StringToSignBytes / CanonicalRequestBytes in SignatureDoesNotMatch. */
export const spacedHexBytes = (text: string): string => {
  const hex = Buffer.from(text, 'utf8').toString('hex');
  const pairs: string[] = [];
  for (let i = 0; i < hex.length; i += 2) pairs.push(hex.slice(i, i + 2));
  return pairs.join(' ');
};

export type { QueryPiece };

/** The first value of a (decoded, case-sensitive) query parameter. */
export const queryValue = (pieces: readonly QueryPiece[], name: string): string | undefined =>
  pieces.find((piece) => piece.name === name)?.value;

/**
 * The paths a signature may cover (SigV4's canonical URI, V2's and OBS's resource): the path as
 * received and, for a path-style bucket address without its trailing slash, the same path with it.
 * `/b1` and `/b1/` name the same bucket in S3, and serverless-offline (hapi's stripTrailingSlash)
 * drops the slash that SDK v3 (`/b1/?encryption=`) and botocore's V2 signer (`/b1/`) sign, so both
 * are accepted. Object paths are never rewritten.
 */
export function canonicalUris(request: Pick<S3Request, 'rawPath' | 'bucket' | 'objectKey'>): string[] {
  const uri = request.rawPath === '' ? '/' : request.rawPath;
  const bucketOnly =
    request.bucket !== undefined && request.objectKey === undefined && uri === `/${request.bucket}`;
  return bucketOnly ? [uri, `${uri}/`] : [uri];
}
