// Bucket policies: parse (PutBucketPolicy) and evaluate (every bucket operation, lib/auth/authorize.ts),
// as AWS does for the subset this service serves. Pure: no AWS, no HTTP.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
//
// The language is a closed set (docs/accounts.md lists it): Version 2012-10-17 / 2008-10-17, Id,
// Statement (one or a list) with Sid, Effect, Principal ("*" or {"AWS": account id |
// arn:aws:iam::<account>:root | …:user/… | …:role/… | "*"}), Action (s3 actions, wildcards), Resource
// (arn:aws:s3:::<this bucket> and objects in it, wildcards), Condition with the operators and keys of
// CONDITION_OPERATORS / CONDITION_KEYS. Anything else — NotPrincipal, NotAction, NotResource, other
// keys or operators, an empty operator block, a duplicate JSON key — is refused with MalformedPolicy:
// never ignored, because an ignored Deny is a hole. Names are looked up as entries of Maps and Sets,
// never as properties of an object, so `constructor` or `__proto__` are unknown names like any other.
//
// Work is bounded (docs/security.md): ≤ 20 KB of policy, ≤ MAX_PATTERNS values per policy, each
// ≤ MAX_VALUE_LENGTH characters, wildcards matched by lib/auth/glob.ts in time bounded by the length
// of the value matched (never by the pattern's).
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { S3Error } from '../errors.ts';
import { compileGlob, type Matcher, type Meter } from './glob.ts';
import { parseStrictJson } from './strict-json.ts';

export type { Meter } from './glob.ts';

export const MAX_POLICY_BYTES = 20 * 1024;
/** Action, Resource and condition values: each at most this long (IAM's longest ARN). */
export const MAX_VALUE_LENGTH = 2048;
/** Action, Resource, principal and condition values in one policy, all statements together. */
export const MAX_PATTERNS = 512;

/**
 * The actions this service's operations are authorized as (docs/security.md "What is authorized, and how"), one row
 * each: whether AWS binds the owner to an explicit Deny of it, or exempts the owner (the bucket-policy
 * actions, so the owner cannot lock itself out; another account, even one the policy grants, is
 * answered 405 MethodNotAllowed: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html).
 * An operation row (functions/operations.ts) names one of these.
 */
const SERVED_ACTIONS = {
  's3:ListBucket': 'owner-deniable',
  's3:DeleteBucket': 'owner-deniable',
  's3:GetBucketLocation': 'owner-deniable',
  's3:GetEncryptionConfiguration': 'owner-deniable',
  's3:PutEncryptionConfiguration': 'owner-deniable',
  // Delete* of these two is authorized as their Put (the operations' API reference pages).
  's3:GetBucketPublicAccessBlock': 'owner-deniable',
  's3:PutBucketPublicAccessBlock': 'owner-deniable',
  's3:GetBucketOwnershipControls': 'owner-deniable',
  's3:PutBucketOwnershipControls': 'owner-deniable',
  's3:GetBucketAcl': 'owner-deniable',
  's3:PutBucketAcl': 'owner-deniable',
  's3:GetBucketPolicy': 'owner-exempt',
  's3:PutBucketPolicy': 'owner-exempt',
  's3:DeleteBucketPolicy': 'owner-exempt',
} as const satisfies Record<string, 'owner-deniable' | 'owner-exempt'>;

export type S3Action = keyof typeof SERVED_ACTIONS;

const servedActions = (kind: 'owner-deniable' | 'owner-exempt'): S3Action[] =>
  (Object.keys(SERVED_ACTIONS) as S3Action[]).filter((action) => SERVED_ACTIONS[action] === kind);

/** The bucket-policy actions: the owner is exempt from a Deny on them; only the owner's account may call them. */
export const POLICY_ACTIONS: ReadonlySet<S3Action> = new Set(servedActions('owner-exempt'));

/** The actions whose explicit Deny binds the owner too: every served action but the policy ones. */
export const OWNER_DENIABLE_ACTIONS: readonly S3Action[] = servedActions('owner-deniable');

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
].map((name) => `s3:${name}`);

type ConditionKey = 'aws:principalaccount' | 'aws:sourceip';

