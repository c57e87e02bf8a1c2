// PutBucketPolicy's checks against S3's published actions and condition keys (s3-table.ts, generated
// from AWS's data), after the structure (grammar.ts) — each refusal with AWS's message:
//   - every Action / NotAction pattern names an S3 action ("Policy has invalid action");
//   - every action a pattern names that applies to a resource the statement can name — the bucket,
//     objects in it — or the statement "Action does not apply to any resource(s) in statement";
//   - every condition key is one of AWS's ("Policy has an invalid condition key") and some action of
//     each pattern supports it ("Conditions do not apply to combination of actions and resources in
//     statement"); AWS's global keys apply to every action, and so, as AWS answers, does any `aws:` key;
//   - an IP-address key's values are addresses whatever the operator ("Invalid IP address in Conditions").
// This module and the table it reads are loaded by PutBucketPolicy only (with the owner's Deny
// precomputation, owner-deniable.ts, and Block Public Access's public.ts, re-exported here for it), not by every request's
// authorization (docs/architecture.md › The policy package).
import { ActionNames } from './action-names.ts';
import { asciiLower } from './ascii.ts';
import { globOf } from './glob.ts';
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

export { actionsDeniableToOwner } from './owner-deniable.ts';
export { isPublicPolicy } from './public.ts';

/** S3's action names, lowercased and indexed for matching, when PutBucketPolicy first needs them. */
let actionNames: ActionNames | undefined;

// Sets of S3 actions as bitsets over S3_ACTION_LIST: a policy may hold hundreds of patterns and
// conditions, and every check below is then a few word operations per pattern and condition — never
// a walk of the action list per pair (a 500-pattern NotAction took 20 ms that way).
type ActionBits = Uint32Array;
const WORDS = Math.ceil(S3_ACTION_LIST.length / 32);

function bitsOf(actions: Iterable<S3ActionInfo>): ActionBits {
  const bits = new Uint32Array(WORDS);
  for (const action of actions)
    bits[action.index >> 5] = (bits[action.index >> 5] ?? 0) | (1 << (action.index & 31));
  return bits;
}

function isEmpty(bits: ActionBits): boolean {
  for (let word = 0; word < WORDS; word++) if (bits[word] !== 0) return false;
  return true;
}

function intersection(a: ActionBits, b: ActionBits): ActionBits {
  const bits = new Uint32Array(WORDS);
  for (let word = 0; word < WORDS; word++) bits[word] = (a[word] ?? 0) & (b[word] ?? 0);
  return bits;
}

const ALL_ACTIONS = bitsOf(S3_ACTION_LIST);

/** The actions acting on some resource of `kinds` (BUCKET | OBJECT), by kinds. */
const ON_KINDS: readonly ActionBits[] = [0, 1, 2, 3].map((kinds) =>
  bitsOf(S3_ACTION_LIST.filter((action) => (action.resources & kinds) !== 0)),
);

/** The actions supporting a (not global) condition key, by key index, built when first asked. */
const keySupport = new Map<number, ActionBits>();
function supporting(key: ConditionKeyInfo): ActionBits {
  let bits = keySupport.get(key.index);
  if (!bits) {
    bits = bitsOf(S3_ACTION_LIST.filter((action) => supportsKey(action, key)));
    keySupport.set(key.index, bits);
  }
  return bits;
}

/** The S3 actions an Action pattern names (`*` names them all); none for another service's. */
function actionsNamed(pattern: string): ActionBits {
  const folded = asciiLower(pattern);
  const bits = new Uint32Array(WORDS);
  if (folded !== '*' && !folded.startsWith('s3:')) return bits;
  actionNames ??= new ActionNames(S3_ACTION_LIST.map((action) => asciiLower(action.name)));
  actionNames.match(globOf(folded, true), bits);
  return bits;
}

/** An `aws:` key AWS does not list is still accepted by S3 (docs/accounts.md › Refusals). */
const UNLISTED_GLOBAL: ConditionKeyInfo = { name: 'aws:', index: -1, type: 'String', global: true };

function validateStatement(statement: PolicyStatement, named: (pattern: string) => ActionBits): void {
  const { actions, resources, conditions } = statement;
  // One entry per distinct pattern (`named` hands back the same bitset for the same folded pattern).
  const perPattern = new Set<ActionBits>();
  for (const pattern of actions.patterns) {
    const bits = named(pattern);
    if (isEmpty(bits)) throw malformed(MESSAGES.action);
    perPattern.add(bits);
  }
  // The groups each check runs over: one per Action pattern; for NotAction, every action it leaves.
  let groups: ActionBits[] = [...perPattern];
  if (actions.negated) {
    const left = new Uint32Array(WORDS).fill(0xffffffff);
    for (const bits of perPattern)
      for (let word = 0; word < WORDS; word++) left[word] = (left[word] ?? 0) & ~(bits[word] ?? 0);
    groups = [intersection(left, ALL_ACTIONS)];
  }
  const kinds = resources.negated
    ? BUCKET | OBJECT
    : (resources.namesBucket ? BUCKET : 0) | (resources.namesObjects ? OBJECT : 0);
  const onKinds = ON_KINDS[kinds] ?? new Uint32Array(WORDS);
  const applicable = groups
    .filter((group) => !isEmpty(group))
    .map((group) => {
      const onResources = intersection(group, onKinds);
      if (isEmpty(onResources)) throw malformed(MESSAGES.actionResource);
      return onResources;
    });
  for (const condition of conditions) {
    const folded = asciiLower(condition.key);
    const key =
      findConditionKey(condition.key) ??
      (folded.length > 4 && folded.startsWith('aws:') ? UNLISTED_GLOBAL : undefined);
    if (!key) throw malformed(MESSAGES.conditionKey);
    if (!key.global) {
      const support = supporting(key);
      if (!applicable.every((group) => !isEmpty(intersection(group, support)))) {
        throw malformed(MESSAGES.conditionActions);
      }
    }
    if (
      key.type === 'IPAddress' &&
      condition.baseOperator !== 'Null' &&
      // The IP operators read their values when compiled (grammar.ts), refusing what is no address.
      !condition.baseOperator.endsWith('IpAddress') &&
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
  const cache = new Map<string, ActionBits>();
  const named = (pattern: string) => {
    const key = asciiLower(pattern);
    let list = cache.get(key);
    if (!list) {
      list = actionsNamed(pattern);
      cache.set(key, list);
    }
    return list;
  };
  // Matched in sorted order, patterns sharing a prefix (`s3:Get*`, `s3:GetObject*`) share the work
  // of matching it (action-names.ts); the checks below then run in the policy's order.
  const folded = policy.statements.flatMap((statement) => statement.actions.patterns.map(asciiLower));
  for (const pattern of folded.sort()) named(pattern);
  for (const statement of policy.statements) validateStatement(statement, named);
  return policy;
}
