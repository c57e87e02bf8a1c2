// Which actions some Deny of a policy could apply to for a request of the bucket's owner — computed
// when the policy is put and stored with it, so that the owner's writes of every other action stay one
// conditional request (lib/auth/authorize.ts). It must never miss one: a Deny it missed would be
// bypassed by the owner's one-request write. So it is conservative: what the owner's account fixes
// (its principal, the bucket's owner: context.ts marks those keys) is decided exactly, and so is every
// key the action's requests never carry (absent); anything a request could vary — its address, time,
// user agent, query, a policy variable of a varying key — is assumed to make the Deny apply.
// test/unit/policy-properties.test.ts checks, over generated policies and requests, that every Deny the
// evaluator applies to the owner is in the list.
import { bucketArn } from '../bucket-name.ts';
import { ownerContext } from './context.ts';
import type { Meter } from './glob.ts';
import type { BucketPolicy, PolicyStatement } from './grammar.ts';
import { coversAccountRoot } from './principals.ts';
import { OWNER_DENIABLE_ACTIONS, type S3Action } from './served-actions.ts';
import { parseTemplate } from './variables.ts';

function couldApplyToOwner(
  statement: PolicyStatement,
  owner: string,
  action: S3Action,
  resource: string,
): boolean {
  if (statement.effect !== 'Deny') return false;
  if (!coversAccountRoot(statement.principal, owner) || !statement.actions.covers(action)) return false;
  const { known, possible } = ownerContext(owner, action);
  const meter: Meter = { steps: 0 };
  // The resource: decided with the owner's fixed keys when its variables are all fixed; else assumed.
  const fixed = (name: string) => known.has(name) || !possible.has(name);
  const resourceVariables = statement.resources.patterns.flatMap(
    (pattern) => parseTemplate(pattern)?.keys ?? [],
  );
  if (resourceVariables.every(fixed) && !statement.resources.covers(resource, known, meter)) return false;
  for (const condition of statement.conditions) {
    // Only a condition on a fixed key whose values read no varying variable can be decided now.
    const variables = condition.values.flatMap((value) => parseTemplate(value)?.keys ?? []);
    if (fixed(condition.contextKey) && variables.every(fixed) && !condition.holds(known, meter)) return false;
  }
  return true;
}

/**
 * The actions of OWNER_DENIABLE_ACTIONS for which some Deny statement could apply to a request of the
 * bucket's owner on the bucket. Stored with the policy (lib/storage/buckets.ts `ownerDenyActions`).
 */
export function actionsDeniableToOwner(policy: BucketPolicy, ownerId: string, bucket: string): S3Action[] {
  const resource = bucketArn(bucket);
  return OWNER_DENIABLE_ACTIONS.filter((action) =>
    policy.statements.some((statement) => couldApplyToOwner(statement, ownerId, action, resource)),
  );
}
