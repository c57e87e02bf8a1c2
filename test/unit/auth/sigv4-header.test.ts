import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  captureSdkRequest,
  ENCRYPTION_XML,
  md5Base64,
  REGION,
  SIGNING_DATE,
  s3ErrorOf,
  sha256Hex,
  signV4,
  verifyWire,
  type WireRequest,
  withHeaders,
} from './helpers.ts';

const caller = { accountId: ALICE.accountId, accessKeyId: ALICE.accessKeyId };
const minutes = (n: number) => new Date(SIGNING_DATE.getTime() + n * 60_000);
const crc32Of = '6Wj3Kw=='; // a checksum value: the verifier signs it, never checks it

const sdkPut = () =>
  new PutBucketEncryptionCommand({
    Bucket: 'b1',
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });

/** AWS CLI v2 (older builds) / boto3 ≤ 2024: `/b1?encryption`, Content-MD5, x-amz-content-sha256 hex. */
const cliV2Put = (body = ENCRYPTION_XML) =>
  signV4({
    method: 'PUT',
    path: '/b1',
    query: { encryption: '' },
    rawQueryString: 'encryption',
    headers: { 'content-md5': md5Base64(body), 'user-agent': 'aws-cli/2.13.0' },
    body,
    // botocore signs content-md5;host;x-amz-content-sha256;x-amz-date, not Content-Length.
    unsignableHeaders: new Set(['content-length']),
  });

/** AWS CLI v1 / boto3 2025: CRC32 instead of Content-MD5. */
const crc32Put = (contentSha256?: string) =>
  signV4({
    method: 'PUT',
    path: '/b1',
    query: { encryption: '' },
    rawQueryString: 'encryption',
    headers: {
      'x-amz-sdk-checksum-algorithm': 'CRC32',
      'x-amz-checksum-crc32': crc32Of,
      ...(contentSha256 ? { 'x-amz-content-sha256': contentSha256 } : {}),
    },
    body: ENCRYPTION_XML,
  });

