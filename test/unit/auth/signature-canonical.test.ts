import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAmzDate } from '../../../lib/auth/signature-common.ts';
import { canonicalQueryString, uriEncode } from '../../../lib/auth/sigv4-verify.ts';
import { parseQuery } from '../../../lib/http/addressing.ts';
import { ALICE, s3ErrorOf, signV4, verifyWire } from './helpers.ts';

describe('uriEncode', () => {
  it.each([
    ['encryption', 'encryption'],
    ['A-Z_a.z~0', 'A-Z_a.z~0'],
    ['a b', 'a%20b'],
    ['a+b', 'a%2Bb'],
    ["!'()*", '%21%27%28%29%2A'],
    ['/=&?', '%2F%3D%26%3F'],
    ['ü€', '%C3%BC%E2%82%AC'],
    ['', ''],
  ])('returns %j encoded as %j', (text, encoded) => {
    expect(uriEncode(text)).toBe(encoded);
  });
});

describe('canonicalQueryString', () => {
  it.each([
    ['', ''],
    ['encryption', 'encryption='],
    ['encryption=', 'encryption='],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=2&a=1', 'a=1&a=2'],
    ['b=1&B=2', 'B=2&b=1'],
    ['a=%7e%21', 'a=~%21'],
    ['a=%c3%bc', 'a=%C3%BC'],
    ['a=b+c', 'a=b%2Bc'],
    ['&&encryption&', 'encryption='],
    ['a=b=c', 'a=b%3Dc'],
  ])('returns %j canonicalised as %j', (raw, canonical) => {
    expect(canonicalQueryString(parseQuery(raw))).toBe(canonical);
  });

  it('returns the query without the signature of a presigned URL', () => {
    const pieces = parseQuery('X-Amz-Signature=abc&encryption&X-Amz-Date=20250601T120000Z');
    expect(canonicalQueryString(pieces, 'X-Amz-Signature')).toBe('X-Amz-Date=20250601T120000Z&encryption=');
  });
});

describe('parseAmzDate', () => {
  it.each([
    ['20250601T120000Z', Date.UTC(2025, 5, 1, 12, 0, 0)],
    ['20240229T235959Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['20250229T000000Z', undefined],
    ['20251301T000000Z', undefined],
    ['20250601T240000Z', undefined],
    ['20250601T120000', undefined],
    ['2025-06-01T12:00:00Z', undefined],
    ['', undefined],
  ])('returns %j as %j', (value, epochMs) => {
    expect(parseAmzDate(value)).toBe(epochMs);
  });
});

describe('SigV4 canonicalisation against @smithy/signature-v4 (properties)', () => {
  const text = fc.string({ unit: fc.constantFrom(..."aZ09-_.~ !*'()+=&/?%ü€#".split('')), maxLength: 12 });
  const queryName = text.filter((name) => name !== '' && !name.startsWith('X-Amz-'));
  const headerValue = fc.string({ unit: fc.constantFrom(...'aZ09 \t,;=/'.split('')), maxLength: 16 });

  it('returns the caller for any query and header values the SDK signs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(queryName, fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })), {
          maxKeys: 5,
        }),
        fc.dictionary(fc.stringMatching(/^x-test-[a-z]{1,6}$/), headerValue, { maxKeys: 3 }),
        fc.constantFrom('GET', 'PUT', 'DELETE', 'HEAD'),
        async (query, headers, method) => {
          const wire = await signV4({ method, path: '/b1/', query: { encryption: '', ...query }, headers });
          expect(await verifyWire(wire)).toEqual({
            accountId: ALICE.accountId,
            accessKeyId: ALICE.accessKeyId,
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('returns SignatureDoesNotMatch when any query value changes', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, async (value, other) => {
        fc.pre(value !== other);
        const wire = await signV4({ method: 'GET', path: '/b1', query: { encryption: '', prefix: value } });
        const tampered = { ...wire, rawQueryString: `encryption=&prefix=${encodeURIComponent(other)}` };
        expect((await s3ErrorOf(verifyWire(tampered))).code).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: 100 },
    );
  });
});
