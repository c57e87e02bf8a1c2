import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../../lib/config.ts';
import {
  getProfile,
  parseEncryptionConfiguration,
  S3_NAMESPACE,
  type SseAlgorithm,
} from '../../../lib/encryption/index.ts';
import { requestDialect, responseHeaderName } from '../../../lib/encryption/profiles.ts';
import { s3ErrorOf } from './fixtures.ts';

const body = (algorithm: string, keyId?: string, projectId?: string) =>
  '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>' +
  `<SSEAlgorithm>${algorithm}</SSEAlgorithm>` +
  (keyId === undefined ? '' : `<KMSMasterKeyID>${keyId}</KMSMasterKeyID>`) +
  (projectId === undefined ? '' : `<ProjectID>${projectId}</ProjectID>`) +
  '</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';

describe('getProfile', () => {
  it.each(PROFILE_NAMES)('returns a frozen profile named %s', (name) => {
    const profile = getProfile(name);
    expect(profile.name).toBe(name);
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile.platformDefault)).toBe(true);
    expect(profile.platformDefault).toStrictEqual({ sseAlgorithm: 'AES256', bucketKeyEnabled: false });
  });

  it.each(PROFILE_NAMES)('returns KMS algorithms that are among the algorithms of %s', (name) => {
    const { algorithms, kmsAlgorithms } = getProfile(name);
    for (const algorithm of kmsAlgorithms) expect(algorithms).toContain(algorithm);
    expect(algorithms).toContain('AES256');
  });

  it.each([
    [
      'aws',
      ['AES256', 'aws:kms', 'aws:kms:dsse'],
      'x-amz-request-id',
      'x-amz-id-2',
      true,
      'platform-default',
    ],
    ['qstorage', ['AES256', 'verenc'], 'x-amz-request-id', 'x-amz-id-2', true, 'platform-default'],
    ['obs', ['kms', 'AES256'], 'x-obs-request-id', 'x-obs-id-2', false, 'NoSuchEncryptionConfiguration'],
  ] as const)(
    'returns the %s table row',
    (name, algorithms, requestId, hostId, integrityRequired, unsetAnswer) => {
      const profile = getProfile(name);
      expect(profile.algorithms).toEqual(algorithms);
      // Requests signed OBS-style (or not at all, in obs) are answered x-obs-*; the rest x-amz-*.
      expect(responseHeaderName(profile, 'obs', 'x-amz-request-id')).toBe(requestId);
      expect(responseHeaderName(profile, 'none', 'x-amz-id-2')).toBe(hostId);
      expect(responseHeaderName(profile, 'aws', 'x-amz-request-id')).toBe('x-amz-request-id');
      expect(profile.integrityRequired).toBe(integrityRequired);
      expect(profile.unsetAnswer).toBe(unsetAnswer);
    },
  );

  it.each([
    ['aws', S3_NAMESPACE],
    ['qstorage', S3_NAMESPACE],
    ['obs', 'http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/'],
  ] as const)('returns the %s response namespace', (name, namespace) => {
    expect(getProfile(name).namespace('cn-north-4', 'myhuaweicloud.com')).toBe(namespace);
  });
});

