// The bucket-policy package (docs/architecture.md › The policy package): AWS's policy language for
// bucket policies — grammar (grammar.ts), S3's actions and condition keys from AWS's data
// (s3-table.generated.ts, read by s3-table.ts), the request context (context.ts), the operators (one
// table, operators.ts; one file per family in operators/), policy variables (variables.ts), the
// evaluation (evaluate.ts), the owner's Deny precomputation (owner-deniable.ts) and whether a policy
// is public as S3 Block Public Access defines it (public.ts). Pure: no HTTP, no
// storage, no AWS SDK. This module is what the rest of the service imports from it (the validating
// parser, validate.ts, is imported on its own by PutBucketPolicy so that the table stays out of the
// path every request takes).
export type { Condition, Qualifier } from './conditions.ts';
export {
  ACL_CONDITION_HEADERS,
  CONTEXT_KEY_NAMES,
  LISTING_ACTIONS,
  type PolicyRequest,
  type RequestContext,
  type RequestFacts,
  requestContext,
} from './context.ts';
export { evaluateBucketPolicy, type PolicyVerdict, statementApplies } from './evaluate.ts';
export type { Meter } from './glob.ts';
export { PolicyWorkExceeded } from './glob.ts';
export {
  type ActionSet,
  type BucketPolicy,
  type PolicyStatement,
  parseStoredPolicy,
  type ResourceSet,
} from './grammar.ts';
export { MAX_EVALUATION_STEPS, MAX_PATTERNS, MAX_POLICY_BYTES, MAX_VALUE_LENGTH } from './limits.ts';
export { actionsDeniableToOwner } from './owner-deniable.ts';
export type { PrincipalSet } from './principals.ts';
export { isPublicPolicy } from './public.ts';
export {
  OWNER_DENIABLE_ACTIONS,
  POLICY_ACTIONS,
  type S3Action,
  SERVED_ACTIONS,
} from './served-actions.ts';
