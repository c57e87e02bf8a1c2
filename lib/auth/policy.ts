// Bucket policies: parse (PutBucketPolicy) and evaluate (the encryption operations), as AWS does
// for the subset this service serves. Pure: no AWS, no HTTP.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
//
// Supported: Version 2012-10-17 / 2008-10-17, Id, Statement (one or a list) with Sid, Effect,
// Principal ("*" or {"AWS": account id | arn:aws:iam::<account>:root | arn:aws:iam::<account>:user/… | "*"}),
// Action (s3 actions, wildcards), Resource (arn:aws:s3:::<this bucket> and objects in it, wildcards),
// Condition with aws:PrincipalAccount and aws:SourceIp. Anything else (NotPrincipal, NotAction,
// NotResource, other condition keys or operators, unknown actions) is refused with MalformedPolicy:
// never silently ignored, because an ignored Deny is a hole.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { S3Error } from '../errors.ts';

export const MAX_POLICY_BYTES = 20 * 1024;

export type PolicyAction =
  | 's3:GetEncryptionConfiguration'
  | 's3:PutEncryptionConfiguration'
  | 's3:GetBucketLocation'
  | 's3:ListBucket';

// The S3 actions a statement may name (AWS's service authorization reference). Naming one this
// service does not act on is valid, as in AWS; naming one that does not exist is MalformedPolicy.
const S3_ACTIONS = [
  'AbortMultipartUpload',
  'BypassGovernanceRetention',
  'CreateBucket',
  'DeleteBucket',
  'DeleteBucketPolicy',
  'DeleteBucketOwnershipControls',
  'DeleteBucketWebsite',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjectVersion',
  'DeleteObjectVersionTagging',
  'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration',
  'GetBucketAcl',
  'GetBucketCORS',
  'GetBucketLocation',
  'GetBucketLogging',
  'GetBucketNotification',
  'GetBucketObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketPublicAccessBlock',
  'GetBucketRequestPayment',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetBucketWebsite',
  'GetEncryptionConfiguration',
  'GetInventoryConfiguration',
  'GetLifecycleConfiguration',
  'GetMetricsConfiguration',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectLegalHold',
  'GetObjectRetention',
  'GetObjectTagging',
  'GetObjectVersion',
  'GetObjectVersionAcl',
  'GetObjectVersionTagging',
  'GetReplicationConfiguration',
  'ListAllMyBuckets',
  'ListBucket',
  'ListBucketMultipartUploads',
  'ListBucketVersions',
  'ListMultipartUploadParts',
  'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration',
  'PutBucketAcl',
  'PutBucketCORS',
  'PutBucketLogging',
  'PutBucketNotification',
  'PutBucketObjectLockConfiguration',
  'PutBucketOwnershipControls',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutBucketWebsite',
  'PutEncryptionConfiguration',
  'PutInventoryConfiguration',
  'PutLifecycleConfiguration',
  'PutMetricsConfiguration',
  'PutObject',
  'PutObjectAcl',
  'PutObjectLegalHold',
  'PutObjectRetention',
  'PutObjectTagging',
  'PutObjectVersionAcl',
  'PutObjectVersionTagging',
  'PutReplicationConfiguration',
  'ReplicateDelete',
  'ReplicateObject',
  'ReplicateTags',
  'RestoreObject',
].map((name) => `s3:${name}`.toLowerCase());

type Matcher = (value: string) => boolean;

interface Condition {
  key: 'aws:principalaccount' | 'aws:sourceip';
  test: (context: EvaluationContext) => boolean;
}

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  /** undefined principal list = everyone ("*"). */
  principals: readonly string[] | '*';
  actions: readonly Matcher[];
  resources: readonly Matcher[];
  conditions: readonly Condition[];
}

export interface BucketPolicy {
  statements: readonly PolicyStatement[];
  /** Whether any statement denies: only then can the policy refuse the bucket owner. */
  hasDeny: boolean;
}