describe('aws profile', () => {
  const aws = getProfile('aws');

  it.each([
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'mrk-1234abcd12ab34cd56ef1234567890ab',
    'testkey-1',
    'alias/aws/s3',
    'alias/my_app-key',
    'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:us-east-1:123456789012:alias/ExampleAlias',
    'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/k',
    'k'.repeat(2048),
  ])('returns the key when aws:kms comes with %s', (keyId) => {
    expect(parseEncryptionConfiguration(body('aws:kms', keyId), aws).kmsMasterKeyId).toBe(keyId);
  });

  it.each([
    ['', 'it is empty'],
    [' alias/k', 'it has leading whitespace'],
    ['alias/k\t', 'it has a trailing tab'],
    ['my key', 'it contains a space'],
    ['clé', 'it is not ASCII'],
    ['k'.repeat(2049), 'it is longer than 2048 characters'],
    ['alias/', 'the alias has no name'],
    ['arn:aws:s3:::my-bucket', 'the ARN is not a KMS ARN'],
    ['arn:aws:kms:us-east-1:1234:key/k', 'the ARN account is not 12 digits'],
    ['arn:aws:kms:us-east-1:123456789012:grant/k', 'the ARN resource is neither key nor alias'],
  ])('throws InvalidArgument KMSMasterKeyID when the key %#: %s', (keyId) => {
    const error = s3ErrorOf(() => parseEncryptionConfiguration(body('aws:kms:dsse', keyId), aws));
    expect(error.code).toBe('InvalidArgument');
    expect(error.fields).toEqual({ ArgumentName: 'KMSMasterKeyID' });
  });

  it.each(['aws:kms', 'aws:kms:dsse'] as const)(
    'returns %s without a key (the platform-managed key)',
    (algorithm) => {
      expect(parseEncryptionConfiguration(body(algorithm), aws)).toStrictEqual({
        sseAlgorithm: algorithm,
        bucketKeyEnabled: false,
      });
    },
  );

  it.each(['aes256', 'AWS:KMS', 'aws:kms:DSSE', 'verenc', 'kms', 'AES-256', 'aws:kms '])(
    'throws MalformedXML when the algorithm is %j',
    (algorithm) => {
      expect(s3ErrorOf(() => parseEncryptionConfiguration(body(algorithm), aws)).code).toBe('MalformedXML');
    },
  );

  it('throws MalformedXML when ProjectID is sent (not in AWS schema)', () => {
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body('aws:kms', 'alias/k', 'p1'), aws)).code).toBe(
      'MalformedXML',
    );
  });
});

describe('qstorage profile', () => {
  const qstorage = getProfile('qstorage');

  it('returns verenc with its qkms: key', () => {
    expect(parseEncryptionConfiguration(body('verenc', 'qkms:tenant-1/key-7'), qstorage)).toStrictEqual({
      sseAlgorithm: 'verenc',
      kmsMasterKeyId: 'qkms:tenant-1/key-7',
      bucketKeyEnabled: false,
    });
  });

  it('throws InvalidArgument KMSMasterKeyID when verenc comes without a key', () => {
    const error = s3ErrorOf(() => parseEncryptionConfiguration(body('verenc'), qstorage));
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toBe('a KMSMasterKeyID is required if the default sse algorithm is verenc');
    expect(error.fields).toEqual({ ArgumentName: 'KMSMasterKeyID' });
  });

  it.each(['qkms:', 'QKMS:k1', 'kms:k1', 'alias/k1', ' qkms:k1', 'qkms:k 1'])(
    'throws InvalidArgument KMSMasterKeyID when verenc comes with %j',
    (keyId) => {
      const error = s3ErrorOf(() => parseEncryptionConfiguration(body('verenc', keyId), qstorage));
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toBe('The KMSMasterKeyID must be a qkms: key id');
      expect(error.fields).toEqual({ ArgumentName: 'KMSMasterKeyID' });
    },
  );

  it.each<SseAlgorithm>(['aws:kms', 'aws:kms:dsse', 'kms'])(
    'throws MalformedXML when the algorithm is %s',
    (algorithm) => {
      expect(s3ErrorOf(() => parseEncryptionConfiguration(body(algorithm), qstorage)).code).toBe(
        'MalformedXML',
      );
    },
  );

  it('throws InvalidArgument naming verenc when AES256 comes with a key', () => {
    const error = s3ErrorOf(() => parseEncryptionConfiguration(body('AES256', 'qkms:k1'), qstorage));
    expect(error.message).toBe(
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not verenc',
    );
    expect(error.fields).toEqual({ ArgumentName: 'ApplyServerSideEncryptionByDefault' });
  });
});

