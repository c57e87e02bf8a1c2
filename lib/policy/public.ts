// Whether a bucket policy is "public", as S3 Block Public Access defines it (Amazon S3 User Guide,
// "Blocking public access to your Amazon S3 storage" › "The meaning of public" › Bucket policies;
// Amazon S3 API Reference, PublicAccessBlockConfiguration). ONE function over the parsed policy: what
// BlockPublicPolicy refuses at PutBucketPolicy, what RestrictPublicBuckets takes the grants of, and
// what GetBucketPolicyStatus answers (docs/behaviour.md › Block Public Access, the rules with their
// sources). Pure: no AWS, no HTTP.
//
// S3 "begins by assuming that the policy is public" and clears it only when every Allow statement
// that grants a "bad action" (one that could expose the bucket's data: s3:Get*, s3:List*, s3:Put*,
// s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject — as patterns, so actions added later count)
// grants it only to fixed values — values without a wildcard or a policy variable — of:
//   - its principals: AWS accounts, users, roles, service principals, canonical users (not `*`, not a
//     federated identity provider: AWS's own example `"Federated": "graph.facebook.com"` is public);
//   - or a condition that limits the statement to them, on: the principal (aws:PrincipalOrgID, AWS's
//     example, and aws:PrincipalAccount, aws:PrincipalArn), aws:SourceIp (CIDRs no broader than /8 for
//     IPv4, /32 for IPv6), aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
//     aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid (`AROLEID:*` is
//     fixed: the role is), s3:DataAccessPointArn (a wildcard in the access point's name is fixed when
//     the account is), s3:DataAccessPointAccount.
// A condition limits only if it can hold for nothing but those values: a positive operator (String or
// ARN; IpAddress for aws:SourceIp), without `…IfExists` or `ForAllValues:` (both hold when the key is
// absent, so every request without it passes). Where a case is not written down, the answer leans to
// public: a wrongly public policy is refused by BlockPublicPolicy, a wrongly private one leaks.
import { asciiLower } from './ascii.ts';
import type { Condition } from './conditions.ts';
import { globOf, matchesSomeExtension, matchGlob } from './glob.ts';
import type { ActionSet, BucketPolicy, PolicyStatement } from './grammar.ts';
import { readAddressRange } from './operators/ip.ts';
import type { PrincipalSet } from './principals.ts';

/** The "bad actions" (API Reference, PublicAccessBlockConfiguration), lowercased: prefixes of `…*` and names. */
const BAD_ACTION_PREFIXES = ['s3:get', 's3:list', 's3:put', 's3:delete'] as const;
const BAD_ACTION_NAMES = ['s3:abortmultipartupload', 's3:restoreobject'] as const;

/** Some pattern (ASCII case-insensitive, wildcards) names an action of `prefix…`. */
const namesSomeOf = (pattern: string, prefix: string): boolean =>
  matchesSomeExtension(globOf(asciiLower(pattern), true), prefix);

/** The pattern names every action of `prefix…`: it ends with `*` and what comes before matches a head of the prefix. */
function namesAllOf(pattern: string, prefix: string): boolean {
  if (!pattern.endsWith('*')) return false;
  const head = globOf(asciiLower(pattern.replace(/\*+$/, '')), true);
  for (let length = 0; length <= prefix.length; length++) {
    if (matchGlob(head, prefix.slice(0, length), true)) return true;
  }
  return false;
}

/** Whether the Action / NotAction element covers some bad action (current or future). */
function grantsBadAction(actions: ActionSet): boolean {
  const { patterns } = actions;
  if (!actions.negated) {
    return patterns.some(
      (pattern) =>
        BAD_ACTION_PREFIXES.some((prefix) => namesSomeOf(pattern, prefix)) ||
        BAD_ACTION_NAMES.some((name) => matchGlob(globOf(pattern, true), name, true)),
    );
  }
  // NotAction covers what its patterns leave: a bad action is covered unless some pattern excludes it.
  return (
    BAD_ACTION_PREFIXES.some((prefix) => !patterns.some((pattern) => namesAllOf(pattern, prefix))) ||
    BAD_ACTION_NAMES.some((name) => !patterns.some((pattern) => matchGlob(globOf(pattern, true), name, true)))
  );
}

