import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  ENCRYPTION_XML,
  presignSdkUrl,
  presignV4,
  SIGNING_DATE,
  s3ErrorOf,
  sha256Hex,
  verifyWire,
  type WireRequest,
  withHeaders,
} from './helpers.ts';

const caller = { accountId: ALICE.accountId, accessKeyId: ALICE.accessKeyId };
const seconds = (n: number) => new Date(SIGNING_DATE.getTime() + n * 1000);

const presignedGet = (expiresIn = 300) =>
  presignSdkUrl(new GetBucketEncryptionCommand({ Bucket: 'b1' }), 'GET', { expiresIn });

const presignedPut = () =>
  presignSdkUrl(
    new PutBucketEncryptionCommand({
      Bucket: 'b1',
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
    'PUT',
    // The SDK serialises the configuration with an XML declaration; the client sends the same body.
    { body: `<?xml version="1.0" encoding="UTF-8"?>${ENCRYPTION_XML}` },
  );

/** The query string with one parameter replaced (undefined removes it). */
function withQuery(wire: WireRequest, name: string, value: string | undefined): WireRequest {
  const pieces = wire.rawQueryString.split('&').filter((piece) => piece.split('=')[0] !== name);
  if (value !== undefined) pieces.push(`${name}=${encodeURIComponent(value)}`);
  return { ...wire, rawQueryString: pieces.join('&') };
}

describe('verifyRequestSignature, SigV4 presigned URL', () => {
  describe('URLs real clients presign', () => {
    it.each<[string, () => Promise<WireRequest>]>([
      ['GET ?encryption from getSignedUrl', () => presignedGet()],
      [
        'PUT ?encryption from getSignedUrl (Content-Length and checksum in the signature)',
        () => presignedPut(),
      ],
      [
        'DELETE ?encryption from getSignedUrl',
        () => presignSdkUrl(new DeleteBucketEncryptionCommand({ Bucket: 'b1' }), 'DELETE'),
      ],
      [
        'a virtual-hosted GET b1.localhost:3000/?encryption',
        () => presignV4({ method: 'GET', host: 'b1.localhost:3000', path: '/', query: { encryption: '' } }),
      ],
    ])('returns the caller for %s', async (_name, build) => {
      expect(await verifyWire(await build())).toEqual(caller);
    });

    it('signs exactly the shape the SDK v3 presigner produces', async () => {
      const wire = await presignedPut();
      expect(wire.path).toBe('/b1/');
      expect(wire.rawQueryString).toContain('X-Amz-Content-Sha256=UNSIGNED-PAYLOAD');
      expect(wire.rawQueryString).toContain('X-Amz-SignedHeaders=content-length%3Bhost');
      expect(wire.rawQueryString).toContain('encryption=');
    });

    it.each([0, 299, 300])('returns the caller %i seconds after signing a 300-second URL', async (after) => {
      expect(await verifyWire(await presignedGet(), { now: seconds(after) })).toEqual(caller);
    });

    it('returns the caller when the URL was signed up to 15 minutes in the future', async () => {
      expect(await verifyWire(await presignedGet(), { now: seconds(-14 * 60) })).toEqual(caller);
    });

    it('returns the caller when the payload hash is given and the body matches it', async () => {
      const body = ENCRYPTION_XML;
      const wire = await presignV4({
        method: 'PUT',
        path: '/b1',
        query: { encryption: '' },
        headers: { 'x-amz-content-sha256': sha256Hex(body) },
        body,
      });
      expect(wire.rawQueryString).toContain(`x-amz-content-sha256=${sha256Hex(body)}`);
      expect(await verifyWire(wire)).toEqual(caller);
    });
  });

  describe('errors', () => {
    it('returns 403 AccessDenied "Request has expired" with the times once the URL has expired', async () => {
      const error = await s3ErrorOf(verifyWire(await presignedGet(), { now: seconds(301) }));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'AccessDenied',
        403,
        'Request has expired',
      ]);
      expect(error.fields).toEqual({
        'X-Amz-Expires': '300',
        Expires: '2025-06-01T12:05:00Z',
        ServerTime: '2025-06-01T12:05:01Z',
      });
    });

    it('returns 403 RequestTimeTooSkewed when the URL is signed more than 15 minutes in the future', async () => {
      const error = await s3ErrorOf(verifyWire(await presignedGet(), { now: seconds(-16 * 60) }));
      expect([error.code, error.statusCode]).toEqual(['RequestTimeTooSkewed', 403]);
      expect(error.fields).toEqual({
        RequestTime: '20250601T120000Z',
        ServerTime: '2025-06-01T11:44:00Z',
        MaxAllowedSkewMilliseconds: '900000',
      });
    });

    it.each([
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-SignedHeaders',
      'X-Amz-Signature',
    ])('returns 400 AuthorizationQueryParametersError when %s is missing', async (name) => {
      const error = await s3ErrorOf(verifyWire(withQuery(await presignedGet(), name, undefined)));
      expect([error.code, error.statusCode]).toEqual(['AuthorizationQueryParametersError', 400]);
      expect(error.message).toBe(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    });

    it.each([
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA1', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'],
      [
        'X-Amz-Date',
        '2025-06-01T12:00:00Z',
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
      ],
      ['X-Amz-Expires', 'soon', 'X-Amz-Expires should be a number'],
      ['X-Amz-Expires', '-1', 'X-Amz-Expires must be non-negative'],
      ['X-Amz-Expires', '0', 'X-Amz-Expires must be greater than 0'],
      ['X-Amz-Expires', '604801', 'X-Amz-Expires must be less than a week (in seconds) that is; 604800'],
      [
        'X-Amz-Credential',
        `${ALICE.accessKeyId}/20250601/us-east-1/s3`,
        'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      ],
      [
        'X-Amz-Credential',
        `${ALICE.accessKeyId}/20250601/us-east-1/sts/aws4_request`,
        'Error parsing the X-Amz-Credential parameter; incorrect service "sts". This endpoint belongs to "s3".',
      ],
      [
        'X-Amz-Credential',
        `${ALICE.accessKeyId}/20250602/us-east-1/s3/aws4_request`,
        'Invalid credential date. Date is not the same as X-Amz-Date.',
      ],
      ['X-Amz-SignedHeaders', 'content-length', 'X-Amz-SignedHeaders must include host.'],
    ])('returns 400 AuthorizationQueryParametersError when %s is %s', async (name, value, message) => {
      const error = await s3ErrorOf(verifyWire(withQuery(await presignedGet(), name, value)));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'AuthorizationQueryParametersError',
        400,
        message,
      ]);
    });

    it('returns 400 AuthorizationQueryParametersError naming the expected region', async () => {
      const wire = await presignV4({
        method: 'GET',
        path: '/b1',
        query: { encryption: '' },
        region: 'ap-south-1',
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect(error.code).toBe('AuthorizationQueryParametersError');
      expect(error.message).toBe(
        "Error parsing the X-Amz-Credential parameter; the region 'ap-south-1' is wrong; expecting 'us-east-1'",
      );
      expect(error.fields).toEqual({ Region: 'us-east-1' });
    });

    it('returns 403 InvalidAccessKeyId for a key it does not know', async () => {
      const wire = await presignV4({
        method: 'GET',
        path: '/b1',
        query: { encryption: '' },
        credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' },
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect(error.code).toBe('InvalidAccessKeyId');
      expect(error.fields).toEqual({ AWSAccessKeyId: 'AKIANOBODY0000000000' });
    });

    it.each<[string, (wire: WireRequest) => WireRequest]>([
      ['the method', (wire) => ({ ...wire, method: 'DELETE' })],
      [
        'the subresource',
        (wire) => ({ ...wire, rawQueryString: wire.rawQueryString.replace('encryption=', 'policy=') }),
      ],
      [
        'an added parameter',
        (wire) => ({ ...wire, rawQueryString: `${wire.rawQueryString}&x-id=PutObject` }),
      ],
      ['the signature', (wire) => withQuery(wire, 'X-Amz-Signature', '0'.repeat(64))],
      ['the expiry', (wire) => withQuery(wire, 'X-Amz-Expires', '600')],
      ['the Host', (wire) => withHeaders(wire, { host: 'evil.example' })],
    ])('returns 403 SignatureDoesNotMatch when %s is tampered with', async (_name, tamper) => {
      const error = await s3ErrorOf(verifyWire(tamper(await presignedGet())));
      expect(error.code).toBe('SignatureDoesNotMatch');
      expect(error.fields.CanonicalRequest).not.toContain('X-Amz-Signature');
    });

    it('returns 403 SignatureDoesNotMatch when a PUT sends a body of another length', async () => {
      const wire = await presignedPut();
      // On the wire Content-Length is the body's length: another body, another (signed) length.
      const error = await s3ErrorOf(verifyWire({ ...wire, body: Buffer.from('x') }));
      expect(error.code).toBe('SignatureDoesNotMatch');
    });

    it('returns 400 XAmzContentSHA256Mismatch when a signed payload hash does not match the body', async () => {
      const wire = await presignV4({
        method: 'PUT',
        path: '/b1',
        query: { encryption: '' },
        headers: { 'x-amz-content-sha256': sha256Hex(ENCRYPTION_XML) },
        body: ENCRYPTION_XML,
      });
      const error = await s3ErrorOf(verifyWire({ ...wire, body: Buffer.from('<other/>') }));
      expect(error.code).toBe('XAmzContentSHA256Mismatch');
    });

    it('returns 403 AccessDenied when an x-amz-* header rides along unsigned', async () => {
      const wire = withHeaders(await presignedGet(), { 'x-amz-expected-bucket-owner': '111122223333' });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.message]).toEqual([
        'AccessDenied',
        'There were headers present in the request which were not signed',
      ]);
      expect(error.fields).toEqual({ HeadersNotSigned: 'x-amz-expected-bucket-owner' });
    });

    it('returns the caller when only x-amz-content-sha256 rides along unsigned', async () => {
      const wire = withHeaders(await presignedGet(), { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
      expect(await verifyWire(wire)).toEqual(caller);
    });

    it('returns 400 XAmzContentSHA256Mismatch when an unsigned x-amz-content-sha256 is not the body’s', async () => {
      // The URL leaves the payload unsigned; a body hash sent with it is still verified.
      const put = await presignedPut();
      expect(await verifyWire(withHeaders(put, { 'x-amz-content-sha256': sha256Hex(put.body) }))).toEqual(
        caller,
      );
      const error = await s3ErrorOf(
        verifyWire(withHeaders(put, { 'x-amz-content-sha256': sha256Hex(ENCRYPTION_XML) })),
      );
      expect([error.code, error.statusCode]).toEqual(['XAmzContentSHA256Mismatch', 400]);
    });

    it('returns 400 InvalidArgument when the request also has an Authorization header', async () => {
      const wire = withHeaders(await presignedGet(), { authorization: 'AWS4-HMAC-SHA256 Credential=x' });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.statusCode]).toEqual(['InvalidArgument', 400]);
      expect(error.message).toMatch(/^Only one auth mechanism allowed/);
      expect(error.fields.ArgumentName).toBe('Authorization');
    });
  });
});