describe('verifyRequestSignature, SigV4 Authorization header', () => {
  describe('requests real clients sign', () => {
    it.each<[string, () => Promise<WireRequest>]>([
      ['SDK v3 PutBucketEncryption (/b1/?encryption=, CRC32)', () => captureSdkRequest(sdkPut())],
      [
        'SDK v3 GetBucketEncryption',
        () => captureSdkRequest(new GetBucketEncryptionCommand({ Bucket: 'b1' })),
      ],
      [
        'SDK v3 DeleteBucketEncryption',
        () => captureSdkRequest(new DeleteBucketEncryptionCommand({ Bucket: 'b1' })),
      ],
      ['SDK v3 ListBuckets (GET /)', () => captureSdkRequest(new ListBucketsCommand({}))],
      ['CLI v2 PUT /b1?encryption with Content-MD5', () => cliV2Put()],
      ['CLI v1 PUT /b1?encryption with CRC32, payload hashed', () => crc32Put()],
      ['CLI v1 PUT /b1?encryption with CRC32, UNSIGNED-PAYLOAD', () => crc32Put('UNSIGNED-PAYLOAD')],
      [
        'CLI GET /b1?encryption',
        () => signV4({ method: 'GET', path: '/b1', query: { encryption: '' }, rawQueryString: 'encryption' }),
      ],
      [
        'CLI DELETE /b1?encryption',
        () =>
          signV4({ method: 'DELETE', path: '/b1', query: { encryption: '' }, rawQueryString: 'encryption' }),
      ],
      [
        'virtual-hosted GET b1.localhost:3000/?encryption',
        () =>
          signV4({
            method: 'GET',
            host: 'b1.localhost:3000',
            path: '/',
            query: { encryption: '' },
            rawQueryString: 'encryption',
          }),
      ],
      [
        'virtual-hosted PUT b1.localhost:3000/?encryption=',
        () =>
          signV4({
            method: 'PUT',
            host: 'b1.localhost:3000',
            path: '/',
            query: { encryption: '' },
            headers: { 'content-md5': md5Base64(ENCRYPTION_XML) },
            body: ENCRYPTION_XML,
          }),
      ],
      [
        'a path with percent-encoded characters, signed as sent',
        () => signV4({ method: 'GET', path: '/b1/a%20b/%E2%82%AC~c', query: { 'x-id': 'GetObject' } }),
      ],
      [
        'query values needing RFC 3986 encoding',
        () =>
          signV4({
            method: 'GET',
            path: '/b1',
            query: { encryption: '', prefix: "a b/c*d!e'(f)+g=h&i~", 'max-keys': '5', Zed: 'ü' },
          }),
      ],
      [
        'header values with inner runs of spaces',
        () =>
          signV4({
            method: 'PUT',
            path: '/b1',
            query: { encryption: '' },
            headers: { 'content-type': 'application/xml;   charset=utf-8', 'x-amz-meta-note': ' a  b ' },
            body: ENCRYPTION_XML,
          }),
      ],
    ])('returns the caller for %s', async (_name, build) => {
      expect(await verifyWire(await build())).toEqual(caller);
    });

    it('returns the caller when the query arrives with unreserved characters escaped and a lower-case escape', async () => {
      const wire = await signV4({ method: 'GET', path: '/b1', query: { encryption: '', prefix: 'a~b!' } });
      expect(wire.rawQueryString).toBe('encryption=&prefix=a~b%21');
      expect(await verifyWire({ ...wire, rawQueryString: 'prefix=a%7eb%21&encryption' })).toEqual(caller);
    });

    it('returns the caller when unsigned headers other than x-amz-* ride along', async () => {
      const wire = withHeaders(await cliV2Put(), {
        'x-forwarded-for': '10.0.0.1',
        'x-amzn-trace-id': 'Root=1-abc',
      });
      expect(await verifyWire(wire)).toEqual(caller);
    });

    it.each([-14, 14])('returns the caller when the clock differs by %i minutes', async (offset) => {
      expect(await verifyWire(await cliV2Put(), { now: minutes(offset) })).toEqual(caller);
    });

    it('returns the new caller after the secret is rotated, and rejects the old signature', async () => {
      const rotated = { ...ALICE, secretAccessKey: 'rotated-secret-0000000000000000000000000' };
      const oldWire = await cliV2Put();
      expect(await verifyWire(oldWire)).toEqual(caller); // warms the signing-key cache
      const lookupRotated = async () => rotated;
      expect((await s3ErrorOf(verifyWire(oldWire, { lookup: lookupRotated }))).code).toBe(
        'SignatureDoesNotMatch',
      );
      const newWire = await signV4({
        method: 'GET',
        path: '/b1',
        query: { encryption: '' },
        credentials: rotated,
      });
      expect(await verifyWire(newWire, { lookup: lookupRotated })).toEqual(caller);
    });
  });

  describe('anonymous and malformed requests', () => {
    it('returns 403 AccessDenied when there is no Authorization header', async () => {
      const wire = withHeaders(await cliV2Put(), { authorization: undefined });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.statusCode, error.message]).toEqual(['AccessDenied', 403, 'Access Denied']);
    });

    it.each([
      ['no components', 'AWS4-HMAC-SHA256'],
      [
        'no Signature',
        `AWS4-HMAC-SHA256 Credential=${ALICE.accessKeyId}/20250601/us-east-1/s3/aws4_request, SignedHeaders=host`,
      ],
      ['a component without =', 'AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=00'],
      [
        'a repeated component',
        `AWS4-HMAC-SHA256 Credential=${ALICE.accessKeyId}/20250601/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00, Signature=00`,
      ],
    ])('returns 400 AuthorizationHeaderMalformed for %s', async (_name, authorization) => {
      const wire = withHeaders(await cliV2Put(), { authorization });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.statusCode]).toEqual(['AuthorizationHeaderMalformed', 400]);
      expect(error.message).toBe(
        'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
      );
    });

    // AWS refuses a header whose algorithm runs into the first component (minio-js#289).
    it('returns 400 AuthorizationHeaderMalformed when no space follows AWS4-HMAC-SHA256', async () => {
      const signed = await cliV2Put();
      const authorization = Object.entries(signed.headers).find(
        ([name]) => name.toLowerCase() === 'authorization',
      );
      expect(authorization?.[1]).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
      const wire = withHeaders(signed, {
        authorization: authorization?.[1].replace('AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256'),
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.statusCode]).toEqual(['AuthorizationHeaderMalformed', 400]);
    });

    const credentialCases: Array<[string, string, string]> = [
      [
        'a credential without its five parts',
        `${ALICE.accessKeyId}/20250601/us-east-1/s3`,
        'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      ],
      [
        'another service',
        `${ALICE.accessKeyId}/20250601/us-east-1/ec2/aws4_request`,
        'The authorization header is malformed; incorrect service "ec2". This endpoint belongs to "s3".',
      ],
      [
        'another terminator',
        `${ALICE.accessKeyId}/20250601/us-east-1/s3/aws4_requests`,
        'The authorization header is malformed; incorrect terminal "aws4_requests". This endpoint uses "aws4_request".',
      ],
      [
        'a date other than x-amz-date’s',
        `${ALICE.accessKeyId}/20250531/us-east-1/s3/aws4_request`,
        'The authorization header is malformed; Invalid credential date "20250531". This date is not the same as X-Amz-Date: "20250601".',
      ],
    ];
    it.each(credentialCases)(
      'returns 400 AuthorizationHeaderMalformed for %s',
      async (_name, credential, message) => {
        const wire = await cliV2Put();
        const authorization = (wire.headers.authorization ?? '').replace(
          /Credential=[^,]+/,
          `Credential=${credential}`,
        );
        const error = await s3ErrorOf(verifyWire(withHeaders(wire, { authorization })));
        expect([error.code, error.statusCode, error.message]).toEqual([
          'AuthorizationHeaderMalformed',
          400,
          message,
        ]);
      },
    );

    it('returns 400 AuthorizationHeaderMalformed naming the expected region when signed for another', async () => {
      const wire = await signV4({
        method: 'GET',
        path: '/b1',
        query: { encryption: '' },
        region: 'eu-west-1',
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect(error.code).toBe('AuthorizationHeaderMalformed');
      expect(error.message).toBe(
        "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
      );
      expect(error.fields).toEqual({ Region: REGION });
    });

    it('returns 400 AuthorizationHeaderMalformed when host is not among the SignedHeaders', async () => {
      const wire = await signV4({
        method: 'GET',
        path: '/b1',
        query: { encryption: '' },
        unsignableHeaders: new Set(['host']),
      });
      expect(wire.headers.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
      const error = await s3ErrorOf(verifyWire(wire));
      expect(error.code).toBe('AuthorizationHeaderMalformed');
      expect(error.message).toMatch(/SignedHeaders component must include host/);
    });

    it.each([
      ['neither x-amz-date nor Date', { 'x-amz-date': undefined }],
      ['an x-amz-date that is not ISO 8601 basic', { 'x-amz-date': '2025-06-01T12:00:00Z' }],
      ['an x-amz-date that is not a date', { 'x-amz-date': '20250231T120000Z' }],
      ['only a Date header that is not a date', { 'x-amz-date': undefined, date: 'yesterday' }],
    ])('returns 403 AccessDenied when the request has %s', async (_name, changes) => {
      const error = await s3ErrorOf(verifyWire(withHeaders(await cliV2Put(), changes)));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'AccessDenied',
        403,
        'AWS authentication requires a valid Date or x-amz-date header',
      ]);
    });

    it.each([16, -16])(
      'returns 403 RequestTimeTooSkewed when the clock differs by %i minutes',
      async (offset) => {
        const error = await s3ErrorOf(verifyWire(await cliV2Put(), { now: minutes(offset) }));
        expect([error.code, error.statusCode]).toEqual(['RequestTimeTooSkewed', 403]);
        expect(error.fields).toEqual({
          RequestTime: '20250601T120000Z',
          ServerTime: minutes(offset).toISOString().replace('.000', ''),
          MaxAllowedSkewMilliseconds: '900000',
        });
      },
    );

    it('returns 403 RequestTimeTooSkewed for a request that only has an old Date header', async () => {
      const wire = withHeaders(await cliV2Put(), {
        'x-amz-date': undefined,
        date: 'Sun, 01 Jun 2025 11:00:00 GMT',
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect(error.code).toBe('RequestTimeTooSkewed');
      expect(error.fields.RequestTime).toBe('Sun, 01 Jun 2025 11:00:00 GMT');
    });
  });

  describe('credentials and signatures', () => {
    it('returns 403 InvalidAccessKeyId naming the key when it is unknown', async () => {
      const stranger = { ...ALICE, accessKeyId: 'AKIASTRANGER00000000' };
      const wire = await signV4({
        method: 'GET',
        path: '/b1',
        query: { encryption: '' },
        credentials: stranger,
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.statusCode]).toEqual(['InvalidAccessKeyId', 403]);
      expect(error.fields).toEqual({ AWSAccessKeyId: 'AKIASTRANGER00000000' });
    });

    it('returns 403 SignatureDoesNotMatch with what AWS shows, never the secret or the right signature', async () => {
      const good = await cliV2Put();
      const wrong = await signV4({
        method: 'PUT',
        path: '/b1',
        query: { encryption: '' },
        rawQueryString: 'encryption',
        headers: { 'content-md5': md5Base64(ENCRYPTION_XML) },
        body: ENCRYPTION_XML,
        unsignableHeaders: new Set(['content-length']),
        credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-the-secret' },
      });
      const error = await s3ErrorOf(verifyWire(wrong));
      expect([error.code, error.statusCode]).toEqual(['SignatureDoesNotMatch', 403]);
      expect(Object.keys(error.fields)).toEqual([
        'AWSAccessKeyId',
        'StringToSign',
        'SignatureProvided',
        'StringToSignBytes',
        'CanonicalRequest',
        'CanonicalRequestBytes',
      ]);
      const bodyHash = sha256Hex(ENCRYPTION_XML);
      expect(error.fields.CanonicalRequest).toBe(
        [
          'PUT',
          '/b1',
          'encryption=',
          `content-md5:${md5Base64(ENCRYPTION_XML)}`,
          'host:localhost:3000',
          `x-amz-content-sha256:${bodyHash}`,
          'x-amz-date:20250601T120000Z',
          '',
          'content-md5;host;x-amz-content-sha256;x-amz-date',
          bodyHash,
        ].join('\n'),
      );
      expect(error.fields.StringToSign).toMatch(
        /^AWS4-HMAC-SHA256\n20250601T120000Z\n20250601\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/,
      );
      expect(error.fields.StringToSignBytes?.startsWith('41 57 53 34 2d')).toBe(true);
      const rightSignature = /Signature=([0-9a-f]{64})/.exec(good.headers.authorization ?? '')?.[1];
      const shown = JSON.stringify(error.fields) + error.message;
      expect(rightSignature).toBeDefined();
      expect(shown).not.toContain(rightSignature);
      expect(shown).not.toContain(ALICE.secretAccessKey);
    });

    it.each<[string, (wire: WireRequest) => WireRequest]>([
      ['the method', (wire) => ({ ...wire, method: 'DELETE' })],
      ['the path', (wire) => ({ ...wire, path: '/b2' })],
      ['the query', (wire) => ({ ...wire, rawQueryString: 'policy' })],
      ['an added query parameter', (wire) => ({ ...wire, rawQueryString: 'encryption&x-id=1' })],
      ['a signed header', (wire) => withHeaders(wire, { 'content-md5': md5Base64('other') })],
      ['the Host', (wire) => withHeaders(wire, { host: 'localhost:3001' })],
      ['the x-amz-date', (wire) => withHeaders(wire, { 'x-amz-date': '20250601T120001Z' })],
      ['a removed signed header', (wire) => withHeaders(wire, { 'content-md5': undefined })],
      [
        'the signature',
        (wire) =>
          withHeaders(wire, {
            authorization: (wire.headers.authorization ?? '').replace(/Signature=\w/, 'Signature=x'),
          }),
      ],
      [
        'a truncated signature',
        (wire) =>
          withHeaders(wire, {
            authorization: (wire.headers.authorization ?? '').replace(/Signature=(\w+)\w$/, 'Signature=$1'),
          }),
      ],
    ])('returns 403 SignatureDoesNotMatch when %s is tampered with', async (_name, tamper) => {
      const error = await s3ErrorOf(verifyWire(tamper(await cliV2Put())));
      expect(error.code).toBe('SignatureDoesNotMatch');
    });

    // S3 requires the body hash of every header-signed request, even one whose signature covers the body.
    it.each([
      ['a PUT', 'PUT', ENCRYPTION_XML],
      ['a GET', 'GET', ''],
    ])(
      'returns 400 InvalidRequest to %s signed without x-amz-content-sha256',
      async (_name, method, body) => {
        const wire = await signV4({
          method,
          path: '/b1',
          query: { encryption: '' },
          body,
          omitContentSha256: true,
        });
        const error = await s3ErrorOf(verifyWire(wire));
        expect([error.statusCode, error.code, error.publicMessage]).toEqual([
          400,
          'InvalidRequest',
          'Missing required header for this request: x-amz-content-sha256',
        ]);
      },
    );

    it('returns 403 AccessDenied naming the x-amz-* headers that were not signed', async () => {
      const wire = withHeaders(await cliV2Put(), {
        'x-amz-expected-bucket-owner': '999999999999',
        'x-amz-acl': 'private',
      });
      const error = await s3ErrorOf(verifyWire(wire));
      expect([error.code, error.message]).toEqual([
        'AccessDenied',
        'There were headers present in the request which were not signed',
      ]);
      expect(error.fields).toEqual({ HeadersNotSigned: 'x-amz-expected-bucket-owner, x-amz-acl' });
    });
  });

  describe('x-amz-content-sha256', () => {
    it('returns 400 XAmzContentSHA256Mismatch when the body does not hash to the signed value', async () => {
      const wire = await cliV2Put();
      const tampered = ENCRYPTION_XML.replace('AES256', 'aws:kms');
      const error = await s3ErrorOf(verifyWire({ ...wire, body: Buffer.from(tampered) }));
      expect([error.code, error.statusCode]).toEqual(['XAmzContentSHA256Mismatch', 400]);
      expect(error.fields).toEqual({
        ClientComputedContentSHA256: sha256Hex(ENCRYPTION_XML),
        S3ComputedContentSHA256: sha256Hex(tampered),
      });
    });

    it('returns the caller for UNSIGNED-PAYLOAD whatever the body', async () => {
      const wire = await crc32Put('UNSIGNED-PAYLOAD');
      // Same length: Content-Length is signed, and on the wire it is the body's length.
      const body = Buffer.from('<anything/>'.padEnd(wire.body.length, ' '));
      expect(await verifyWire({ ...wire, body })).toEqual(caller);
    });

    it.each([
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    ])('returns 400 InvalidRequest for the streaming payload %s', async (value) => {
      const error = await s3ErrorOf(verifyWire(await crc32Put(value)));
      expect([error.code, error.statusCode]).toEqual(['InvalidRequest', 400]);
      expect(error.message).toMatch(/not supported for this operation/);
    });

    it.each(['abc', 'unsigned-payload', `${'a'.repeat(63)}g`])(
      'returns 400 InvalidArgument for the value %s',
      async (value) => {
        const error = await s3ErrorOf(verifyWire(await crc32Put(value)));
        expect([error.code, error.statusCode]).toEqual(['InvalidArgument', 400]);
        expect(error.fields).toEqual({ ArgumentName: 'x-amz-content-sha256', ArgumentValue: value });
      },
    );
  });
});
