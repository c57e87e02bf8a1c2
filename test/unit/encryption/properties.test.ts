import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProfileName } from '../../../lib/config.ts';
import {
  type BlockedEncryptionType,
  type EncryptionConfiguration,
  getProfile,
  parseEncryptionConfiguration,
  type SseAlgorithm,
  serializeEncryptionConfiguration,
} from '../../../lib/encryption/index.ts';
import { S3Error } from '../../../lib/errors.ts';
import { OPTIONS } from './fixtures.ts';

// ---- valid configurations, per profile

const PRINTABLE_ASCII = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const token = (maxLength = 64) => fc.string({ unit: PRINTABLE_ASCII, minLength: 1, maxLength });
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const awsKeyId = fc.oneof(
  fc.uuid(),
  hex(32).map((id) => `mrk-${id}`),
  token().filter((id) => !id.startsWith('arn:') && !id.startsWith('alias/')),
  token().map((name) => `alias/${name}`),
  fc
    .tuple(
      fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
      fc.constantFrom('us-east-1', 'eu-west-3'),
      fc.constantFrom('key', 'alias'),
      token(),
    )
    .map(([partition, region, kind, id]) => `arn:${partition}:kms:${region}:123456789012:${kind}/${id}`),
);
const qstorageKeyId = token().map((id) => `qkms:${id}`);
const obsKeyId = fc.oneof(
  fc.uuid(),
  token().filter((id) => !id.includes(':')),
  fc
    .tuple(fc.constantFrom('cn-north-4', 'ap-southeast-1'), hex(32), fc.uuid())
    .map(([region, domain, id]) => `${region}:${domain}:key/${id}`),
);
const blockedTypes = fc.option(
  fc.uniqueArray(fc.constantFrom<BlockedEncryptionType>('NONE', 'SSE-C'), { minLength: 1, maxLength: 2 }),
  { nil: undefined },
);

const withOptional = (
  sseAlgorithm: SseAlgorithm,
  kmsMasterKeyId: string | undefined,
  projectId: string | undefined,
  bucketKeyEnabled: boolean,
  blockedEncryptionTypes: BlockedEncryptionType[] | undefined,
): EncryptionConfiguration => ({
  sseAlgorithm,
  ...(kmsMasterKeyId !== undefined && { kmsMasterKeyId }),
  ...(projectId !== undefined && { projectId }),
  bucketKeyEnabled,
  ...(blockedEncryptionTypes !== undefined && { blockedEncryptionTypes }),
});

const optionalKey = (keyId: fc.Arbitrary<string>) => fc.option(keyId, { nil: undefined });

const VALID_CONFIGURATIONS: Record<ProfileName, fc.Arbitrary<EncryptionConfiguration>> = {
  aws: fc.oneof(
    fc
      .tuple(fc.boolean(), blockedTypes)
      .map(([bucketKey, blocked]) => withOptional('AES256', undefined, undefined, bucketKey, blocked)),
    fc
      .tuple(
        fc.constantFrom<SseAlgorithm>('aws:kms', 'aws:kms:dsse'),
        optionalKey(awsKeyId),
        fc.boolean(),
        blockedTypes,
      )
      .map(([algorithm, key, bucketKey, blocked]) =>
        withOptional(algorithm, key, undefined, bucketKey, blocked),
      ),
  ),
  qstorage: fc.oneof(
    fc
      .tuple(fc.boolean(), blockedTypes)
      .map(([bucketKey, blocked]) => withOptional('AES256', undefined, undefined, bucketKey, blocked)),
    fc
      .tuple(qstorageKeyId, fc.boolean(), blockedTypes)
      .map(([key, bucketKey, blocked]) => withOptional('verenc', key, undefined, bucketKey, blocked)),
  ),
  // OBS's schema has neither BucketKeyEnabled nor BlockedEncryptionTypes (profiles.ts).
  obs: fc.oneof(
    fc.constant(withOptional('AES256', undefined, undefined, false, undefined)),
    fc.tuple(optionalKey(obsKeyId)).map(([key]) => withOptional('kms', key, undefined, false, undefined)),
    fc
      .tuple(obsKeyId, fc.oneof(hex(32), token()))
      .map(([key, project]) => withOptional('kms', key, project, false, undefined)),
  ),
};

const PROFILES = Object.keys(VALID_CONFIGURATIONS) as ProfileName[];

/** Parses, and lets only S3Errors of a client-error code through; returns whether it parsed. */
function parsesOrThrowsS3Error(body: Uint8Array | string, name: ProfileName): boolean {
  try {
    parseEncryptionConfiguration(body, getProfile(name), OPTIONS);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(S3Error);
    expect(['MalformedXML', 'InvalidArgument', 'MaxMessageLengthExceeded']).toContain(
      (error as S3Error).code,
    );
    return false;
  }
}

