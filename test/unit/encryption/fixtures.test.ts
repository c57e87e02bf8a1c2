import { describe, expect, it } from 'vitest';
import {
  getProfile,
  parseEncryptionConfiguration,
  serializeEncryptionConfiguration,
} from '../../../lib/encryption/index.ts';
import { INVALID_CASES, OPTIONS, readFixture, s3ErrorOf, VALID_CASES } from './fixtures.ts';

describe('valid fixtures', () => {
  it.each(VALID_CASES)(
    'returns the expected configuration when parsing $file',
    ({ file, profile, config }) => {
      expect(
        parseEncryptionConfiguration(readFixture(`valid/${file}`), getProfile(profile), OPTIONS),
      ).toStrictEqual(config);
    },
  );

  it.each(VALID_CASES)('serializes $file to its canonical file byte for byte', ({ file, profile }) => {
    const canonical = readFixture(`valid/${file.replace(/\.xml$/, '.canonical.xml')}`);
    const config = parseEncryptionConfiguration(readFixture(`valid/${file}`), getProfile(profile), OPTIONS);
    const serialized = serializeEncryptionConfiguration(config, getProfile(profile), OPTIONS);
    expect(Buffer.from(serialized, 'utf8').equals(canonical)).toBe(true);
    expect(serialized).toBe(canonical.toString('utf8'));
  });

  it.each(VALID_CASES)(
    'returns the same configuration when parsing the canonical form of $file',
    ({ file, profile, config }) => {
      const canonical = readFixture(`valid/${file.replace(/\.xml$/, '.canonical.xml')}`);
      expect(parseEncryptionConfiguration(canonical, getProfile(profile), OPTIONS)).toStrictEqual(config);
    },
  );

  it('covers every profile', () => {
    expect(new Set(VALID_CASES.map(({ profile }) => profile))).toEqual(new Set(['aws', 'qstorage', 'obs']));
  });
});

describe('invalid fixtures', () => {
  it.each(INVALID_CASES)(
    'throws $code when parsing $file ($profile)',
    ({ file, profile, code, argumentName, message }) => {
      const error = s3ErrorOf(() =>
        parseEncryptionConfiguration(readFixture(`invalid/${file}`), getProfile(profile), OPTIONS),
      );
      expect(error.code).toBe(code);
      expect(error.statusCode).toBe(400);
      expect(error.fields.ArgumentName).toBe(argumentName);
      if (message !== undefined) expect(error.message).toBe(message);
    },
  );

  // Invalid UTF-8 cannot be a string: its replacement characters would make a different document.
  const textCases = INVALID_CASES.filter(({ file }) => {
    const bytes = readFixture(`invalid/${file}`);
    return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
  });

  it('keeps the invalid UTF-8 cases out of the string cases', () => {
    expect(INVALID_CASES.length - textCases.length).toBe(2);
  });

  it.each(textCases)('throws the same code when $file arrives as a string', ({ file, profile, code }) => {
    const text = readFixture(`invalid/${file}`).toString('utf8');
    const error = s3ErrorOf(() => parseEncryptionConfiguration(text, getProfile(profile), OPTIONS));
    expect(error.code).toBe(code);
  });
});
