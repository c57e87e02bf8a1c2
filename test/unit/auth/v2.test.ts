// V2 (`AWS ak:sig`) and OBS (`OBS ak:sig`) signatures, as esdk-obs-nodejs really sends them: the
// client runs against a node:http server on 127.0.0.1 that records each request.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BodyBinding } from '../../../lib/auth/sigv4.ts';
import { canonicalResource } from '../../../lib/auth/v2.ts';
import { signV2, signV2ByHand } from '../../helpers/signer.ts';
import {
  ALICE,
  captureObsRequests,
  md5Base64,
  memoryBodyBinder,
  presignObsUrl,
  s3ErrorOf,
  sha256Hex,
  toS3Request,
  verifyWire,
  type WireRequest,
  withHeaders,
} from './helpers.ts';

const caller = { accountId: ALICE.accountId, accessKeyId: ALICE.accessKeyId };
const POLICY = '{"Version":"2012-10-17","Statement":[]}';
const obsOptions = (overrides: { now?: Date } = {}) => ({ allowV2: true, now: new Date(), ...overrides });

/** The signed requests (the negotiation probe is anonymous). */
const signed = (requests: WireRequest[]) =>
  requests.filter((request) => request.headers.authorization !== undefined);

function only(requests: WireRequest[]): WireRequest {
  const [request, ...rest] = signed(requests);
  if (!request || rest.length > 0)
    throw new Error(`expected one signed request, got ${signed(requests).length}`);
  return request;
}

const dateOf = (wire: WireRequest) => new Date(wire.headers.date ?? '');

describe('esdk-obs-nodejs on the wire', () => {
  it('probes HEAD /?apiversion anonymously on the bucket’s host, then signs OBS when told x-obs-api: 3.0', async () => {
    const requests = await captureObsRequests(
      {},
      (client) => client.getBucketEncryption({ Bucket: 'b1' }),
      '3.0',
    );
    expect(
      requests.map((request) => [request.method, request.path, request.rawQueryString, request.headers.host]),
    ).toEqual([
      ['HEAD', '/', 'apiversion', 'b1.localhost'],
      ['GET', '/', 'encryption', 'b1.localhost'],
    ]);
    expect(requests[0]?.headers.authorization).toBeUndefined();
    expect(requests[1]?.headers.authorization).toMatch(
      new RegExp(`^OBS ${ALICE.accessKeyId}:[A-Za-z0-9+/]{27}=$`),
    );
  });

  it('signs V2 (AWS) when the probe gets no x-obs-api', async () => {
    const requests = await captureObsRequests({}, (client) => client.getBucketEncryption({ Bucket: 'b1' }));
    expect(only(requests).headers.authorization).toMatch(/^AWS /);
  });

  it('signs V2 path-style without probing', async () => {
    const requests = await captureObsRequests({ path_style: true }, (client) =>
      client.getBucketEncryption({ Bucket: 'b1' }),
    );
    expect(requests).toHaveLength(1);
    expect([requests[0]?.path, requests[0]?.rawQueryString]).toEqual(['/b1', 'encryption']);
    expect(requests[0]?.headers.authorization).toMatch(/^AWS /);
  });
});