// ---- mutations of valid documents

// Fragments that exercise the parser's edges more often than random characters do.
const XML_FRAGMENTS = fc.constantFrom(
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  '&#x41;',
  '&lol;',
  ';',
  '"',
  "'",
  '/',
  '=',
  ' ',
  '\n',
  '\u0000',
  '\ud800',
  '\ufeff',
  '<!DOCTYPE x [<!ENTITY lol "lol">]>',
  '<!ENTITY e SYSTEM "file:///etc/passwd">',
  '<?pi x?>',
  '<?xml version="1.0"?>',
  '<!-- c -->',
  '<!--',
  '-->',
  '<![CDATA[x]]>',
  '<![CDATA[',
  ']]>',
  '<Rule>',
  '</Rule>',
  '<Rule/>',
  '<SSEAlgorithm>AES256</SSEAlgorithm>',
  '<KMSMasterKeyID>k</KMSMasterKeyID>',
  '<ProjectID>p</ProjectID>',
  '<BucketKeyEnabled>true</BucketKeyEnabled>',
  '<EncryptionType>SSE-C</EncryptionType>',
  ' xmlns="urn:x"',
  ' xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"',
  's3:',
  'constructor',
  '__proto__',
  'toString',
);

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'replace'; at: number; length: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(XML_FRAGMENTS, fc.string({ unit: 'binary' })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 120 }),
  }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 10 }),
    text: fc.oneof(XML_FRAGMENTS, fc.string()),
  }),
);

function mutate(document: string, mutations: readonly Mutation[]): string {
  let text = document;
  for (const change of mutations) {
    const at = change.at % (text.length + 1);
    switch (change.kind) {
      case 'insert':
        text = text.slice(0, at) + change.text + text.slice(at);
        break;
      case 'delete':
        text = text.slice(0, at) + text.slice(at + change.length);
        break;
      case 'duplicate':
        text = text.slice(0, at + change.length) + text.slice(at);
        break;
      case 'replace':
        text = text.slice(0, at) + change.text + text.slice(at + change.length);
        break;
    }
  }
  return text;
}

describe('parse and serialize (properties)', () => {
  it.each(PROFILES)(
    'returns the same configuration after a round trip, for any valid %s configuration',
    (name) => {
      const profile = getProfile(name);
      fc.assert(
        fc.property(VALID_CONFIGURATIONS[name], (config) => {
          const xml = serializeEncryptionConfiguration(config, profile, OPTIONS);
          const parsed = parseEncryptionConfiguration(xml, profile, OPTIONS);
          expect(parsed).toStrictEqual(config);
          expect(serializeEncryptionConfiguration(parsed, profile, OPTIONS)).toBe(xml);
          // Bytes and strings are the same document.
          expect(parseEncryptionConfiguration(new TextEncoder().encode(xml), profile, OPTIONS)).toStrictEqual(
            config,
          );
        }),
        { numRuns: 500 },
      );
    },
  );

  it.each(PROFILES)('returns or throws an S3Error for arbitrary bytes (%s)', (name) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        parsesOrThrowsS3Error(bytes, name);
      }),
      { numRuns: 500 },
    );
  });

  it.each(PROFILES)(
    'returns or throws an S3Error for arbitrary strings, lone surrogates included (%s)',
    (name) => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.string({ maxLength: 300 }),
            fc.string({ unit: fc.oneof(XML_FRAGMENTS, fc.string({ maxLength: 3 })), maxLength: 40 }),
          ),
          fc.string({
            unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
            maxLength: 2,
          }),
          (text, surrogates) => {
            parsesOrThrowsS3Error(text + surrogates, name);
          },
        ),
        { numRuns: 500 },
      );
    },
  );

  it.each(PROFILES)('returns or throws an S3Error for mutated valid documents (%s)', (name) => {
    const profile = getProfile(name);
    fc.assert(
      fc.property(
        VALID_CONFIGURATIONS[name],
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (config, mutations, asBytes) => {
          const document = mutate(serializeEncryptionConfiguration(config, profile, OPTIONS), mutations);
          const body = asBytes ? new TextEncoder().encode(document) : document;
          if (parsesOrThrowsS3Error(body, name)) {
            // Whatever parses must serialize to a document that parses to the same configuration.
            const parsed = parseEncryptionConfiguration(body, profile, OPTIONS);
            const canonical = serializeEncryptionConfiguration(parsed, profile, OPTIONS);
            expect(parseEncryptionConfiguration(canonical, profile, OPTIONS)).toStrictEqual(parsed);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
