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
  /**
   * How many invocations this execution environment serves at once: 1 in Lambda's standard model;
   * Lambda Managed Instances set AWS_LAMBDA_MAX_CONCURRENCY (AWS: "Node.js runtime for Lambda Managed
   * Instances"), and so does the local gateway, which runs concurrent requests in one process.
   */
  maxConcurrency: number;
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
  /** X-Ray tracing through Powertools Tracer (loaded only when on; docs/operations.md). */
  tracing: boolean;
  /** Whether CloudWatch metrics (EMF lines) are written (docs/operations.md). */
  metrics: boolean;
  /** The metrics' `service` dimension: the stack's name, so that stages keep apart. */
  metricsService: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A setting's rule: what is allowed, in words, and the value read from a (non-empty) text, or
 * undefined when the text is not allowed. The same rules check the Lambdas' environment here and
 * the deploy params (lib/deploy-params.ts, checked when `serverless package`/`deploy` starts), so a
 * value `npm start` refuses is refused by a deploy too, in the same words.
 */
export interface Rule<T> {
  allowed: string;
  read(text: string): T | undefined;
}

export const oneOf = <T extends string>(
  values: readonly T[],
  options: { ignoreCase?: boolean } = {},
): Rule<T> => ({
  allowed: `one of ${values.join(', ')}`,
  read: (text) =>
    values.find((value) =>
      options.ignoreCase ? value.toLowerCase() === text.toLowerCase() : value === text,
    ),
});

export const positiveInteger: Rule<number> = {
  allowed: 'a positive integer',
  read: (text) => (/^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined),
};

export const positiveNumber: Rule<number> = {
  allowed: 'a positive number',
  read: (text) => (/^\d+(\.\d+)?$/.test(text) && Number(text) > 0 ? Number(text) : undefined),
};

/** `true` or `false`, exactly: a `False` that silently meant "no" is the mistake this refuses. */
export const booleanText: Rule<boolean> = {
  allowed: 'true or false',
  read: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
};

export const url: Rule<string> = {
  allowed: 'an http:// or https:// URL such as http://localhost:8000',
  read: (text) => (/^https?:$/.test(URL.parse(text)?.protocol ?? '') ? text : undefined),
};

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'i');

/** A DNS name (`localhost` locally, `s3.example.com` deployed), read in lower case. */
export const domainName: Rule<string> = {
  allowed: 'a domain name (letters, digits and hyphens, labels separated by dots)',
  read: (text) => (text.length <= 253 && DOMAIN.test(text) ? text.toLowerCase() : undefined),
};

/** Text matching a pattern, described in words. */
export const matching = (pattern: RegExp, allowed: string): Rule<string> => ({
  allowed,
  read: (text) => (pattern.test(text) ? text : undefined),
});

/** Powertools Logger's levels (any case): the logger would silently fall back on anything else. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export const logLevel = oneOf(LOG_LEVELS, { ignoreCase: true });

/** The rule's value for `text`, or ConfigError naming the setting (as `name`) and what is allowed. */
export function checked<T>(name: string, rule: Rule<T>, text: string): T {
  const value = rule.read(text);
  if (value === undefined) throw new ConfigError(`${name} must be ${rule.allowed} (got "${text}")`);
  return value;
}

const setting = <T>(env: Env, name: string, rule: Rule<T>, fallback: T): T => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  return checked(name, rule, value);
};

const optional = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

export function readConfig(env: Env): Config {
  const tableName = optional(env, 'TABLE_NAME');
  if (!tableName) throw new ConfigError('TABLE_NAME must be set to the DynamoDB table name');
  const dynamodbEndpoint = optional(env, 'DYNAMODB_ENDPOINT');
  // `localhost:8000` parses as a URL of scheme `localhost:`; the SDK then fails with "UnknownError".
  if (dynamodbEndpoint) checked('DYNAMODB_ENDPOINT', url, dynamodbEndpoint);
  const baseDomain = optional(env, 'S3_BASE_DOMAIN');
  return {
    tableName,
    dynamodbEndpoint,
    region: optional(env, 'S3_REGION') ?? optional(env, 'AWS_REGION') ?? 'us-east-1',
    profile: setting(env, 'S3_PROFILE', oneOf(PROFILE_NAMES), 'aws'),
    unsetEncryption: setting(env, 'S3_UNSET_ENCRYPTION', oneOf(UNSET_ENCRYPTION_MODES), 'default'),
    bucketDefaults: setting(env, 'S3_BUCKET_DEFAULTS', oneOf(BUCKET_DEFAULTS_MODES), 'secure'),
    baseDomain: baseDomain ? checked('S3_BASE_DOMAIN', domainName, baseDomain) : undefined,
    obsDomain: setting(env, 'S3_OBS_DOMAIN', domainName, 'myhuaweicloud.com'),
    credentialCacheTtlMs: setting(env, 'CREDENTIAL_CACHE_TTL_SECONDS', positiveInteger, 60) * 1000,
    dynamodbRequestTimeoutMs: setting(env, 'DYNAMODB_REQUEST_TIMEOUT_MS', positiveInteger, 1000),
    dynamodbMaxAttempts: setting(env, 'DYNAMODB_MAX_ATTEMPTS', positiveInteger, 3),
    maxConcurrency: setting(env, 'AWS_LAMBDA_MAX_CONCURRENCY', positiveInteger, 1),
    logLevel: setting(env, 'LOG_LEVEL', logLevel, 'INFO'),
    // Against DynamoDB Local the default is the local key; in AWS, KMS.
    secretsMode: setting(
      env,
      'SECRETS_MODE',
      oneOf(['kms', 'local'] as const),
      dynamodbEndpoint ? 'local' : 'kms',
    ),
    secretsKmsKeyId: optional(env, 'SECRETS_KMS_KEY_ID'),
    localSecretsKey: optional(env, 'LOCAL_SECRETS_KEY'),
    historyRetentionDays: setting(env, 'HISTORY_RETENTION_DAYS', positiveInteger, 400),
    eventBusName: optional(env, 'EVENT_BUS_NAME'),
    tracing: setting(env, 'TRACING', booleanText, false),
    // EMF lines are for CloudWatch: against DynamoDB Local (npm start, the in-process tests) they would
    // only crowd the access log. METRICS=true/false overrides.
    metrics: setting(env, 'METRICS', booleanText, dynamodbEndpoint === undefined),
    metricsService: optional(env, 'METRICS_SERVICE') ?? 'bucket-encryption-api',
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