export interface EvaluationContext {
  action: S3Action;
  /** The caller's account id. */
  principalAccount: string;
  /** `arn:aws:s3:::<bucket>` */
  resource: string;
  sourceIp: string | undefined;
}

interface Condition {
  key: ConditionKey;
  test(context: EvaluationContext, meter?: Meter): boolean;
}

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  /** '*' = everyone; otherwise the account ids named. */
  principals: readonly string[] | '*';
  actions: readonly Matcher[];
  resources: readonly Matcher[];
  conditions: readonly Condition[];
}

export interface BucketPolicy {
  /** The document as stored and answered by GetBucketPolicy (decoded UTF-8, a leading BOM dropped). */
  text: string;
  statements: readonly PolicyStatement[];
}

export type PolicyVerdict = 'allow' | 'deny' | 'none';

const malformed = (message: string) => new S3Error('MalformedPolicy', { message });

type JsonObject = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field of a parsed JSON object, never one inherited from Object.prototype. */
const field = (object: JsonObject, name: string): unknown =>
  Object.hasOwn(object, name) ? object[name] : undefined;

function checkFields(object: JsonObject, allowed: ReadonlySet<string>): void {
  for (const name of Object.keys(object)) {
    if (!allowed.has(name)) throw malformed(`Policy has an unsupported field: ${name}`);
  }
}

/** Counts the values of a policy while it is parsed, against MAX_PATTERNS. */
class Budget {
  private used = 0;
  take(count: number): void {
    this.used += count;
    if (this.used > MAX_PATTERNS) throw malformed(`Policies may name at most ${MAX_PATTERNS} values`);
  }
}

function strings(value: unknown, what: string, budget: Budget): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!list || list.length === 0) throw malformed(`Policy has an invalid ${what}`);
  budget.take(list.length);
  return list.map((item: unknown) => {
    if (typeof item !== 'string' || item === '' || item.length > MAX_VALUE_LENGTH)
      throw malformed(`Policy has an invalid ${what}`);
    return item;
  });
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:aws:iam::(\d{12}):(root|user\/.+|role\/.+)$/;

