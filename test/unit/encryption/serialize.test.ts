import { describe, expect, it } from 'vitest';
import {
  type EncryptionConfiguration,
  getProfile,
  parseEncryptionConfiguration,
  serializeEncryptionConfiguration,
} from '../../../lib/encryption/index.ts';

const OPTIONS = { region: 'eu-west-0', obsDomain: 'example.com' };
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

describe('serializeEncryptionConfiguration', () => {
  it('returns the whole document in canonical order when every field is set', () => {
    const config: EncryptionConfiguration = {
      blockedEncryptionTypes: ['SSE-C', 'NONE'],
      bucketKeyEnabled: true,
      kmsMasterKeyId: 'k1',
      sseAlgorithm: 'aws:kms',
    };
    expect(serializeEncryptionConfiguration(config, getProfile('aws'), OPTIONS)).toBe(
      `${DECLARATION}<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>` +
        '<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k1</KMSMasterKeyID>' +
        '</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>' +
        '<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType><EncryptionType>NONE</EncryptionType>' +
        '</BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>',
    );
  });

  it("returns only OBS's documented elements, with its standalone declaration, in the obs profile", () => {
    const config: EncryptionConfiguration = {
      blockedEncryptionTypes: ['SSE-C'],
      bucketKeyEnabled: true,
      projectId: 'p1',
      kmsMasterKeyId: 'k1',
      sseAlgorithm: 'kms',
    };
    expect(serializeEncryptionConfiguration(config, getProfile('obs'), OPTIONS)).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<ServerSideEncryptionConfiguration xmlns="http://obs.eu-west-0.example.com/doc/2015-06-30/"><Rule>' +
        '<ApplyServerSideEncryptionByDefault><SSEAlgorithm>kms</SSEAlgorithm><KMSMasterKeyID>k1</KMSMasterKeyID>' +
        '<ProjectID>p1</ProjectID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>',
    );
  });

  it.each(['aws', 'qstorage'] as const)(
    'returns the %s platform default with BucketKeyEnabled false',
    (name) => {
      const profile = getProfile(name);
      const xml = serializeEncryptionConfiguration(profile.platformDefault, profile, OPTIONS);
      expect(xml).toBe(
        `${DECLARATION}<ServerSideEncryptionConfiguration xmlns="${profile.namespace(OPTIONS.region, OPTIONS.obsDomain)}">` +
          '<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>' +
          '<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
      );
    },
  );

  it('returns escaped values that parse back to the original when a key holds XML-special characters', () => {
    const aws = getProfile('aws');
    const config: EncryptionConfiguration = {
      sseAlgorithm: 'aws:kms',
      kmsMasterKeyId: `alias/<&>"']]>`,
      bucketKeyEnabled: false,
    };
    const xml = serializeEncryptionConfiguration(config, aws, OPTIONS);
    expect(xml).toContain('<KMSMasterKeyID>alias/&lt;&amp;&gt;&quot;&apos;]]&gt;</KMSMasterKeyID>');
    expect(parseEncryptionConfiguration(xml, aws)).toStrictEqual(config);
  });

  it('returns no ProjectID in a profile whose schema has none', () => {
    const config: EncryptionConfiguration = {
      sseAlgorithm: 'aws:kms',
      kmsMasterKeyId: 'k1',
      projectId: 'p1',
      bucketKeyEnabled: false,
    };
    expect(serializeEncryptionConfiguration(config, getProfile('aws'), OPTIONS)).not.toContain('ProjectID');
  });

  it('returns no BlockedEncryptionTypes when the list is empty', () => {
    const config: EncryptionConfiguration = {
      sseAlgorithm: 'AES256',
      bucketKeyEnabled: false,
      blockedEncryptionTypes: [],
    };
    expect(serializeEncryptionConfiguration(config, getProfile('aws'), OPTIONS)).not.toContain(
      'BlockedEncryptionTypes',
    );
  });
});