describe('verifyRequestSignature, V2 and OBS', () => {
  type Run = Parameters<typeof captureObsRequests>[1];
  const operations: Array<[string, Run]> = [
    ['GetBucketEncryption', (client) => client.getBucketEncryption({ Bucket: 'b1' })],
    [
      'SetBucketEncryption',
      (client) =>
        client.setBucketEncryption({
          Bucket: 'b1',
          Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'kms', KMSMasterKeyID: 'k1' } },
        }),
    ],
    ['DeleteBucketEncryption', (client) => client.deleteBucketEncryption({ Bucket: 'b1' })],
    ['ListBuckets', (client) => client.listBuckets()],
    ['SetBucketPolicy', (client) => client.setBucketPolicy({ Bucket: 'b1', Policy: POLICY })],
    // Beyond this service's operations, for the string-to-sign rules: prefixed headers, object keys,
    // several sub-resources.
    [
      'SetBucketAcl (x-obs-acl / x-amz-acl)',
      (client) => client.setBucketAcl({ Bucket: 'b1', ACL: 'private' }),
    ],
    [
      'PutObject with metadata and a key to encode',
      (client) =>
        client.putObject({
          Bucket: 'b1',
          Key: 'a b/ü+c.txt',
          Body: 'x',
          Metadata: { note: ' spaced  value ' },
        }),
    ],
    [
      'GetObject with sub-resources',
      (client) =>
        client.getObject({ Bucket: 'b1', Key: 'k', VersionId: 'v 1', ResponseContentType: 'text/plain' }),
    ],
  ];
  const shapes: Array<[string, Record<string, unknown>, string | undefined, string]> = [
    ['OBS, virtual-hosted', {}, '3.0', 'OBS'],
    ['V2, virtual-hosted', {}, undefined, 'AWS'],
    ['V2, path-style', { path_style: true }, undefined, 'AWS'],
  ];
  const cases = shapes.flatMap(([shape, clientOptions, apiVersion, scheme]) =>
    operations.map(([operation, run]) => ({ shape, clientOptions, apiVersion, scheme, operation, run })),
  );

  const captured = new Map<string, WireRequest[]>();
  beforeAll(async () => {
    for (const { shape, clientOptions, apiVersion, operation, run } of cases) {
      captured.set(`${shape}/${operation}`, signed(await captureObsRequests(clientOptions, run, apiVersion)));
    }
  });
  const requestsOf = (shape: string, operation: string) => captured.get(`${shape}/${operation}`) ?? [];

  it.each(cases)('returns the caller for $operation ($shape)', async ({ shape, operation, scheme }) => {
    const requests = requestsOf(shape, operation);
    expect(requests.length).toBeGreaterThan(0);
    for (const wire of requests) {
      expect(wire.headers.authorization?.startsWith(`${scheme} `)).toBe(true);
      expect(await verifyWire(wire, obsOptions({ now: dateOf(wire) }))).toEqual(caller);
    }
  });

  it.each([
    ['OBS, virtual-hosted', 'GetBucketEncryption', '/b1/?encryption'],
    ['V2, path-style', 'GetBucketEncryption', '/b1?encryption'],
    ['OBS, virtual-hosted', 'ListBuckets', '/'],
    ['OBS, virtual-hosted', 'PutObject with metadata and a key to encode', '/b1/a%20b/%C3%BC%2Bc.txt'],
    [
      'V2, path-style',
      'GetObject with sub-resources',
      '/b1/k?response-content-type=text/plain&versionId=v 1',
    ],
  ])('signs the resource the client signed (%s %s → %s)', (shape, operation, resource) => {
    const [wire] = requestsOf(shape, operation);
    expect(wire).toBeDefined();
    expect(canonicalResource(toS3Request(wire as WireRequest))).toBe(resource);
  });

  it('returns the string to sign AWS documents when the signature does not match', async () => {
    const [wire] = requestsOf('OBS, virtual-hosted', 'SetBucketAcl (x-obs-acl / x-amz-acl)');
    if (!wire) throw new Error('no request captured');
    const tampered = withHeaders(wire, { 'content-type': 'text/plain' });
    const error = await s3ErrorOf(verifyWire(tampered, obsOptions({ now: dateOf(wire) })));
    expect([error.code, error.statusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    expect(error.fields.StringToSign).toBe(
      [
        'PUT',
        wire.headers['content-md5'] ?? '',
        'text/plain',
        wire.headers.date,
        'x-obs-acl:private',
        '/b1/?acl',
      ].join('\n'),
    );
    expect(Object.keys(error.fields)).toEqual([
      'AWSAccessKeyId',
      'StringToSign',
      'SignatureProvided',
      'StringToSignBytes',
    ]);
    expect(JSON.stringify(error.fields)).not.toContain(ALICE.secretAccessKey);
  });

  it.each<[string, (wire: WireRequest) => WireRequest]>([
    ['the method', (wire) => ({ ...wire, method: 'DELETE' })],
    ['the sub-resource', (wire) => ({ ...wire, rawQueryString: 'policy' })],
    ['an added signed sub-resource', (wire) => ({ ...wire, rawQueryString: `${wire.rawQueryString}&acl` })],
    ['the bucket', (wire) => withHeaders(wire, { host: 'b2.localhost' })],
    [
      'the Date',
      (wire) => withHeaders(wire, { date: new Date(dateOf(wire).getTime() + 1000).toUTCString() }),
    ],
    ['an added x-obs- header', (wire) => withHeaders(wire, { 'x-obs-acl': 'public-read' })],
    [
      'the signature',
      (wire) => withHeaders(wire, { authorization: `OBS ${ALICE.accessKeyId}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` }),
    ],
  ])('returns 403 SignatureDoesNotMatch when %s is tampered with', async (_name, tamper) => {
    const [wire] = requestsOf('OBS, virtual-hosted', 'GetBucketEncryption');
    if (!wire) throw new Error('no request captured');
    const error = await s3ErrorOf(verifyWire(tamper(wire), obsOptions({ now: dateOf(wire) })));
    expect(error.code).toBe('SignatureDoesNotMatch');
  });

  it('returns the caller when the sub-resources arrive in another order than signed', async () => {
    const [wire] = requestsOf('V2, path-style', 'GetObject with sub-resources');
    if (!wire) throw new Error('no request captured');
    const reordered = { ...wire, rawQueryString: wire.rawQueryString.split('&').reverse().join('&') };
    expect(reordered.rawQueryString).not.toBe(wire.rawQueryString);
    expect(await verifyWire(reordered, obsOptions({ now: dateOf(wire) }))).toEqual(caller);
  });

  it('ignores parameters the client does not sign', async () => {
    const [wire] = requestsOf('OBS, virtual-hosted', 'GetBucketEncryption');
    if (!wire) throw new Error('no request captured');
    const extended = { ...wire, rawQueryString: `${wire.rawQueryString}&x-id=1` };
    expect(await verifyWire(extended, obsOptions({ now: dateOf(wire) }))).toEqual(caller);
  });

  it('ignores x-obs- headers under V2: unsigned there, but the service reads none (the SDK sends x-obs-az-redundancy)', async () => {
    const [wire] = requestsOf('V2, path-style', 'GetBucketEncryption');
    if (!wire) throw new Error('no request captured');
    const extended = withHeaders(wire, { 'x-obs-az-redundancy': '3az', 'x-obs-content-sha256': 'x' });
    expect(await verifyWire(extended, obsOptions({ now: dateOf(wire) }))).toEqual(caller);
  });

  it.each([
    ['x-amz-expected-bucket-owner', '999999999999'],
    ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD'],
    ['x-amz-checksum-crc32', 'AAAAAA=='],
    ['x-amz-sdk-checksum-algorithm', 'CRC32'],
    ['x-amz-date', '20250601T120000Z'],
    ['x-amz-acl', 'public-read'],
  ])(
    'returns 403 AccessDenied (HeadersNotSigned) for an x-amz- header under OBS, which does not sign it: %s',
    async (name, value) => {
      for (const operation of ['GetBucketEncryption', 'SetBucketPolicy']) {
        const [wire] = requestsOf('OBS, virtual-hosted', operation);
        if (!wire) throw new Error('no request captured');
        const error = await s3ErrorOf(
          verifyWire(withHeaders(wire, { [name]: value }), obsOptions({ now: dateOf(wire) })),
        );
        expect([error.code, error.statusCode, error.message]).toEqual([
          'AccessDenied',
          403,
          'There were headers present in the request which were not signed',
        ]);
        expect(error.fields).toEqual({ HeadersNotSigned: name });
      }
    },
  );

  it.each([
    ['OBS', 'x-obs-date'],
    ['AWS', 'x-amz-date'],
  ])(
    'returns the caller when %s is signed with %s standing in for Date (independent fixture)',
    async (scheme, dateHeader) => {
      // What AWS and OBS document (the SDK never sends these): Date's line is empty, even if Date is sent.
      const date = 'Sun, 01 Jun 2025 12:00:00 GMT';
      const stringToSign = `GET\n\n\n\n${dateHeader}:${date}\n/b1/?encryption`;
      const signature = signV2ByHand(ALICE.secretAccessKey, stringToSign);
      const wire: WireRequest = {
        method: 'GET',
        path: '/',
        rawQueryString: 'encryption',
        headers: {
          host: 'b1.localhost',
          date: 'Sun, 01 Jun 2025 11:59:00 GMT',
          [dateHeader]: date,
          authorization: `${scheme} ${ALICE.accessKeyId}:${signature}`,
        },
        body: Buffer.alloc(0),
      };
      expect(await verifyWire(wire, obsOptions({ now: new Date(date) }))).toEqual(caller);
      // The skew is measured on the header that replaced Date.
      const error = await s3ErrorOf(
        verifyWire(wire, obsOptions({ now: new Date(Date.parse(date) + 16 * 60_000) })),
      );
      expect(error.fields.RequestTime).toBe(date);
    },
  );

  it.each([
    ['GET', '', 'encryption', '/b1/?encryption'],
    ['PUT', '', '', '/b1/'],
    ['GET', 'k', '', '/b1/k/'],
  ])(
    'accepts a path-style bucket signed with its trailing slash, as botocore signs it, and no other path so (%s /b1/%s?%s)',
    async (method, key, rawQueryString, resource) => {
      // botocore's V2 signer (signature_version='s3') signs `/b1/`; the local gateway strips the slash.
      const wire = signV2({
        scheme: 'AWS',
        method,
        host: 'localhost:3000',
        path: key === '' ? '/b1' : `/b1/${key}`,
        rawQueryString,
        resource,
      });
      const verified = verifyWire(wire, obsOptions({ now: dateOf(wire) }));
      if (key === '') expect(await verified).toEqual(caller);
      // An object's path is never rewritten: `/b1/k` and `/b1/k/` are different objects.
      else expect((await s3ErrorOf(verified)).code).toBe('SignatureDoesNotMatch');
    },
  );

  it.each(
    (['AWS', 'OBS'] as const).flatMap((scheme) =>
      ['GET', 'DELETE', 'PUT'].flatMap((method) =>
        ['encryption', 'publicAccessBlock', 'policyStatus', 'policy'].map((subresource) => ({
          scheme,
          method,
          subresource,
        })),
      ),
    ),
  )(
    'refuses under $scheme a $method of ?$subresource signed over the bucket alone (what a ListObjects or DeleteBucket carries)',
    async ({ scheme, method, subresource }) => {
      // botocore's V2 signer signs `/b1/` for GET /b1?encryption: ?encryption is not in its list. Taking
      // it would let a captured DeleteBucket delete the encryption or the Block Public Access.
      for (const resource of ['/b1', '/b1/']) {
        const wire = signV2({
          scheme,
          method,
          host: 'localhost:3000',
          path: '/b1',
          rawQueryString: subresource,
          resource,
        });
        const error = await s3ErrorOf(verifyWire(wire, obsOptions({ now: dateOf(wire) })));
        expect(error.code).toBe('SignatureDoesNotMatch');
      }
    },
  );

  describe('errors', () => {
    let obsWire: WireRequest;
    let v2Wire: WireRequest;
    beforeAll(() => {
      obsWire = requestsOf('OBS, virtual-hosted', 'GetBucketEncryption')[0] as WireRequest;
      v2Wire = requestsOf('V2, path-style', 'GetBucketEncryption')[0] as WireRequest;
    });

    it('returns 400 InvalidRequest for a V2 signature when the profile only takes SigV4', async () => {
      const error = await s3ErrorOf(verifyWire(v2Wire, { now: dateOf(v2Wire) }));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'InvalidRequest',
        400,
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      ]);
    });

    it('returns 400 InvalidArgument "Unsupported Authorization Type" for OBS when the profile only takes SigV4', async () => {
      const error = await s3ErrorOf(verifyWire(obsWire, { now: dateOf(obsWire) }));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'InvalidArgument',
        400,
        'Unsupported Authorization Type',
      ]);
      expect(error.fields).toEqual({
        ArgumentName: 'Authorization',
        ArgumentValue: obsWire.headers.authorization,
      });
    });

    it('returns 403 InvalidAccessKeyId for an access key it does not know', async () => {
      const authorization = (obsWire.headers.authorization ?? '').replace(ALICE.accessKeyId, 'NOBODY');
      const error = await s3ErrorOf(
        verifyWire(withHeaders(obsWire, { authorization }), obsOptions({ now: dateOf(obsWire) })),
      );
      expect(error.code).toBe('InvalidAccessKeyId');
      expect(error.fields).toEqual({ AWSAccessKeyId: 'NOBODY' });
    });

    it.each([
      ['OBS', 'OBS no-colon'],
      ['OBS', `OBS ${ALICE.accessKeyId}:`],
      ['AWS', 'AWS :signature'],
    ])('returns 400 InvalidArgument for a malformed %s header', async (scheme, authorization) => {
      const error = await s3ErrorOf(
        verifyWire(withHeaders(obsWire, { authorization }), obsOptions({ now: dateOf(obsWire) })),
      );
      expect([error.code, error.statusCode]).toEqual(['InvalidArgument', 400]);
      expect(error.message).toMatch(new RegExp(`^${scheme} authorization header is invalid`));
    });

    it.each([16, -16])(
      'returns 403 RequestTimeTooSkewed when the clock differs by %i minutes',
      async (offset) => {
        const now = new Date(dateOf(obsWire).getTime() + offset * 60_000);
        const error = await s3ErrorOf(verifyWire(obsWire, obsOptions({ now })));
        expect(error.code).toBe('RequestTimeTooSkewed');
        expect(error.fields.RequestTime).toBe(obsWire.headers.date);
      },
    );

    it.each([
      ['no Date', undefined],
      ['an unparsable Date', 'someday'],
    ])('returns 403 AccessDenied for %s', async (_name, date) => {
      const error = await s3ErrorOf(verifyWire(withHeaders(obsWire, { date }), obsOptions()));
      expect([error.code, error.message]).toEqual([
        'AccessDenied',
        'OBS authentication requires a valid Date or x-obs-date header',
      ]);
    });
  });

  // What V2 and OBS signatures leave out: the body, unless a digest of it is signed.
  describe('verifyRequestSignature, V2 and OBS bodies', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    const OTHER =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b1"}]}';

    /** `PUT /?policy` on b1.localhost, signed by hand as AWS and OBS document it (an independent fixture). */
    const handSigned = (scheme: 'AWS' | 'OBS', headers: Record<string, string>, body = POLICY): WireRequest =>
      signV2({
        scheme,
        method: 'PUT',
        host: 'b1.localhost',
        path: '/',
        rawQueryString: 'policy',
        resource: '/b1/?policy',
        headers,
        body,
        date: now,
      });
    const withBody = (wire: WireRequest, body: string): WireRequest => ({ ...wire, body: Buffer.from(body) });
    const SCHEMES = [
      ['AWS', 'x-amz-content-sha256'],
      ['OBS', 'x-obs-content-sha256'],
    ] as const;

    it.each(SCHEMES)(
      'returns 400 XAmzContentSHA256Mismatch (%s) when a signed %s is not the body’s',
      async (scheme, header) => {
        const wire = handSigned(scheme, { [header]: sha256Hex(POLICY) }, OTHER);
        const error = await s3ErrorOf(verifyWire(wire, { allowV2: true, now }));
        expect([error.code, error.statusCode]).toEqual(['XAmzContentSHA256Mismatch', 400]);
        expect(error.fields).toEqual({
          ClientComputedContentSHA256: sha256Hex(POLICY),
          S3ComputedContentSHA256: sha256Hex(OTHER),
        });
      },
    );

    it.each(SCHEMES)(
      'returns the caller (%s) for a signed %s that is the body’s, and binds nothing: the hash covers the body',
      async (scheme, header) => {
        const bindBody = memoryBodyBinder();
        const wire = handSigned(scheme, { [header]: sha256Hex(POLICY).toUpperCase() });
        expect(await verifyWire(wire, { allowV2: true, now, bindBody })).toEqual(caller);
        expect(bindBody.bound.size).toBe(0);
      },
    );

    it.each([
      ['AWS', 'x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'InvalidRequest'],
      ['OBS', 'x-obs-content-sha256', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'InvalidRequest'],
      ['AWS', 'x-amz-content-sha256', 'abc', 'InvalidArgument'],
      ['OBS', 'x-obs-content-sha256', 'abc', 'InvalidArgument'],
    ] as const)('returns 400 (%s) when %s says %s: %s', async (scheme, header, value, code) => {
      const error = await s3ErrorOf(
        verifyWire(handSigned(scheme, { [header]: value }), { allowV2: true, now }),
      );
      expect([error.code, error.statusCode]).toEqual([code, 400]);
      if (code === 'InvalidArgument')
        expect(error.fields).toEqual({ ArgumentName: header, ArgumentValue: value });
    });

    it.each(['V2, path-style', 'V2, virtual-hosted', 'OBS, virtual-hosted'])(
      'binds the body of the SDK’s setBucketPolicy (%s) to its signature: another body only within 10 s of its first use',
      async (shape) => {
        const [wire] = requestsOf(shape, 'SetBucketPolicy');
        if (!wire) throw new Error('no request captured');
        // What Huawei's SDK sends: no Content-MD5, no body hash; the signature leaves the body out.
        expect(wire.headers['content-md5']).toBeUndefined();
        const bindings: BodyBinding[] = [];
        const memory = memoryBodyBinder();
        const bindBody = async (binding: BodyBinding) => {
          bindings.push(binding);
          return memory(binding);
        };
        const at = (seconds: number) => ({
          ...obsOptions({ now: new Date(dateOf(wire).getTime() + seconds * 1000) }),
          bindBody,
        });
        expect(await verifyWire(wire, at(0))).toEqual(caller);
        // A request the client signed in the same second, to the same resource, with another body.
        expect(await verifyWire(withBody(wire, OTHER), at(5))).toEqual(caller);
        // Later: the bodies it came with (a retry, a replay of the same request) and no other.
        expect(await verifyWire(wire, at(60))).toEqual(caller);
        expect(await verifyWire(withBody(wire, OTHER), at(60))).toEqual(caller);
        const error = await s3ErrorOf(verifyWire(withBody(wire, `${OTHER} `), at(11)));
        expect([error.code, error.statusCode]).toEqual(['AccessDenied', 403]);
        expect(error.message).toMatch(/^This signature was already used with another body/);

        const [first] = bindings;
        expect(first?.signatureId).toMatch(/^[0-9a-f]{64}$/);
        expect(first?.signatureId).not.toContain(wire.headers.authorization?.split(':').at(-1));
        expect(first).toMatchObject({
          bodySha256: sha256Hex(POLICY),
          seenAt: dateOf(wire).getTime(),
          otherBodiesSince: dateOf(wire).getTime() - 10_000,
          maxBodies: 16,
          // Usable while its Date is within 15 minutes of the server's clock, not after.
          expiresAt: dateOf(wire).getTime() / 1000 + 15 * 60,
        });
        expect(new Set(bindings.map(({ signatureId }) => signatureId)).size).toBe(1);
      },
    );

    it('keeps at most 16 bodies per signature, even within its first 10 s', async () => {
      const bindBody = memoryBodyBinder();
      for (let n = 0; n < 16; n++) {
        expect(
          await verifyWire(handSigned('OBS', {}, `${POLICY}${' '.repeat(n)}`), {
            allowV2: true,
            now,
            bindBody,
          }),
        ).toEqual(caller);
      }
      const error = await s3ErrorOf(
        verifyWire(handSigned('OBS', {}, `${POLICY}${' '.repeat(16)}`), { allowV2: true, now, bindBody }),
      );
      expect(error.code).toBe('AccessDenied');
    });

    it('binds each signature separately: another signed request may carry another body', async () => {
      const bindBody = memoryBodyBinder();
      const first = handSigned('OBS', { 'x-obs-acl': 'private' });
      const second = handSigned('OBS', { 'x-obs-acl': 'private', 'x-obs-meta-n': '2' }, OTHER);
      expect(await verifyWire(first, { allowV2: true, now, bindBody })).toEqual(caller);
      expect(await verifyWire(second, { allowV2: true, now, bindBody })).toEqual(caller);
      expect(bindBody.bound.size).toBe(2);
    });

    it.each<[string, 'AWS' | 'OBS', (body: string) => Record<string, string>, number]>([
      ['a signed Content-MD5 (V2)', 'AWS', (body) => ({ 'content-md5': md5Base64(body) }), 0],
      ['a signed Content-MD5 (OBS)', 'OBS', (body) => ({ 'content-md5': md5Base64(body) }), 0],
      ['a signed x-amz-checksum-sha256', 'AWS', () => ({ 'x-amz-checksum-sha256': 'AAAA' }), 0],
      ['a signed x-amz-checksum-sha1', 'AWS', () => ({ 'x-amz-checksum-sha1': 'AAAA' }), 0],
      // A CRC is verified, but another body with the same CRC is easy to make: it binds nothing.
      ['only a signed x-amz-checksum-crc32', 'AWS', () => ({ 'x-amz-checksum-crc32': 'AAAAAA==' }), 1],
      ['UNSIGNED-PAYLOAD', 'OBS', () => ({ 'x-obs-content-sha256': 'UNSIGNED-PAYLOAD' }), 1],
      ['nothing', 'OBS', () => ({}), 1],
    ])(
      'binds the body to the signature when the request signs %s: %i binding(s)',
      async (_name, scheme, headers, bindings) => {
        const bindBody = memoryBodyBinder();
        expect(
          await verifyWire(handSigned(scheme, headers(POLICY)), { allowV2: true, now, bindBody }),
        ).toEqual(caller);
        expect(bindBody.bound.size).toBe(bindings);
      },
    );

    it('binds nothing for a request that carries no body an operation reads (GET)', async () => {
      const [wire] = requestsOf('OBS, virtual-hosted', 'GetBucketEncryption');
      if (!wire) throw new Error('no request captured');
      const bindBody = memoryBodyBinder();
      expect(
        await verifyWire(withBody(wire, OTHER), { ...obsOptions({ now: dateOf(wire) }), bindBody }),
      ).toEqual(caller);
      expect(bindBody.bound.size).toBe(0);
    });

    it('refuses to verify a write it cannot bind (no binder): a wiring fault, not a client error', async () => {
      await expect(
        verifyWire(handSigned('OBS', {}), { allowV2: true, now, bindBody: undefined }),
      ).rejects.toThrow('V2/OBS writes need a body binder');
    });
  });
});

