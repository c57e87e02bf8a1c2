import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, config, profile, readConfig, resetConfig } from '../../lib/config.ts';
import { getProfile } from '../../lib/encryption/profiles.ts';

describe('readConfig', () => {
  it('returns the defaults when only TABLE_NAME is set', () => {
    expect(readConfig({ TABLE_NAME: 'buckets' })).toEqual({
      tableName: 'buckets',
      dynamodbEndpoint: undefined,
      region: 'us-east-1',
      profile: 'aws',
      unsetEncryption: 'default',
      bucketDefaults: 'secure',
      baseDomain: undefined,
      obsDomain: 'myhuaweicloud.com',
      credentialCacheTtlMs: 60_000,
      dynamodbRequestTimeoutMs: 1000,
      dynamodbMaxAttempts: 3,
      maxConcurrency: 1,
      logLevel: 'INFO',
      secretsMode: 'kms',
      secretsKmsKeyId: undefined,
      localSecretsKey: undefined,
      historyRetentionDays: 400,
      eventBusName: undefined,
      tracing: false,
      metrics: true,
      metricsService: 'bucket-encryption-api',
    });
  });

  it('returns every setting read from its variable when all are set', () => {
    expect(
      readConfig({
        TABLE_NAME: ' buckets ',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        S3_REGION: 'eu-west-1',
        AWS_REGION: 'us-west-2',
        S3_PROFILE: 'obs',
        S3_UNSET_ENCRYPTION: 'not-found',
        S3_BUCKET_DEFAULTS: 'legacy',
        S3_BASE_DOMAIN: 'S3.Example.COM',
        S3_OBS_DOMAIN: 'example.org',
        CREDENTIAL_CACHE_TTL_SECONDS: '5',
        DYNAMODB_REQUEST_TIMEOUT_MS: '250',
        DYNAMODB_MAX_ATTEMPTS: '2',
        AWS_LAMBDA_MAX_CONCURRENCY: '64',
        LOG_LEVEL: 'DEBUG',
        SECRETS_MODE: 'kms',
        SECRETS_KMS_KEY_ID: 'alias/secrets',
        LOCAL_SECRETS_KEY: 'passphrase',
        HISTORY_RETENTION_DAYS: '30',
        EVENT_BUS_NAME: 'audit',
        TRACING: 'true',
        METRICS: 'true',
        METRICS_SERVICE: 'bucket-encryption-api-prod',
      }),
    ).toEqual({
      tableName: 'buckets',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      region: 'eu-west-1',
      profile: 'obs',
      unsetEncryption: 'not-found',
      bucketDefaults: 'legacy',
      baseDomain: 's3.example.com',
      obsDomain: 'example.org',
      credentialCacheTtlMs: 5_000,
      dynamodbRequestTimeoutMs: 250,
      dynamodbMaxAttempts: 2,
      maxConcurrency: 64,
      logLevel: 'DEBUG',
      secretsMode: 'kms',
      secretsKmsKeyId: 'alias/secrets',
      localSecretsKey: 'passphrase',
      historyRetentionDays: 30,
      eventBusName: 'audit',
      tracing: true,
      metrics: true,
      metricsService: 'bucket-encryption-api-prod',
    });
  });

  it.each([
    ['AWS_REGION when S3_REGION is unset', { AWS_REGION: 'ap-south-1' }, 'ap-south-1'],
    ['AWS_REGION when S3_REGION is blank', { S3_REGION: '  ', AWS_REGION: 'ap-south-1' }, 'ap-south-1'],
    ['S3_REGION over AWS_REGION', { S3_REGION: 'eu-west-1', AWS_REGION: 'ap-south-1' }, 'eu-west-1'],
  ])('returns the region from %s', (_case, env, region) => {
    expect(readConfig({ TABLE_NAME: 't', ...env }).region).toBe(region);
  });

  it.each([
    ['S3_PROFILE', { S3_PROFILE: '' }, 'profile', 'aws'],
    ['S3_UNSET_ENCRYPTION', { S3_UNSET_ENCRYPTION: '' }, 'unsetEncryption', 'default'],
    ['S3_BUCKET_DEFAULTS', { S3_BUCKET_DEFAULTS: '' }, 'bucketDefaults', 'secure'],
    ['CREDENTIAL_CACHE_TTL_SECONDS', { CREDENTIAL_CACHE_TTL_SECONDS: '' }, 'credentialCacheTtlMs', 60_000],
    ['S3_BASE_DOMAIN', { S3_BASE_DOMAIN: '   ' }, 'baseDomain', undefined],
  ] as const)('returns the default when %s is empty', (_name, env, field, expected) => {
    expect(readConfig({ TABLE_NAME: 't', ...env })[field]).toBe(expected);
  });

  it.each([
    ['a DynamoDB endpoint', { DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }, 'local'],
    ['no DynamoDB endpoint (AWS)', {}, 'kms'],
    [
      'SECRETS_MODE=kms with an endpoint',
      { DYNAMODB_ENDPOINT: 'http://db:8000', SECRETS_MODE: 'kms' },
      'kms',
    ],
  ])('returns secrets mode %s → %s', (_case, env, mode) => {
    expect(readConfig({ TABLE_NAME: 't', ...env }).secretsMode).toBe(mode);
  });

  it.each([
    ['TABLE_NAME', { TABLE_NAME: undefined }],
    ['TABLE_NAME', { TABLE_NAME: '   ' }],
    ['DYNAMODB_ENDPOINT', { DYNAMODB_ENDPOINT: 'not a url' }],
    // A host and port without a scheme parses as a URL of scheme `localhost:`.
    ['DYNAMODB_ENDPOINT', { DYNAMODB_ENDPOINT: 'localhost:8000' }],
    ['DYNAMODB_ENDPOINT', { DYNAMODB_ENDPOINT: 'ftp://localhost:8000' }],
    ['S3_PROFILE', { S3_PROFILE: 'gcs' }],
    ['S3_PROFILE', { S3_PROFILE: 'AWS' }],
    ['S3_UNSET_ENCRYPTION', { S3_UNSET_ENCRYPTION: 'none' }],
    ['S3_BUCKET_DEFAULTS', { S3_BUCKET_DEFAULTS: 'off' }],
    ['S3_BUCKET_DEFAULTS', { S3_BUCKET_DEFAULTS: 'Legacy' }],
    ['CREDENTIAL_CACHE_TTL_SECONDS', { CREDENTIAL_CACHE_TTL_SECONDS: '0' }],
    ['CREDENTIAL_CACHE_TTL_SECONDS', { CREDENTIAL_CACHE_TTL_SECONDS: '-5' }],
    ['CREDENTIAL_CACHE_TTL_SECONDS', { CREDENTIAL_CACHE_TTL_SECONDS: '1.5' }],
    ['CREDENTIAL_CACHE_TTL_SECONDS', { CREDENTIAL_CACHE_TTL_SECONDS: 'sixty' }],
    ['DYNAMODB_REQUEST_TIMEOUT_MS', { DYNAMODB_REQUEST_TIMEOUT_MS: '1e400' }],
    ['DYNAMODB_REQUEST_TIMEOUT_MS', { DYNAMODB_REQUEST_TIMEOUT_MS: 'fast' }],
    ['DYNAMODB_MAX_ATTEMPTS', { DYNAMODB_MAX_ATTEMPTS: '0' }],
    ['AWS_LAMBDA_MAX_CONCURRENCY', { AWS_LAMBDA_MAX_CONCURRENCY: 'many' }],
    ['SECRETS_MODE', { SECRETS_MODE: 'plaintext' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'LOUD' }],
    ['S3_BASE_DOMAIN', { S3_BASE_DOMAIN: 'https://s3.example.com' }],
    ['S3_OBS_DOMAIN', { S3_OBS_DOMAIN: 'example..com' }],
    ['HISTORY_RETENTION_DAYS', { HISTORY_RETENTION_DAYS: '0' }],
    ['TRACING', { TRACING: 'True' }],
    ['METRICS', { METRICS: 'yes' }],
  ])('throws a ConfigError naming %s when it is %o', (name, env) => {
    const read = () => readConfig({ TABLE_NAME: 'buckets', ...env });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(new RegExp(`^${name} must `));
  });

  it.each([
    ['against DynamoDB Local (npm start, in-process tests)', { DYNAMODB_ENDPOINT: 'http://db:8000' }, false],
    ['in AWS', {}, true],
    [
      'with METRICS=true against DynamoDB Local',
      { DYNAMODB_ENDPOINT: 'http://db:8000', METRICS: 'true' },
      true,
    ],
    ['with METRICS=false in AWS', { METRICS: 'false' }, false],
  ])('returns metrics %s as %s', (_case, env, metrics) => {
    expect(readConfig({ TABLE_NAME: 't', ...env }).metrics).toBe(metrics);
  });

  it('returns LOG_LEVEL in upper case, whatever case it was given in', () => {
    expect(readConfig({ TABLE_NAME: 't', LOG_LEVEL: 'debug' }).logLevel).toBe('DEBUG');
  });

  it('returns the allowed values in the message when a value is not one of them', () => {
    expect(() => readConfig({ TABLE_NAME: 't', S3_PROFILE: 'gcs' })).toThrow(
      'S3_PROFILE must be one of aws, qstorage, obs (got "gcs")',
    );
  });
});

