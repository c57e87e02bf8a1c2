// PutBucketPolicy's checks against S3's published actions and condition keys (s3-table.ts, generated
// from AWS's data), after the structure (grammar.ts) — each refusal with AWS's message:
//   - every Action / NotAction pattern names an S3 action ("Policy has invalid action");
//   - every action a pattern names that applies to a resource the statement can name — the bucket,
//     objects in it — or the statement "Action does not apply to any resource(s) in statement";
//   - every condition key is one of AWS's ("Policy has an invalid condition key") and some action of
//     each pattern supports it ("Conditions do not apply to combination of actions and resources in
//     statement"); AWS's global keys apply to every action, and so, as AWS answers, does any `aws:` key;
//   - an IP-address key's values are addresses whatever the operator ("Invalid IP address in Conditions").
// This module and the table it reads are loaded by PutBucketPolicy only, not by every request's
// authorization (docs/architecture.md › The policy package).
import { asciiLower } from './ascii.ts';
import { globOf, matchGlob } from './glob.ts';
import { type BucketPolicy, type PolicyStatement, parsePolicyText, policyText } from './grammar.ts';
import { MESSAGES, malformed } from './messages.ts';
import { readAddressRange } from './operators/ip.ts';
import {
  BUCKET,
  type ConditionKeyInfo,
  findConditionKey,
  OBJECT,
  S3_ACTION_LIST,
  type S3ActionInfo,
  supportsKey,
} from './s3-table.ts';

const LOWER_NAMES = S3_ACTION_LIST.map((action) => asciiLower(action.name));

/** The S3 actions an Action pattern names (`*` names them all); none for another service's. */
function actionsNamed(pattern: string): S3ActionInfo[] {
  const folded = asciiLower(pattern);
  if (folded !== '*' && !folded.startsWith('s3:')) return [];
  const glob = globOf(folded, true);
  return S3_ACTION_LIST.filter((_action, index) => matchGlob(glob, LOWER_NAMES[index] ?? '', true));
}

/** An `aws:` key AWS does not list is still accepted by S3 (docs/accounts.md › Refusals). */
const UNLISTED_GLOBAL: ConditionKeyInfo = { name: 'aws:', index: -1, type: 'String', global: true };

function validateStatement(statement: PolicyStatement, named: (pattern: string) => S3ActionInfo[]): void {
  const { actions, resources, conditions } = statement;
  const perPattern = actions.patterns.map((pattern) => {
    const list = named(pattern);
    if (list.length === 0) throw malformed(MESSAGES.action);
    return list;
  });
  // The groups each check runs over: one per Action pattern; for NotAction, every action it leaves.
  const groups = actions.negated
    ? [S3_ACTION_LIST.filter((action) => !perPattern.some((list) => list.includes(action)))]
    : perPattern;
  const kinds = resources.negated
    ? BUCKET | OBJECT
    : (resources.namesBucket ? BUCKET : 0) | (resources.namesObjects ? OBJECT : 0);
  const applicable = groups
    .filter((group) => group.length > 0)
    .map((group) => {
      const onResources = group.filter((action) => (action.resources & kinds) !== 0);
      if (onResources.length === 0) throw malformed(MESSAGES.actionResource);
      return onResources;
    });
  for (const condition of conditions) {
    const folded = asciiLower(condition.key);
    const key =
      findConditionKey(condition.key) ??
      (folded.length > 4 && folded.startsWith('aws:') ? UNLISTED_GLOBAL : undefined);
    if (!key) throw malformed(MESSAGES.conditionKey);
    if (!applicable.every((group) => group.some((action) => supportsKey(action, key)))) {
      throw malformed(MESSAGES.conditionActions);
    }
    if (
      key.type === 'IPAddress' &&
      condition.baseOperator !== 'Null' &&
      !condition.values.every((value) => readAddressRange(value))
    ) {
      throw malformed(MESSAGES.ipAddress);
    }
  }
}

/**
 * Parses and validates a policy document for `bucket` (PutBucketPolicy's body); throws MalformedPolicy
 * with AWS's message. The one place the 20 KB limit is checked, before anything is decoded.
 */
export function parseBucketPolicy(body: Uint8Array | string, bucket: string): BucketPolicy {
  const policy = parsePolicyText(policyText(body), bucket);
  // Hostile policies repeat patterns: each is matched against S3's actions once.
  const cache = new Map<string, S3ActionInfo[]>();
  const named = (pattern: string) => {
    const key = asciiLower(pattern);
    let list = cache.get(key);
    if (!list) {
      list = actionsNamed(pattern);
      cache.set(key, list);
    }
    return list;
  };
  for (const statement of policy.statements) validateStatement(statement, named);
  return policy;
}