export interface EvaluationContext {
  action: PolicyAction;
  /** The caller's account id. */
  principalAccount: string;
  /** `arn:aws:s3:::<bucket>` */
  resource: string;
  sourceIp: string | undefined;
}

export type PolicyVerdict = 'allow' | 'deny' | 'none';

const malformed = (message: string) => new S3Error('MalformedPolicy', { message });

const asList = (value: unknown, what: string): unknown[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0) return value;
  throw malformed(`Policy has an invalid ${what}`);
};

const strings = (value: unknown, what: string): string[] =>
  asList(value, what).map((item) => {
    if (typeof item !== 'string' || item === '') throw malformed(`Policy has an invalid ${what}`);
    return item;
  });

/** IAM wildcard match: `*` any run, `?` one character; case-insensitive when asked (actions). */
function wildcard(pattern: string, caseInsensitive: boolean): Matcher {
  if (!/[*?]/.test(pattern)) {
    const literal = caseInsensitive ? pattern.toLowerCase() : pattern;
    return caseInsensitive ? (value) => value.toLowerCase() === literal : (value) => value === literal;
  }
  const source = pattern
    .split('')
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  const regex = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
  return (value) => regex.test(value);
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:aws:iam::(\d{12}):(root|user\/.+|role\/.+)$/;

function parsePrincipal(value: unknown): readonly string[] | '*' {
  if (value === '*') return '*';
  if (value === undefined) throw malformed('Missing required field Principal');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed('Invalid principal in policy');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1 || entries[0]?.[0] !== 'AWS') throw malformed('Invalid principal in policy');
  const accounts: string[] = [];
  for (const principal of strings(entries[0][1], 'principal')) {
    if (principal === '*') return '*';
    if (ACCOUNT_ID.test(principal)) accounts.push(principal);
    else {
      // A user or role ARN grants its account here: this service knows accounts, not IAM users.
      const match = IAM_ARN.exec(principal);
      if (!match?.[1]) throw malformed('Invalid principal in policy');
      accounts.push(match[1]);
    }
  }
  return accounts;
}

function parseActions(value: unknown): Matcher[] {
  return strings(value, 'action').map((action) => {
    if (!action.toLowerCase().startsWith('s3:') && action !== '*')
      throw malformed('Policy has invalid action');
    const matcher = wildcard(action, true);
    if (!S3_ACTIONS.some(matcher)) throw malformed('Policy has invalid action');
    return matcher;
  });
}

function parseResources(value: unknown, bucket: string): Matcher[] {
  return strings(value, 'resource').map((resource) => {
    // AWS: "Policy has invalid resource" when a statement names another bucket.
    const bucketArn = `arn:aws:s3:::${bucket}`;
    const matcher = wildcard(resource, false);
    if (!resource.startsWith('arn:aws:s3:::') || !(matcher(bucketArn) || matcher(`${bucketArn}/x`))) {
      throw malformed('Policy has invalid resource');
    }
    return matcher;
  });
}

const STRING_OPERATORS: Record<string, (values: readonly string[], actual: string | undefined) => boolean> = {
  StringEquals: (values, actual) => actual !== undefined && values.includes(actual),
  StringNotEquals: (values, actual) => actual === undefined || !values.includes(actual),
  StringLike: (values, actual) =>
    actual !== undefined && values.some((value) => wildcard(value, false)(actual)),
  StringNotLike: (values, actual) =>
    actual === undefined || !values.some((value) => wildcard(value, false)(actual)),
};

function ipList(values: readonly string[]): BlockList {
  const list = new BlockList();
  for (const value of values) {
    const [address = '', prefix] = value.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    const bits = prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix);
    if (!family || !Number.isInteger(bits) || bits < 0 || bits > (family === 'ipv4' ? 32 : 128)) {
      throw malformed('Invalid IP address in policy condition');
    }
    list.addSubnet(address, bits, family);
  }
  return list;
}