describe('obs profile', () => {
  const obs = getProfile('obs');
  const regionKey = 'cn-north-4:0d5ca48b7200d3d50f4cc00c1fe7d6a4:key/4f1cd4de-ab64-4807-920a-47fc42e7f0d0';

  it.each(['4f1cd4de-ab64-4807-920a-47fc42e7f0d0', regionKey, 'made-up-key'])(
    'returns the key when kms comes with %s',
    (keyId) => {
      expect(parseEncryptionConfiguration(body('kms', keyId), obs).kmsMasterKeyId).toBe(keyId);
    },
  );

  it('returns kms without a key', () => {
    expect(parseEncryptionConfiguration(body('kms'), obs)).toStrictEqual({
      sseAlgorithm: 'kms',
      bucketKeyEnabled: false,
    });
  });

  it('returns the ProjectID when it comes with a key', () => {
    expect(
      parseEncryptionConfiguration(body('kms', regionKey, '9a1b2c3d4e5f60718293a4b5c6d7e8f9'), obs),
    ).toStrictEqual({
      sseAlgorithm: 'kms',
      kmsMasterKeyId: regionKey,
      projectId: '9a1b2c3d4e5f60718293a4b5c6d7e8f9',
      bucketKeyEnabled: false,
    });
  });

  it.each([
    ['kms', undefined],
    ['AES256', undefined],
  ])('throws InvalidArgument ProjectID when %s comes with a ProjectID and no key', (algorithm) => {
    const error = s3ErrorOf(() => parseEncryptionConfiguration(body(algorithm, undefined, 'p1'), obs));
    expect(error.code).toBe('InvalidArgument');
    expect(error.fields).toEqual({ ArgumentName: 'ProjectID' });
  });

  it.each(['cn-north-4:key/k1', 'cn-north-4:domain:alias/k1', ':domain:key/k1', 'a:b:key/c:d'])(
    'throws InvalidArgument KMSMasterKeyID when the key is %j',
    (keyId) => {
      const error = s3ErrorOf(() => parseEncryptionConfiguration(body('kms', keyId), obs));
      expect(error.code).toBe('InvalidArgument');
      expect(error.fields).toEqual({ ArgumentName: 'KMSMasterKeyID' });
    },
  );

  it.each(['aws:kms', 'KMS', 'verenc'])('throws MalformedXML when the algorithm is %s', (algorithm) => {
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body(algorithm), obs)).code).toBe('MalformedXML');
  });

  it.each([
    'http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/',
    'http://obs.myhwclouds.com/doc/2015-06-30/',
    S3_NAMESPACE,
  ])('returns the configuration when the root namespace is %s', (namespace) => {
    const xml = body('kms').replace(
      '<ServerSideEncryptionConfiguration>',
      `<ServerSideEncryptionConfiguration xmlns="${namespace}">`,
    );
    expect(parseEncryptionConfiguration(xml, obs).sseAlgorithm).toBe('kms');
  });
});

describe('requestDialect', () => {
  it.each([
    ['AWS4-HMAC-SHA256 Credential=…', '', 'aws'],
    ['AWS AKID:c2ln', '', 'aws'],
    ['OBS AKID:c2ln', '', 'obs'],
    ['', 'encryption&X-Amz-Algorithm=AWS4-HMAC-SHA256', 'aws'],
    ['', 'encryption&AWSAccessKeyId=AKID&Expires=1&Signature=c2ln', 'aws'],
    ['', 'encryption&AccessKeyId=AKID&Expires=1&Signature=c2ln', 'obs'],
    // Decoded as the signature check decodes them: a re-encoded name is the same parameter.
    ['', 'encryption&AWSAccessKey%49d=AKID&Expires=1&Signature=c2ln', 'aws'],
    ['', 'encryption&Access%4BeyId=AKID&Expires=1&Signature=c2ln', 'obs'],
    ['', 'X-Amz-Algorith%6D=AWS4-HMAC-SHA256', 'aws'],
    ['', 'apiversion', 'none'],
    ['', '%ZZ=1', 'none'],
    ['', '', 'none'],
  ])('reads %j with query %j as %s', (authorization, query, dialect) => {
    expect(requestDialect(authorization, query)).toBe(dialect);
  });
});