function parsePrincipal(value: unknown, budget: Budget): readonly string[] | '*' {
  if (value === '*') return '*';
  if (value === undefined) throw malformed('Missing required field Principal');
  if (!isObject(value)) throw malformed('Invalid principal in policy');
  const names = Object.keys(value);
  if (names.length !== 1 || names[0] !== 'AWS') throw malformed('Invalid principal in policy');
  const accounts: string[] = [];
  for (const principal of strings(value.AWS, 'principal', budget)) {
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

function parseActions(value: unknown, budget: Budget): Matcher[] {
  return strings(value, 'action', budget).map((action) => {
    if (!action.toLowerCase().startsWith('s3:') && action !== '*')
      throw malformed('Policy has invalid action');
    const matcher = compileGlob(action, true);
    if (!S3_ACTIONS.some((known) => matcher(known))) throw malformed('Policy has invalid action');
    return matcher;
  });
}

function parseResources(value: unknown, bucket: string, budget: Budget): Matcher[] {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  return strings(value, 'resource', budget).map((resource) => {
    const matcher = compileGlob(resource, false);
    // AWS: "Policy has invalid resource" when a statement names another bucket.
    const thisBucket =
      resource.startsWith(`${bucketArn}/`) || matcher(bucketArn) || matcher(`${bucketArn}/x`);
    if (!resource.startsWith('arn:aws:s3:::') || !thisBucket) throw malformed('Policy has invalid resource');
    return matcher;
  });
}

function addressList(values: readonly string[]): BlockList {
  const list = new BlockList();
  for (const value of values) {
    const slash = value.indexOf('/');
    const address = slash < 0 ? value : value.slice(0, slash);
    const prefix = slash < 0 ? undefined : value.slice(slash + 1);
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    const bits = prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix);
    const validPrefix = prefix === undefined || /^\d{1,3}$/.test(prefix);
    if (!family || !validPrefix || bits > (family === 'ipv4' ? 32 : 128))
      throw malformed('Invalid IP address in policy condition');
    list.addSubnet(address, bits, family);
  }
  return list;
}

type Comparison = (actual: string | undefined, meter?: Meter) => boolean;

interface ConditionOperator {
  /** The kind of key the operator compares. */
  kind: 'string' | 'ip';
  compile(values: readonly string[]): Comparison;
}

const stringEquals = (values: readonly string[]): Comparison => {
  const set = new Set(values);
  return (actual, meter) => {
    if (meter) meter.steps++;
    return actual !== undefined && set.has(actual);
  };
};
const stringLike = (values: readonly string[]): Comparison => {
  const matchers = values.map((value) => compileGlob(value, false));
  return (actual, meter) => actual !== undefined && matchers.some((matcher) => matcher(actual, meter));
};
const inAddressList = (values: readonly string[]): Comparison => {
  const list = addressList(values);
  return (actual, meter) => {
    if (meter) meter.steps++;
    if (actual === undefined) return false;
    return isIPv4(actual) ? list.check(actual, 'ipv4') : isIPv6(actual) ? list.check(actual, 'ipv6') : false;
  };
};
const not =
  (comparison: Comparison): Comparison =>
  (actual, meter) =>
    !comparison(actual, meter);

// Operators and keys are entries of Maps: a name that is not an entry is MalformedPolicy.
// The Not… operators match when the key is absent, as AWS's do.
const CONDITION_OPERATORS: ReadonlyMap<string, ConditionOperator> = new Map<string, ConditionOperator>([
  ['StringEquals', { kind: 'string', compile: stringEquals }],
  ['StringNotEquals', { kind: 'string', compile: (values) => not(stringEquals(values)) }],
  ['StringLike', { kind: 'string', compile: stringLike }],
  ['StringNotLike', { kind: 'string', compile: (values) => not(stringLike(values)) }],
  ['IpAddress', { kind: 'ip', compile: inAddressList }],
  ['NotIpAddress', { kind: 'ip', compile: (values) => not(inAddressList(values)) }],
]);

// Condition key names are case-insensitive in IAM.
const CONDITION_KEYS: ReadonlyMap<string, { key: ConditionKey; kind: 'string' | 'ip' }> = new Map([
  ['aws:principalaccount', { key: 'aws:principalaccount', kind: 'string' }],
  ['aws:sourceip', { key: 'aws:sourceip', kind: 'ip' }],
] as const);

const contextValue = (key: ConditionKey, context: EvaluationContext): string | undefined =>
  key === 'aws:principalaccount' ? context.principalAccount : context.sourceIp;

function parseConditions(value: unknown, budget: Budget): Condition[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw malformed('Policy has an invalid condition');
  const conditions: Condition[] = [];
  for (const [operatorName, block] of Object.entries(value)) {
    const operator = CONDITION_OPERATORS.get(operatorName);
    if (!operator) throw malformed(`Policy has an invalid condition operator: ${operatorName}`);
    // `{"StringEquals": {}}` is ambiguous ("no condition" or "never"): refused, not read as either.
    if (!isObject(block) || Object.keys(block).length === 0)
      throw malformed('Policy has an invalid condition');
    for (const [keyName, rawValues] of Object.entries(block)) {
      const key = CONDITION_KEYS.get(keyName.toLowerCase());
      if (!key) throw malformed(`Policy has an invalid condition key: ${keyName}`);
      if (key.kind !== operator.kind)
        throw malformed(`Policy has an invalid condition operator: ${operatorName}`);
      const compare = operator.compile(strings(rawValues, 'condition value', budget));
      conditions.push({
        key: key.key,
        test: (context, meter) => compare(contextValue(key.key, context), meter),
      });
    }
  }
  return conditions;
}

const DOCUMENT_FIELDS: ReadonlySet<string> = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS: ReadonlySet<string> = new Set([
  'Sid',
  'Effect',
  'Principal',
  'Action',
  'Resource',
  'Condition',
]);

function parseStatement(value: unknown, bucket: string, budget: Budget): PolicyStatement {
  if (!isObject(value)) throw malformed('Policy has an invalid statement');
  checkFields(value, STATEMENT_FIELDS);
  const sid = field(value, 'Sid');
  const effect = field(value, 'Effect');
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Policy has an invalid Sid');
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed('Policy has an invalid effect');
  if (field(value, 'Action') === undefined) throw malformed('Missing required field Action');
  if (field(value, 'Resource') === undefined) throw malformed('Missing required field Resource');
  return {
    effect,
    principals: parsePrincipal(field(value, 'Principal'), budget),
    actions: parseActions(field(value, 'Action'), budget),
    resources: parseResources(field(value, 'Resource'), bucket, budget),
    conditions: parseConditions(field(value, 'Condition'), budget),
  };
}

const NOT_JSON = "Policies must be valid JSON and the first byte must be '{'";

// `fatal` makes invalid UTF-8 throw; a leading BOM is dropped (ignoreBOM: false).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates a policy document for `bucket` (a request body, or a stored policy's text);
 * throws MalformedPolicy. The one place the 20 KB limit is checked, before anything is decoded.
 */
export function parseBucketPolicy(body: Uint8Array | string, bucket: string): BucketPolicy {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (bytes > MAX_POLICY_BYTES) throw malformed('Policies must be less than 20 KB');
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    throw new S3Error('MalformedPolicy');
  }
  let document: unknown;
  try {
    document = parseStrictJson(text);
  } catch {
    throw malformed(NOT_JSON);
  }
  if (!isObject(document)) throw malformed(NOT_JSON);
  checkFields(document, DOCUMENT_FIELDS);
  const version = field(document, 'Version');
  const id = field(document, 'Id');
  const statement = field(document, 'Statement');
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw malformed('The policy must contain a valid version string');
  }
  if (id !== undefined && typeof id !== 'string') throw malformed('Policy has an invalid Id');
  if (statement === undefined) throw malformed('Missing required field Statement');
  const budget = new Budget();
  const list: unknown[] = Array.isArray(statement) ? statement : [statement];
  if (list.length === 0) throw malformed('Missing required field Statement');
  return { text, statements: list.map((item) => parseStatement(item, bucket, budget)) };
}