describe('presigned URLs signed V2 or OBS (obs profile)', () => {
  const shapes = [
    ['V2, path-style', { path_style: true, signature: 'v2' }],
    ['OBS, virtual-hosted', { signature: 'obs' }],
  ] as const;
  const expiresOf = (wire: WireRequest) =>
    Number(new URLSearchParams(wire.rawQueryString).get('Expires')) * 1000;

  it.each(
    shapes.flatMap(([shape, options]) =>
      ['encryption', 'location', 'acl', 'policy', 'publicAccessBlock'].map((special) => ({
        shape,
        options,
        special,
      })),
    ),
  )(
    "returns the caller for Huawei's createSignedUrlSync GET ?$special ($shape), until it expires",
    async ({ options, special }) => {
      const wire = await presignObsUrl(options, {
        Method: 'GET',
        Bucket: 'b1',
        SpecialParam: special,
        Expires: 300,
      });
      const expires = expiresOf(wire);
      expect(await verifyWire(wire, obsOptions({ now: new Date(expires) }))).toEqual(caller);
      const error = await s3ErrorOf(verifyWire(wire, obsOptions({ now: new Date(expires + 1000) })));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'AccessDenied',
        403,
        'Request has expired',
      ]);
      expect(error.fields).toEqual({
        Expires: new Date(expires).toISOString().replace('.000Z', 'Z'),
        ServerTime: new Date(expires + 1000).toISOString().replace('.000Z', 'Z'),
      });
    },
  );

  it.each(shapes)(
    'returns 403 SignatureDoesNotMatch for a presigned URL tampered with (%s)',
    async (_shape, options) => {
      const wire = await presignObsUrl(options, {
        Method: 'GET',
        Bucket: 'b1',
        SpecialParam: 'encryption',
        Expires: 300,
      });
      const now = new Date(expiresOf(wire) - 1000);
      for (const tampered of [
        { ...wire, rawQueryString: wire.rawQueryString.replace('encryption', 'policy') },
        { ...wire, method: 'DELETE' },
        {
          ...wire,
          rawQueryString: wire.rawQueryString.replace(
            /Expires=(\d+)/,
            (_all, n) => `Expires=${Number(n) + 60}`,
          ),
        },
      ]) {
        expect((await s3ErrorOf(verifyWire(tampered, obsOptions({ now })))).code).toBe(
          'SignatureDoesNotMatch',
        );
      }
    },
  );

  it('returns the caller for a presigned PUT and binds its body to the URL, as a header signature’s', async () => {
    const wire = await presignObsUrl(
      { path_style: true, signature: 'v2' },
      { Method: 'PUT', Bucket: 'b1', SpecialParam: 'policy', Expires: 3600 },
    );
    const bindings: BodyBinding[] = [];
    const memory = memoryBodyBinder();
    const bindBody = async (binding: BodyBinding) => {
      bindings.push(binding);
      return memory(binding);
    };
    const start = expiresOf(wire) - 3_600_000;
    const at = (seconds: number) => ({ ...obsOptions({ now: new Date(start + seconds * 1000) }), bindBody });
    expect(await verifyWire({ ...wire, body: Buffer.from(POLICY) }, at(0))).toEqual(caller);
    // The binding lasts as long as the URL can be used.
    expect(bindings[0]?.expiresAt).toBe(expiresOf(wire) / 1000);
    const other = { ...wire, body: Buffer.from(`${POLICY} `) };
    expect((await s3ErrorOf(verifyWire(other, at(60)))).code).toBe('AccessDenied');
  });

  it('returns the caller for a V2 URL shaped as botocore presigns it (signed headers in the query, a trailing slash)', async () => {
    // boto3's generate_presigned_url without signature_version='s3v4', for GetBucketAcl.
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const url = (signature: string, more = '') =>
      `acl&AWSAccessKeyId=${ALICE.accessKeyId}&Signature=${encodeURIComponent(signature)}&Expires=${expires}${more}`;
    const wire: WireRequest = {
      method: 'GET',
      path: '/b1',
      rawQueryString: url(signV2ByHand(ALICE.secretAccessKey, `GET\n\n\n${expires}\n/b1/?acl`)),
      headers: { host: 'localhost:3000' },
      body: Buffer.alloc(0),
    };
    expect(await verifyWire(wire, obsOptions())).toEqual(caller);
    // Its signed headers travel in the query: x-amz-* and Content-Type count as headers there.
    const typed = signV2ByHand(
      ALICE.secretAccessKey,
      `GET\n\ntext/plain\n${expires}\nx-amz-expected-bucket-owner:${ALICE.accountId}\n/b1/?acl`,
    );
    const more = `&content-type=text%2Fplain&x-amz-expected-bucket-owner=${ALICE.accountId}`;
    expect(await verifyWire({ ...wire, rawQueryString: url(typed, more) }, obsOptions())).toEqual(caller);
    // The same for ?encryption signs `/b1/` alone, which a ListObjects URL of the bucket also signs.
    const encryption = {
      ...wire,
      rawQueryString: url(signV2ByHand(ALICE.secretAccessKey, `GET\n\n\n${expires}\n/b1/`)).replace(
        'acl&',
        'encryption&',
      ),
    };
    expect((await s3ErrorOf(verifyWire(encryption, obsOptions()))).code).toBe('SignatureDoesNotMatch');
  });

  it.each([
    [
      'no Expires',
      'AWSAccessKeyId=AKID&Signature=c2ln',
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    ],
    [
      'both key parameters',
      'AWSAccessKeyId=AKID&AccessKeyId=AKID&Expires=4102444800&Signature=c2ln',
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    ],
    [
      'an empty Signature',
      'AWSAccessKeyId=AKID&Expires=4102444800&Signature=',
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    ],
    [
      'an Expires that is not a number',
      'AccessKeyId=AKID&Expires=tomorrow&Signature=c2ln',
      'Invalid date (should be seconds since epoch): tomorrow',
    ],
  ])('returns 403 AccessDenied for %s', async (_name, query, message) => {
    const wire: WireRequest = {
      method: 'GET',
      path: '/b1',
      rawQueryString: `encryption&${query}`,
      headers: { host: 'localhost:3000' },
      body: Buffer.alloc(0),
    };
    const error = await s3ErrorOf(verifyWire(wire, obsOptions()));
    expect([error.code, error.statusCode, error.message]).toEqual(['AccessDenied', 403, message]);
  });
});
