// What the signature verifiers (sigv4.ts, v2.ts) share: the options they receive, request time and
// clock skew, the secret lookup, constant-time comparison, the query-string and addressing helpers.

import { timingSafeEqual } from 'node:crypto';
import { S3Error } from '../errors.ts';
import type { S3Request } from '../http/request.ts';

export interface SigningSecret {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export type SecretLookup = (accessKeyId: string) => Promise<SigningSecret | undefined>;

export interface VerifyOptions {
  now: Date;
  /** The region this service answers as: the only one a SigV4 credential scope may name. */
  region: string;
  /** obs profile: also accept `Authorization: AWS ak:sig` (V2) and `Authorization: OBS ak:sig`. */
  allowV2: boolean;
  lookup: SecretLookup;
}

export interface VerifiedCaller {
  accountId: string;
  accessKeyId: string;
}

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

export const requestTimeTooSkewed = (requestTimeAsSent: string, now: Date) =>
  new S3Error('RequestTimeTooSkewed', {
    fields: {
      RequestTime: requestTimeAsSent,
      ServerTime: isoSeconds(now.getTime()),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    },
  });

/** IAM's limit for access key ids; a longer one is unknown without a lookup (and too long a table key). */
const MAX_ACCESS_KEY_ID_LENGTH = 128;

/** The secret of an access key, or 403 InvalidAccessKeyId. */
export async function secretFor(lookup: SecretLookup, accessKeyId: string): Promise<SigningSecret> {
  const looksLikeKey = accessKeyId !== '' && accessKeyId.length <= MAX_ACCESS_KEY_ID_LENGTH;
  const secret = looksLikeKey ? await lookup(accessKeyId) : undefined;
  if (!secret) throw new S3Error('InvalidAccessKeyId', { fields: { AWSAccessKeyId: accessKeyId } });
  return secret;
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

/** Percent-decode one query-string component; a malformed escape is left as sent. */
export function safeDecode(component: string): string {
  if (!component.includes('%')) return component;
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** One `name=value` piece of the raw query string: as sent and decoded. */
export interface QueryPiece {
  raw: string;
  rawName: string;
  rawValue: string;
  name: string;
  value: string;
}

/** The raw query string split into its pieces, in the order sent (empty pieces dropped). */
export function splitQuery(rawQueryString: string): QueryPiece[] {
  if (rawQueryString === '') return [];
  const pieces: QueryPiece[] = [];
  for (const raw of rawQueryString.split('&')) {
    if (raw === '') continue;
    const equals = raw.indexOf('=');
    const rawName = equals < 0 ? raw : raw.slice(0, equals);
    const rawValue = equals < 0 ? '' : raw.slice(equals + 1);
    pieces.push({ raw, rawName, rawValue, name: safeDecode(rawName), value: safeDecode(rawValue) });
  }
  return pieces;
}

/** The first value of a (decoded, case-sensitive) query parameter. */
export const queryValue = (pieces: readonly QueryPiece[], name: string): string | undefined =>
  pieces.find((piece) => piece.name === name)?.value;

/**
 * Whether the request addressed its bucket in the path (`/b1/key`) rather than the Host
 * (`b1.host/key`). V2 signatures name the bucket in the resource either way, so a virtual-hosted
 * request's resource is `/bucket` + the path. The addressing layer already decided the bucket and
 * key; this only tells which of the two shapes the path has.
 */
export function isPathStyle(request: Pick<S3Request, 'rawPath' | 'bucket' | 'objectKey'>): boolean {
  const { rawPath, bucket, objectKey } = request;
  if (bucket === undefined) return true;
  const slash = rawPath.indexOf('/', 1);
  const firstSegment = safeDecode(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
  if (firstSegment !== bucket) return false;
  // `b1.host/b1`: the path names a key that happens to equal the bucket's name.
  return !(objectKey !== undefined && safeDecode(rawPath.slice(1)) === objectKey);
}
