// Bucket naming rules for general purpose buckets.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
//
// A valid name:
// - is 3–63 characters of lowercase letters, digits, `.` and `-`;
// - starts and ends with a letter or digit;
// - has no `..`, and no `.-` or `-.` (each dot-separated label starts and ends with a letter or digit, as
//   AWS enforces and Ceph's s3-tests check, though the page above no longer spells it out);
// - is not in the form of an IPv4 address: four dot-separated groups of 1–3 digits (192.168.5.4, and also
//   999.1.1.1: it is the form that is refused, not only addresses that exist);
// - does not start with a reserved prefix: `xn--` (punycode), `sthree-` (and so `sthree-configurator`),
//   `amzn-s3-demo-` (documentation examples);
// - does not end with a reserved suffix: `-s3alias` (access point aliases), `--ol-s3` (Object Lambda
//   access point aliases), `.mrap` (Multi-Region Access Points), `--x-s3` (directory buckets),
//   `--table-s3` (S3 Tables).

import { S3Error } from './errors.ts';

const SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_FORM = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

export function isValidBucketName(name: string): boolean {
  return (
    SHAPE.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !IPV4_FORM.test(name) &&
    !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
    !RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))
  );
}

// What any valid name is made of: at most 63 of these characters.
const NAME_CHARACTERS = /^[a-z0-9.-]{0,63}$/;

/**
 * Whether some valid bucket name could begin with `prefix`: false for one longer than a name can be, or
 * with a character no name has (upper case, NUL, non-ASCII, a lone surrogate). ListBuckets answers such
 * a prefix with an empty listing without asking DynamoDB, which refuses a key condition over 1,024
 * bytes (docs/behaviour.md "Listings").
 */
export const couldPrefixBucketName = (prefix: string): boolean => NAME_CHARACTERS.test(prefix);

/** A general purpose bucket's ARN, as S3 answers it (`BucketArn`, `x-amz-bucket-arn`). */
export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

/** @throws S3Error InvalidBucketName, with the name in `<BucketName>` as AWS sends it. */
export function assertValidBucketName(name: string): void {
  if (!isValidBucketName(name)) throw new S3Error('InvalidBucketName', { fields: { BucketName: name } });
}