/** Principals that name fixed identities only: no `*`, no NotPrincipal, no federated identity provider. */
const fixedPrincipal = (principal: PrincipalSet): boolean =>
  !principal.negated && !principal.everyone && principal.federated.length === 0;

/** A value without a wildcard or a policy variable ("fixed values", the User Guide). */
const isFixed = (value: string): boolean => !/[*?]/.test(value) && !value.includes('${');

// aws:userid of a role's sessions: `<role id>:*` (the User Guide: "outside the pattern AROLEID:*").
const ROLE_SESSIONS = /^[A-Z0-9]+:\*$/;
// An access point of a fixed account: a wildcard in its name only (the User Guide, s3:DataAccessPointArn).
const ACCESS_POINT = /^arn:[a-z-]+:s3:[a-z0-9-]*:\d{12}:accesspoint\//;
/** The shortest prefix of a range that still limits, by address length in 16-bit words (IPv4 2, IPv6 8). */
const MIN_PREFIX_BITS: Readonly<Record<number, number>> = { 2: 8, 8: 32 };

/** The condition keys that limit a grant, and which of their values are fixed (keys ASCII-lowercased). */
const LIMITING_KEYS: ReadonlyMap<string, (value: string) => boolean> = new Map([
  ['aws:principalorgid', isFixed],
  ['aws:principalaccount', isFixed],
  ['aws:principalarn', isFixed],
  ['aws:sourcearn', isFixed],
  ['aws:sourcevpc', isFixed],
  ['aws:sourcevpce', isFixed],
  ['aws:sourceowner', isFixed],
  ['aws:sourceaccount', isFixed],
  ['s3:x-amz-server-side-encryption-aws-kms-key-id', isFixed],
  ['s3:dataaccesspointaccount', isFixed],
  ['aws:userid', (value: string) => isFixed(value) || ROLE_SESSIONS.test(value)],
  [
    's3:dataaccesspointarn',
    (value: string) => isFixed(value) || (ACCESS_POINT.test(value) && !value.includes('${')),
  ],
  [
    // "Very broad IP ranges … broader than /8 for IPv4 and /32 for IPv6" are public (the User Guide).
    'aws:sourceip',
    (value: string) => {
      const range = readAddressRange(value);
      return range !== undefined && range.bits >= (MIN_PREFIX_BITS[range.words.length] ?? 0);
    },
  ],
]);

/** The operators that hold only for the values they list (the key absent: they do not hold). */
const LIMITING_OPERATORS: ReadonlySet<string> = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);

/** Whether the condition holds only for fixed values of a limiting key (and never when the key is absent). */
function limitsToFixedValues(condition: Condition): boolean {
  const fixed = LIMITING_KEYS.get(condition.contextKey);
  if (!fixed || condition.ifExists || condition.qualifier === 'ForAllValues') return false;
  const operator = condition.baseOperator;
  const positive =
    condition.contextKey === 'aws:sourceip' ? operator === 'IpAddress' : LIMITING_OPERATORS.has(operator);
  return positive && condition.values.every(fixed);
}

/** Whether the statement grants a bad action to someone other than fixed identities. */
export function isPublicStatement(statement: PolicyStatement): boolean {
  return (
    statement.effect === 'Allow' &&
    !fixedPrincipal(statement.principal) &&
    grantsBadAction(statement.actions) &&
    !statement.conditions.some(limitsToFixedValues)
  );
}

/** Whether S3 Block Public Access counts the policy as public: some statement is. */
export const isPublicPolicy = (policy: BucketPolicy): boolean => policy.statements.some(isPublicStatement);
