// The environment, read once, validated, failing fast with the variable's name.
import { getProfile, type Profile } from './encryption/profiles.ts';

export const PROFILE_NAMES = ['aws', 'qstorage', 'obs'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const UNSET_ENCRYPTION_MODES = ['default', 'not-found'] as const;
export type UnsetEncryptionMode = (typeof UNSET_ENCRYPTION_MODES)[number];

/**
 * What a new bucket is created with: `secure`, AWS's defaults since April 2023 (Block Public Access
 * on, ACLs disabled); `legacy`, nothing, as buckets were before (what ceph/s3-tests and older tooling
 * expect: a public policy put on a fresh bucket succeeds). docs/behaviour.md "New buckets".
 */
export const BUCKET_DEFAULTS_MODES = ['secure', 'legacy'] as const;
export type BucketDefaultsMode = (typeof BUCKET_DEFAULTS_MODES)[number];

export interface Config {
  /** The DynamoDB table holding buckets, accounts and access keys. */
  tableName: string;
  /** A DynamoDB endpoint other than AWS's (DynamoDB Local); undefined in AWS. */
  dynamodbEndpoint: string | undefined;
  /** The region this service answers as (x-amz-bucket-region, the SigV4 scope it expects). */
  region: string;
  profile: ProfileName;
  unsetEncryption: UnsetEncryptionMode;
  /** What CreateBucket stores on a new bucket (the profile's defaults, or none). */
  bucketDefaults: BucketDefaultsMode;
  /** Base domain for virtual-hosted addressing (`{bucket}.{baseDomain}`); undefined = path-style only. */
  baseDomain: string | undefined;
  /** The domain in the OBS response namespace `http://obs.<region>.<domain>/doc/2015-06-30/`. */
  obsDomain: string;
  /** How long verified access keys stay cached in the container. */
  credentialCacheTtlMs: number;
  /** DynamoDB client: per-attempt timeout and attempts, sized to fit inside the Lambda timeout. */
  dynamodbRequestTimeoutMs: number;
  dynamodbMaxAttempts: number;
  logLevel: string;
  /** How access-key secrets are sealed at rest (lib/auth/secrets.ts). */
  secretsMode: 'kms' | 'local';
  /** The KMS key that seals secrets (needed to seal; opening reads it from the ciphertext). */
  secretsKmsKeyId: string | undefined;
  /** The passphrase of the `local` mode's key. */
  localSecretsKey: string | undefined;
  /** How long history entries are kept (DynamoDB TTL; docs/history.md). */
  historyRetentionDays: number;
  /** The EventBridge bus each history entry is published to; undefined = none. */
  eventBusName: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const oneOf = <T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
};

const positiveInt = (env: Env, name: string, fallback: number): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new ConfigError(`${name} must be a positive integer (got "${value}")`);
  return parsed;
};

const optional = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

export function readConfig(env: Env): Config {
  const tableName = optional(env, 'TABLE_NAME');
  if (!tableName) throw new ConfigError('TABLE_NAME must be set to the DynamoDB table name');
  const dynamodbEndpoint = optional(env, 'DYNAMODB_ENDPOINT');
  if (dynamodbEndpoint && !URL.canParse(dynamodbEndpoint)) {
    throw new ConfigError(`DYNAMODB_ENDPOINT must be a URL (got "${dynamodbEndpoint}")`);
  }
  return {
    tableName,
    dynamodbEndpoint,
    region: optional(env, 'S3_REGION') ?? optional(env, 'AWS_REGION') ?? 'us-east-1',
    profile: oneOf(env, 'S3_PROFILE', PROFILE_NAMES, 'aws'),
    unsetEncryption: oneOf(env, 'S3_UNSET_ENCRYPTION', UNSET_ENCRYPTION_MODES, 'default'),
    bucketDefaults: oneOf(env, 'S3_BUCKET_DEFAULTS', BUCKET_DEFAULTS_MODES, 'secure'),
    baseDomain: optional(env, 'S3_BASE_DOMAIN')?.toLowerCase(),
    obsDomain: optional(env, 'S3_OBS_DOMAIN') ?? 'myhuaweicloud.com',
    credentialCacheTtlMs: positiveInt(env, 'CREDENTIAL_CACHE_TTL_SECONDS', 60) * 1000,
    dynamodbRequestTimeoutMs: positiveInt(env, 'DYNAMODB_REQUEST_TIMEOUT_MS', 1000),
    dynamodbMaxAttempts: positiveInt(env, 'DYNAMODB_MAX_ATTEMPTS', 3),
    logLevel: optional(env, 'LOG_LEVEL') ?? 'INFO',
    // Against DynamoDB Local the default is the local key; in AWS, KMS.
    secretsMode: oneOf(env, 'SECRETS_MODE', ['kms', 'local'] as const, dynamodbEndpoint ? 'local' : 'kms'),
    secretsKmsKeyId: optional(env, 'SECRETS_KMS_KEY_ID'),
    localSecretsKey: optional(env, 'LOCAL_SECRETS_KEY'),
    historyRetentionDays: positiveInt(env, 'HISTORY_RETENTION_DAYS', 400),
    eventBusName: optional(env, 'EVENT_BUS_NAME'),
  };
}

let cached: Config | undefined;

/** The process's configuration, read on first use. */
export function config(): Config {
  cached ??= readConfig(process.env);
  return cached;
}

let resolved: { settings: Config; profile: Profile } | undefined;

/**
 * The deployment's profile, resolved from the configuration it was read with: the profile's data
 * with the deployment's own overrides applied (S3_UNSET_ENCRYPTION, S3_BUCKET_DEFAULTS). Code reads
 * its fields and never branches on its name.
 */
export function profile(): Profile {
  const settings = config();
  if (resolved?.settings !== settings) {
    const base = getProfile(settings.profile);
    const overrides: Partial<Profile> = {
      ...(settings.unsetEncryption === 'not-found' && {
        unsetAnswer: 'ServerSideEncryptionConfigurationNotFoundError',
      }),
      ...(settings.bucketDefaults === 'legacy' && { newBucketDefaults: Object.freeze({}) }),
    };
    resolved = {
      settings,
      profile: Object.keys(overrides).length > 0 ? Object.freeze({ ...base, ...overrides }) : base,
    };
  }
  return resolved.profile;
}

/** Tests that change the environment call this to read it again. */
export function resetConfig(): void {
  cached = undefined;
}