function parseConditions(value: unknown): Condition[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed('Policy has an invalid condition');
  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null || Array.isArray(block))
      throw malformed('Policy has an invalid condition');
    for (const [rawKey, rawValues] of Object.entries(block as Record<string, unknown>)) {
      const key = rawKey.toLowerCase();
      const values = strings(rawValues, 'condition value');
      if (key === 'aws:principalaccount') {
        const compare = STRING_OPERATORS[operator];
        if (!compare) throw malformed(`Policy has an invalid condition operator: ${operator}`);
        conditions.push({ key, test: (context) => compare(values, context.principalAccount) });
      } else if (key === 'aws:sourceip') {
        if (operator !== 'IpAddress' && operator !== 'NotIpAddress') {
          throw malformed(`Policy has an invalid condition operator: ${operator}`);
        }
        const list = ipList(values);
        const inList = (ip: string | undefined) =>
          ip !== undefined &&
          (isIPv4(ip) ? list.check(ip, 'ipv4') : isIPv6(ip) ? list.check(ip, 'ipv6') : false);
        conditions.push({
          key,
          test:
            operator === 'IpAddress'
              ? (context) => inList(context.sourceIp)
              : (context) => !inList(context.sourceIp),
        });
      } else {
        throw malformed(`Policy has an invalid condition key: ${rawKey}`);
      }
    }
  }
  return conditions;
}

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Resource', 'Condition']);

function parseStatement(value: unknown, bucket: string): PolicyStatement {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed('Policy has an invalid statement');
  const statement = value as Record<string, unknown>;
  for (const field of Object.keys(statement)) {
    if (!STATEMENT_FIELDS.has(field)) throw malformed(`Policy has an unsupported field: ${field}`);
  }
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string')
    throw malformed('Policy has an invalid Sid');
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
    throw malformed('Policy has an invalid effect');
  if (statement.Action === undefined) throw malformed('Missing required field Action');
  if (statement.Resource === undefined) throw malformed('Missing required field Resource');
  return {
    effect: statement.Effect,
    principals: parsePrincipal(statement.Principal),
    actions: parseActions(statement.Action),
    resources: parseResources(statement.Resource, bucket),
    conditions: parseConditions(statement.Condition),
  };
}

/** Parses and validates a policy document for `bucket`; throws MalformedPolicy. */
export function parseBucketPolicy(text: string, bucket: string): BucketPolicy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    throw malformed('Policies must be less than 20 KB');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  const { Version: version, Id: id, Statement: statement, ...rest } = document as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw malformed(`Policy has an unsupported field: ${unknown}`);
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw malformed('The policy must contain a valid version string');
  }
  if (id !== undefined && typeof id !== 'string') throw malformed('Policy has an invalid Id');
  if (statement === undefined) throw malformed('Missing required field Statement');
  const statements = (Array.isArray(statement) ? statement : [statement]).map((item) =>
    parseStatement(item, bucket),
  );
  if (statements.length === 0) throw malformed('Missing required field Statement');
  return { statements, hasDeny: statements.some((item) => item.effect === 'Deny') };
}

function matches(statement: PolicyStatement, context: EvaluationContext): boolean {
  return (
    (statement.principals === '*' || statement.principals.includes(context.principalAccount)) &&
    statement.actions.some((action) => action(context.action)) &&
    statement.resources.some((resource) => resource(context.resource)) &&
    statement.conditions.every((condition) => condition.test(context))
  );
}

/** AWS's evaluation: an explicit Deny wins, then any Allow, else no opinion. */
export function evaluateBucketPolicy(policy: BucketPolicy, context: EvaluationContext): PolicyVerdict {
  let verdict: PolicyVerdict = 'none';
  for (const statement of policy.statements) {
    if (!matches(statement, context)) continue;
    if (statement.effect === 'Deny') return 'deny';
    verdict = 'allow';
  }
  return verdict;
}