describe('config', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });

  it('returns the environment as read once until resetConfig', () => {
    vi.stubEnv('TABLE_NAME', 'first');
    resetConfig();
    expect(config().tableName).toBe('first');
    vi.stubEnv('TABLE_NAME', 'second');
    expect(config().tableName).toBe('first');
    resetConfig();
    expect(config().tableName).toBe('second');
  });

  it.each([
    ['aws', '', 'platform-default'],
    ['obs', '', 'NoSuchEncryptionConfiguration'],
    ['aws', 'not-found', 'ServerSideEncryptionConfigurationNotFoundError'],
    ['obs', 'not-found', 'ServerSideEncryptionConfigurationNotFoundError'],
  ])(
    'resolves the %s profile with S3_UNSET_ENCRYPTION=%j to answer %s when nothing is set',
    (name, unset, answer) => {
      vi.stubEnv('TABLE_NAME', 'buckets');
      vi.stubEnv('S3_PROFILE', name);
      vi.stubEnv('S3_UNSET_ENCRYPTION', unset);
      resetConfig();
      expect(profile().unsetAnswer).toBe(answer);
      expect(profile().algorithms).toEqual(getProfile(name as 'aws' | 'obs').algorithms);
      expect(profile()).toBe(profile());
    },
  );

  it.each([
    [
      'aws',
      'secure',
      {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
        objectOwnership: 'BucketOwnerEnforced',
      },
    ],
    [
      'obs',
      '',
      {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    ],
    ['aws', 'legacy', {}],
    ['qstorage', 'legacy', {}],
  ])(
    'resolves the %s profile with S3_BUCKET_DEFAULTS=%j to create buckets with %j',
    (name, mode, defaults) => {
      vi.stubEnv('TABLE_NAME', 'buckets');
      vi.stubEnv('S3_PROFILE', name);
      vi.stubEnv('S3_BUCKET_DEFAULTS', mode);
      resetConfig();
      expect(profile().newBucketDefaults).toEqual(defaults);
      // The override changes nothing else of the profile.
      expect({ ...profile(), newBucketDefaults: {} }).toEqual({
        ...getProfile(name as 'aws' | 'obs' | 'qstorage'),
        newBucketDefaults: {},
      });
    },
  );

  it('resolves the profile again after resetConfig', () => {
    vi.stubEnv('TABLE_NAME', 'buckets');
    vi.stubEnv('S3_PROFILE', 'aws');
    resetConfig();
    expect(profile().signatureV2).toBe(false);
    vi.stubEnv('S3_PROFILE', 'obs');
    resetConfig();
    expect(profile().signatureV2).toBe(true);
    expect(profile().apiVersionProbe).toBe(true);
  });
});
