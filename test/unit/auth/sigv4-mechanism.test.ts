// Which mechanism a request uses, and what AWS answers for the ones this service does not take.
import { describe, expect, it } from 'vitest';
import { lookup, s3ErrorOf, verifyWire, type WireRequest } from './helpers.ts';

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

  it('returns 400 InvalidRequest for V2 query-string authentication in the obs profile too', async () => {
    const error = await s3ErrorOf(
      verifyWire(request({}, 'encryption&AWSAccessKeyId=AKID&Expires=1748779200&Signature=c2ln'), {
        allowV2: true,
      }),
    );
    expect(error.code).toBe('InvalidRequest');
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
});
