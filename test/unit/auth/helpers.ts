// Requests signed by the real clients (test/helpers/signer.ts), turned into the S3Request the verifier
// receives: through an API Gateway v2 event and the service's own decodeEvent, as in production.
import {
  type BodyBinder,
  type SecretLookup,
  type SigningSecret,
  type VerifyOptions,
  verifyRequestSignature,
} from '../../../lib/auth/sigv4.ts';
import { decodeEvent } from '../../../lib/http/addressing.ts';
import { computeContentMd5 } from '../../../lib/integrity.ts';
import type { S3Request } from '../../../lib/request.ts';
import { AES256_XML } from '../../helpers/bodies.ts';
import { gatewayEvent } from '../../helpers/gateway-event.ts';
import { ALICE as ALICE_KEYS, REGION, SIGNING_DATE, type WireRequest } from '../../helpers/signer.ts';

export {
  captureObsRequests,
  captureSdkRequest,
  presignObsUrl,
  presignSdkUrl,
  presignV4,
  REGION,
  SIGNING_DATE,
  type SignShape,
  sha256Hex,
  signV4,
  smithySigner,
  type WireRequest,
} from '../../helpers/signer.ts';

/** Virtual-hosted requests address `{bucket}.localhost`. */
export const BASE_DOMAIN = 'localhost';

export const ALICE: SigningSecret = ALICE_KEYS;

export const lookup: SecretLookup = async (accessKeyId) =>
  accessKeyId === ALICE.accessKeyId ? ALICE : undefined;

/**
 * lib/storage/signatures.ts's rule in memory, for the pure verifier (the integration tests use the
 * table): a body the signature came with, or any body while its first use is recent enough.
 */
export function memoryBodyBinder(): BodyBinder & {
  bound: Map<string, { firstSeenAt: number; bodies: Set<string> }>;
} {
  const bound = new Map<string, { firstSeenAt: number; bodies: Set<string> }>();
  const binder: BodyBinder = async ({ signatureId, bodySha256, seenAt, otherBodiesSince, maxBodies }) => {
    const record = bound.get(signatureId);
    if (!record) {
      bound.set(signatureId, { firstSeenAt: seenAt, bodies: new Set([bodySha256]) });
      return true;
    }
    if (record.bodies.has(bodySha256)) return true;
    if (record.firstSeenAt <= otherBodiesSince || record.bodies.size >= maxBodies) return false;
    record.bodies.add(bodySha256);
    return true;
  };
  return Object.assign(binder, { bound });
}

export const verifyOptions = (overrides: Partial<VerifyOptions> = {}): VerifyOptions => ({
  now: SIGNING_DATE,
  region: REGION,
  allowV2: false,
  lookup,
  bindBody: memoryBodyBinder(),
  ...overrides,
});

export const md5Base64 = (body: string | Buffer) => computeContentMd5(Buffer.from(body));

export const ENCRYPTION_XML = AES256_XML;

export function toS3Request(wire: WireRequest): S3Request {
  return decodeEvent(gatewayEvent(wire), 'test-request', BASE_DOMAIN);
}

/** Verifies a wire request as the service would (options default to ALICE, us-east-1, SIGNING_DATE). */
export const verifyWire = (wire: WireRequest, overrides: Partial<VerifyOptions> = {}) =>
  verifyRequestSignature(toS3Request(wire), verifyOptions(overrides));

export { rejectedS3Error as s3ErrorOf } from '../../helpers/s3-error.ts';

/** A copy of the wire request with some headers replaced (undefined removes one). */
export function withHeaders(wire: WireRequest, changes: Record<string, string | undefined>): WireRequest {
  const headers = { ...wire.headers };
  for (const [name, value] of Object.entries(changes)) {
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    if (value !== undefined) headers[name] = value;
  }
  return { ...wire, headers };
}
