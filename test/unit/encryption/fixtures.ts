// Shared by the encryption tests: the XML fixtures, their manifests, and an assertion for S3 errors.

import type { ProfileName } from '../../../lib/config.ts';
import type { EncryptionConfiguration } from '../../../lib/encryption/index.ts';
import type { S3ErrorCode } from '../../../lib/errors.ts';
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

export { s3ErrorOf } from '../../helpers/s3-error.ts';