const principalMatches = (statement: PolicyStatement, account: string) =>
  statement.principals === '*' || statement.principals.includes(account);

function matches(statement: PolicyStatement, context: EvaluationContext, meter?: Meter): boolean {
  if (meter) meter.steps++;
  return (
    principalMatches(statement, context.principalAccount) &&
    statement.actions.some((action) => action(context.action, meter)) &&
    statement.resources.some((resource) => resource(context.resource, meter)) &&
    statement.conditions.every((condition) => condition.test(context, meter))
  );
}

/** AWS's evaluation: an explicit Deny wins, then any Allow, else no opinion. */
export function evaluateBucketPolicy(
  policy: BucketPolicy,
  context: EvaluationContext,
  meter?: Meter,
): PolicyVerdict {
  let verdict: PolicyVerdict = 'none';
  for (const statement of policy.statements) {
    if (!matches(statement, context, meter)) continue;
    if (statement.effect === 'Deny') return 'deny';
    verdict = 'allow';
  }
  return verdict;
}

/**
 * The actions of OWNER_DENIABLE_ACTIONS for which some Deny statement could match a request of the
 * bucket's owner: the principal, action and resource are known; an aws:PrincipalAccount condition is
 * decided for the owner's account; an aws:SourceIp condition could hold for some request. Stored with
 * the policy, so the owner's writes of every other action stay one conditional request.
 */
export function actionsDeniableToOwner(policy: BucketPolicy, ownerId: string, bucket: string): S3Action[] {
  const resource = `arn:aws:s3:::${bucket}`;
  return OWNER_DENIABLE_ACTIONS.filter((action) =>
    policy.statements.some(
      (statement) =>
        statement.effect === 'Deny' &&
        principalMatches(statement, ownerId) &&
        statement.actions.some((matcher) => matcher(action)) &&
        statement.resources.some((matcher) => matcher(resource)) &&
        statement.conditions.every(
          (condition) =>
            condition.key !== 'aws:principalaccount' ||
            condition.test({ action, principalAccount: ownerId, resource, sourceIp: undefined }),
        ),
    ),
  );
}
