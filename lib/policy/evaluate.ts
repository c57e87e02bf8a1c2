// AWS's evaluation of a resource-based policy for one request (IAM User Guide, "Policy evaluation
// logic", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
// a statement applies when its principal, action and resource elements cover the request and every
// condition holds; an applying Deny wins, else an applying Allow, else the policy has no opinion.
// What the owner may do without an Allow, and the owner's exemption on the policy actions, are
// lib/auth/authorize.ts's (the one authorization path).
import type { PolicyRequest } from './context.ts';
import type { Meter } from './glob.ts';
import type { BucketPolicy, PolicyStatement } from './grammar.ts';
import { MAX_EVALUATION_STEPS } from './limits.ts';
import { coversAccountRoot } from './principals.ts';

export type PolicyVerdict = 'allow' | 'deny' | 'none';

/** Whether `statement` applies to `request`. */
export function statementApplies(statement: PolicyStatement, request: PolicyRequest, meter: Meter): boolean {
  meter.steps++;
  return (
    coversAccountRoot(statement.principal, request.principalAccount) &&
    statement.actions.covers(request.action, meter) &&
    statement.resources.covers(request.resource, request.context, meter) &&
    statement.conditions.every((condition) => condition.holds(request.context, meter))
  );
}

/**
 * An explicit Deny wins, then any Allow, else no opinion. Work is metered: past MAX_EVALUATION_STEPS
 * (only a hostile policy meeting a hostile request gets there) it throws PolicyWorkExceeded, which
 * authorization answers as a Deny.
 */
export function evaluateBucketPolicy(
  policy: BucketPolicy,
  request: PolicyRequest,
  meter: Meter = { steps: 0, limit: MAX_EVALUATION_STEPS },
): PolicyVerdict {
  let verdict: PolicyVerdict = 'none';
  for (const statement of policy.statements) {
    if (!statementApplies(statement, request, meter)) continue;
    if (statement.effect === 'Deny') return 'deny';
    verdict = 'allow';
  }
  return verdict;
}
