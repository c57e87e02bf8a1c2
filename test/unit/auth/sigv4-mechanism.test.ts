// Which mechanism a request uses, and what AWS answers for the ones this service does not take.
import { describe, expect, it } from 'vitest';
import { ALICE, lookup, presignV4, s3ErrorOf, signV4, verifyWire, type WireRequest } from './helpers.ts';

const request = (headers: Record<string, string>, rawQueryString = 'encryption'): WireRequest => ({
  method: 'GET',
  path: '/b1',
  rawQueryString,
  headers: { host: 'localhost:3000', 'x-amz-date': '20250601T120000Z', ...headers },
  body: Buffer.alloc(0),
});

describe('verifyRequestSignature, mechanism', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
  ])('returns 403 AccessDenied for %s (anonymous)', async (_name, headers) => {
    const error = await s3ErrorOf(verifyWire(request(headers)));
    expect([error.code, error.statusCode, error.message]).toEqual(['AccessDenied', 403, 'Access Denied']);
  });

  it.each(['Bearer eyJhbGciOi', 'Basic dXNlcjpwYXNz', 'AWS4-HMAC-SHA1 Credential=x', 'OBS AK:c2lnbmF0dXJl'])(
    'returns 400 InvalidArgument "Unsupported Authorization Type" for %s',
    async (authorization) => {
      const error = await s3ErrorOf(verifyWire(request({ authorization })));
      expect([error.code, error.statusCode, error.message]).toEqual([
        'InvalidArgument',
        400,
        'Unsupported Authorization Type',
      ]);
      expect(error.fields).toEqual({ ArgumentName: 'Authorization', ArgumentValue: authorization });
    },
  );

  it.each([
    ['a V2 Authorization header', { authorization: 'AWS AKID:c2lnbmF0dXJl' }, 'encryption'],
    [
      'V2 query-string authentication',
      {},
      'encryption&AWSAccessKeyId=AKID&Expires=1748779200&Signature=c2ln',
    ],
    ['OBS query-string authentication', {}, 'encryption&AccessKeyId=AKID&Expires=1748779200&Signature=c2ln'],
  ])('returns 400 InvalidRequest for %s outside the obs profile', async (_name, headers, query) => {
    const error = await s3ErrorOf(verifyWire(request(headers, query)));
    expect([error.code, error.statusCode, error.message]).toEqual([
      'InvalidRequest',
      400,
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    ]);
  });

  it.each([
    ['V2', 'AWSAccessKeyId'],
    ['OBS', 'AccessKeyId'],
  ])(
    'verifies %s query-string authentication in the obs profile (an unknown key: 403 InvalidAccessKeyId)',
    async (_scheme, parameter) => {
      const error = await s3ErrorOf(
        // No x-amz-date: an OBS signature refuses any x-amz-* header, as it signs none.
        verifyWire(
          {
            ...request({}, `encryption&${parameter}=AKID&Expires=4102444800&Signature=c2ln`),
            headers: { host: 'localhost:3000' },
          },
          { allowV2: true },
        ),
      );
      expect([error.code, error.statusCode]).toEqual(['InvalidAccessKeyId', 403]);
    },
  );

  it('returns 400 InvalidArgument when both an Authorization header and a V2 query signature are sent', async () => {
    const error = await s3ErrorOf(
      verifyWire(
        request(
          { authorization: 'AWS AKID:c2ln' },
          'encryption&AWSAccessKeyId=AKID&Expires=4102444800&Signature=c2ln',
        ),
        {
          allowV2: true,
        },
      ),
    );
    expect([error.code, error.statusCode]).toEqual(['InvalidArgument', 400]);
  });

  it.each(['X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Credential=AKID%2F20250601', 'X-Amz-Signature=00'])(
    'treats a request with only %s as presigned: 400 AuthorizationQueryParametersError',
    async (parameter) => {
      const error = await s3ErrorOf(verifyWire(request({}, `encryption&${parameter}`)));
      expect(error.code).toBe('AuthorizationQueryParametersError');
    },
  );

  it('returns 400 InvalidArgument when both an Authorization header and a presigned query are sent', async () => {
    const error = await s3ErrorOf(
      verifyWire(request({ authorization: 'AWS AKID:c2ln' }, 'encryption&X-Amz-Algorithm=AWS4-HMAC-SHA256'), {
        allowV2: true,
      }),
    );
    expect([error.code, error.statusCode]).toEqual(['InvalidArgument', 400]);
    expect(error.message).toBe(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  });

  it.each([
    ['longer than 128 characters', 'A'.repeat(129)],
    ['with a NUL', 'AKID\u0000X'],
    ['with a space', 'AK ID'],
    ['not ASCII', 'AKIDÉ'],
    ['a lone surrogate', 'AKID\uD800'],
  ])(
    'returns 403 InvalidAccessKeyId without a lookup for an access key id %s',
    async (_name, accessKeyId) => {
      let lookups = 0;
      const counting = async (id: string) => {
        lookups++;
        return lookup(id);
      };
      const authorization = `AWS ${accessKeyId}:c2lnbmF0dXJl`;
      const error = await s3ErrorOf(
        verifyWire(request({ authorization, date: 'Sun, 01 Jun 2025 12:00:00 GMT' }), {
          allowV2: true,
          lookup: counting,
        }),
      );
      expect([error.code, error.statusCode]).toEqual(['InvalidAccessKeyId', 403]);
      expect(lookups).toBe(0);
    },
  );

  // This service has no STS: every session token is one it cannot read, which AWS answers 400
  // InvalidToken — not a signature checked against the long-term key as if the token were not there.
  const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN';
  const withToken = { ...ALICE, sessionToken: TOKEN };
  it.each([
    [
      'signed with a session token (x-amz-security-token, signed)',
      () => signV4({ method: 'GET', path: '/b1', query: { encryption: '' }, credentials: withToken }),
    ],
    [
      'presigned with a session token (X-Amz-Security-Token)',
      () => presignV4({ method: 'GET', path: '/b1', query: { encryption: '' }, credentials: withToken }),
    ],
    [
      'a valid signature with an unsigned x-amz-security-token beside it',
      async () => {
        const signed = await signV4({ method: 'GET', path: '/b1', query: { encryption: '' } });
        return { ...signed, headers: { ...signed.headers, 'x-amz-security-token': TOKEN } };
      },
    ],
    [
      "Huawei OBS's x-obs-security-token",
      async () => request({ 'x-obs-security-token': TOKEN, authorization: 'OBS AKID:c2ln' }),
    ],
  ])('returns 400 InvalidToken for a request %s', async (_name, make) => {
    const wire = await make();
    const error = await s3ErrorOf(verifyWire(wire, { allowV2: true }));
    expect([error.code, error.statusCode, error.message]).toEqual([
      'InvalidToken',
      400,
      'The provided token is malformed or otherwise invalid.',
    ]);
  });

  it('verifies the same request without the token (the refusal is the token, not the signature)', async () => {
    const signed = await signV4({ method: 'GET', path: '/b1', query: { encryption: '' } });
    await expect(verifyWire(signed, { lookup })).resolves.toMatchObject({ accessKeyId: ALICE.accessKeyId });
  });
});
