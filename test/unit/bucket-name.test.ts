import { describe, expect, it } from 'vitest';
import { assertValidBucketName, couldPrefixBucketName, isValidBucketName } from '../../lib/bucket-name.ts';
import { S3Error } from '../../lib/errors.ts';

const VALID: ReadonlyArray<readonly [name: string, why: string]> = [
  ['abc', 'three characters, the shortest allowed'],
  ['a'.repeat(63), 'sixty-three characters, the longest allowed'],
  ['b1-b', 'letters, digits and a hyphen'],
  ['my.bucket.name', 'dots between labels'],
  ['my-bucket--name', 'two hyphens in a row'],
  ['123', 'digits only'],
  ['1.2.3', 'three groups of digits, not the form of an IPv4 address'],
  ['1.2.3.4.5', 'five groups of digits'],
  ['192.168.5.4a', 'an address followed by a letter'],
  ['1234.1.1.1', 'a group of four digits'],
  ['axn--bucket', 'xn-- inside the name, not at its start'],
  ['xn-bucket', 'xn- without the second hyphen'],
  ['sthree', 'sthree without the hyphen'],
  ['amzn-s3-demo', 'amzn-s3-demo without the trailing hyphen'],
  ['bucket-s3alias1', '-s3alias inside the name, not at its end'],
  ['bucket-ol-s3', '-ol-s3 with a single hyphen'],
  ['bucket-mrap', 'mrap after a hyphen, not a dot'],
  ['bucket-x-s3', '-x-s3 with a single hyphen'],
  ['bucket-table-s3', '-table-s3 with a single hyphen'],
];

const INVALID: ReadonlyArray<readonly [name: string, why: string]> = [
  ['', 'it is empty'],
  ['ab', 'it is shorter than three characters'],
  ['a'.repeat(64), 'it is longer than sixty-three characters'],
  ['My-Bucket', 'it has upper-case letters'],
  ['my_bucket', 'it has an underscore'],
  ['my bucket', 'it has a space'],
  ['bücket', 'it has a non-ASCII letter'],
  ['my/bucket', 'it has a slash'],
  ['-bucket', 'it starts with a hyphen'],
  ['.bucket', 'it starts with a dot'],
  ['bucket-', 'it ends with a hyphen'],
  ['bucket.', 'it ends with a dot'],
  ['my..bucket', 'it has two dots in a row'],
  ['my-.bucket', 'a label ends with a hyphen'],
  ['my.-bucket', 'a label starts with a hyphen'],
  ['192.168.5.4', 'it is an IPv4 address'],
  ['0.0.0.0', 'it is an IPv4 address of single digits'],
  ['999.999.999.999', 'it has the form of an IPv4 address'],
  ['xn--bucket', 'it starts with xn--'],
  ['sthree-bucket', 'it starts with sthree-'],
  ['sthree-configurator', 'it starts with sthree-configurator'],
  ['amzn-s3-demo-bucket', 'it starts with amzn-s3-demo-'],
  ['bucket-s3alias', 'it ends with -s3alias'],
  ['bucket--ol-s3', 'it ends with --ol-s3'],
  ['bucket.mrap', 'it ends with .mrap'],
  ['bucket--x-s3', 'it ends with --x-s3'],
  ['bucket--use1-az4--x-s3', 'it is a directory bucket name'],
  ['bucket--table-s3', 'it ends with --table-s3'],
];

describe('isValidBucketName', () => {
  it.each(VALID)('returns true for %j: %s', (name) => {
    expect(isValidBucketName(name)).toBe(true);
  });

  it.each(INVALID)('returns false for %j when %s', (name) => {
    expect(isValidBucketName(name)).toBe(false);
  });
});

describe('assertValidBucketName', () => {
  it('returns nothing for a valid name', () => {
    expect(assertValidBucketName('b1-encryption')).toBeUndefined();
  });

  it.each(INVALID)('throws InvalidBucketName with the name for %j when %s', (name) => {
    let thrown: unknown;
    try {
      assertValidBucketName(name);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(S3Error);
    expect(thrown).toMatchObject({
      code: 'InvalidBucketName',
      statusCode: 400,
      message: 'The specified bucket is not valid.',
      fields: { BucketName: name },
    });
  });
});

describe('couldPrefixBucketName', () => {
  it.each([
    ['', 'the empty prefix'],
    ['a', 'one letter'],
    ['my.bucket-', 'a name cut before its last character'],
    ['-', 'a hyphen (no name starts so, but the check is on characters and length only)'],
    ['a'.repeat(63), 'sixty-three characters, a whole name'],
  ])('returns true for %j: %s', (prefix) => {
    expect(couldPrefixBucketName(prefix)).toBe(true);
  });

  it.each([
    ['a'.repeat(64), 'it is longer than any name'],
    ['a'.repeat(1025), 'it is longer than DynamoDB takes in a key condition'],
    ['B', 'it has an upper-case letter'],
    ['a\u0000', 'it has a NUL'],
    ['\uD800', 'it is a lone surrogate'],
    ['é', 'it is not ASCII'],
    ['a_b', 'it has an underscore'],
  ])('returns false for %j when %s', (prefix) => {
    expect(couldPrefixBucketName(prefix)).toBe(false);
  });

  it('returns true for every beginning of a valid name', () => {
    for (const [name] of VALID) {
      for (let end = 0; end <= name.length; end++)
        expect(couldPrefixBucketName(name.slice(0, end))).toBe(true);
    }
  });

  it('returns false exactly for the characters no valid name has, and for more than 63', () => {
    // Every character from U+0000 to U+00FF, a lone surrogate and one beyond the BMP, in the middle of a
    // name: where the check says no name can begin so, none does.
    const characters = [
      ...Array.from({ length: 256 }, (_, code) => String.fromCharCode(code)),
      '\uD800',
      '😀',
    ];
    for (const character of characters) {
      const prefix = `ab${character}`;
      if (!couldPrefixBucketName(prefix)) expect(isValidBucketName(`${prefix}cd`)).toBe(false);
      else expect(isValidBucketName(`${prefix}cd`)).toBe(true);
    }
    expect(couldPrefixBucketName('a'.repeat(64))).toBe(false);
    expect(isValidBucketName('a'.repeat(64))).toBe(false);
  });
});
