import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isS3Error } from '../../lib/errors.ts';
import {
  issueContinuationToken,
  listedName,
  parseListBucketsQuery,
  readContinuationToken,
} from '../../lib/listing.ts';
import { s3ErrorOf } from '../helpers/s3-error.ts';

const bucketName = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return isS3Error(error) ? `${error.code} ${error.fields.ArgumentName}` : String(error);
  }
  return 'accepted';
};

describe('ListBuckets continuation token', () => {
  it('returns the name it was issued for, to the account it was issued to', () => {
    fc.assert(
      fc.property(bucketName, (name) => {
        expect(
          readContinuationToken(issueContinuationToken('123456789012', name), '123456789012', undefined),
        ).toBe(name);
      }),
    );
  });

  it('refuses any token with one character changed, or read by another account', () => {
    fc.assert(
      fc.property(bucketName, fc.nat(), fc.constantFrom(...'AZaz09-_'), (name, at, replacement) => {
        const token = issueContinuationToken('123456789012', name);
        const index = at % token.length;
        fc.pre(token[index] !== replacement);
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(refusal(() => readContinuationToken(altered, '123456789012', undefined))).toBe(
          'InvalidArgument continuation-token',
        );
        expect(refusal(() => readContinuationToken(token, '210987654321', undefined))).toBe(
          'InvalidArgument continuation-token',
        );
      }),
    );
  });

  it('refuses a token of another prefix, padding, or another alphabet', () => {
    const token = issueContinuationToken('123456789012', 'logs-1');
    expect(readContinuationToken(token, '123456789012', 'logs')).toBe('logs-1');
    for (const [candidate, prefix] of [
      [token, 'data'],
      [`${token}=`, undefined],
      [`${token.slice(0, -1)}+`, undefined],
      ['', undefined],
    ] as const) {
      expect(refusal(() => readContinuationToken(candidate, '123456789012', prefix))).toBe(
        'InvalidArgument continuation-token',
      );
    }
  });
});

describe('parseListBucketsQuery', () => {
  it('returns the defaults for an empty query and the first of repeated parameters', () => {
    expect(parseListBucketsQuery([], 'us-east-1')).toEqual({
      maxBuckets: 10_000,
      prefix: undefined,
      continuationToken: undefined,
    });
    expect(
      parseListBucketsQuery(
        [
          ['max-buckets', '+7'],
          ['max-buckets', 'x'],
          ['prefix', ''],
          ['bucket-region', 'Us-East-1'],
        ],
        'us-east-1',
      ),
    ).toEqual({ maxBuckets: 7, prefix: '', continuationToken: undefined });
  });

  // LocalStack's AWS-validated snapshot (test_list_buckets_region_validation, bad-region): a name that is
  // no AWS Region is refused as such, even when it has a region's shape.
  it.each([
    ['eu-east-1', 'Argument value eu-east-1 is not a valid AWS Region'],
    ['us-east-7', 'Argument value us-east-7 is not a valid AWS Region'],
    ['EU', 'Argument value EU is not a valid AWS Region'],
    [
      'eu-west-1',
      'Requests with bucket-region specified must be made to the corresponding regional endpoint',
    ],
    [
      'AP-SOUTHEAST-7',
      'Requests with bucket-region specified must be made to the corresponding regional endpoint',
    ],
  ])('refuses bucket-region=%s at us-east-1: %s', (region, message) => {
    const error = s3ErrorOf(() => parseListBucketsQuery([['bucket-region', region]], 'us-east-1'));
    expect([error.code, error.message, error.fields.ArgumentName]).toEqual([
      'InvalidArgument',
      message,
      'bucket-region',
    ]);
  });

  it("accepts a deployment's own region that is no AWS Region (another vendor's)", () => {
    expect(parseListBucketsQuery([['bucket-region', 'cn-north-4']], 'cn-north-4').maxBuckets).toBe(10_000);
  });
});

describe('listedName', () => {
  it('returns S3 url encoding that form-decoding (botocore unquote_plus) turns back into the name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const encoded = listedName(name, 'url');
        expect(encoded).toMatch(/^[A-Za-z0-9\-_./*+%]*$/);
        expect(decodeURIComponent(encoded.replaceAll('+', ' '))).toBe(name);
      }),
    );
    expect(listedName('a b/c', undefined)).toBe('a b/c');
  });
});
