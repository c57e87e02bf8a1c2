// Shared by the encryption tests: the XML fixtures, their manifests, and an assertion for S3 errors.

import { expect } from 'vitest';
import type { ProfileName } from '../../../lib/config.ts';
import type { EncryptionConfiguration } from '../../../lib/encryption/index.ts';
import { S3Error, type S3ErrorCode } from '../../../lib/errors.ts';
import { readEncryptionFixture } from '../../helpers/bodies.ts';

/** The options every fixture is serialized with (the canonical OBS files use this namespace). */
export const OPTIONS = { region: 'cn-north-4', obsDomain: 'myhuaweicloud.com' } as const;

export const readFixture = readEncryptionFixture;

export interface ValidCase {
  file: string;
  profile: ProfileName;
  config: EncryptionConfiguration;
}

export interface InvalidCase {
  file: string;
  profile: ProfileName;
  code: S3ErrorCode;
  argumentName?: string;
  message?: string;
}

export const VALID_CASES: ValidCase[] = Object.entries(
  JSON.parse(readFixture('valid/cases.json').toString('utf8')) as Record<string, EncryptionConfiguration>,
).map(([file, config]) => ({ file, profile: file.split('/')[0] as ProfileName, config }));

export const INVALID_CASES: InvalidCase[] = Object.entries(
  JSON.parse(readFixture('invalid/cases.json').toString('utf8')) as Record<string, Omit<InvalidCase, 'file'>>,
).map(([file, expected]) => ({ file, ...expected }));

/** Runs `action` and returns the S3Error it throws; fails if it returns or throws anything else. */
export function s3ErrorOf(action: () => unknown): S3Error {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(S3Error);
    return error as S3Error;
  }
  expect.fail('expected an S3Error, but nothing was thrown');
}
