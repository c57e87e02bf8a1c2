// The S3 actions this service's operations are authorized as (docs/security.md "What is authorized,
// and how"), one row each: whether AWS binds the owner to an explicit Deny of it, or exempts the owner
// (the bucket-policy actions, so the owner cannot lock itself out; another account, even one the policy
// grants, is answered 405 MethodNotAllowed:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html).
// An operation row (functions/operations.ts) names one of these; a new subresource adds its rows here
// (docs/architecture.md "Adding a configuration subresource"). Every name must be one of S3's actions
// (test/unit/s3-table.test.ts checks them against the generated table).
import { CONTEXT_KEY_TABLE } from './context.ts';

export const SERVED_ACTIONS = {
  's3:ListBucket': 'owner-deniable',
  's3:ListBucketVersions': 'owner-deniable',
  's3:DeleteBucket': 'owner-deniable',
  's3:GetBucketLocation': 'owner-deniable',
  's3:GetEncryptionConfiguration': 'owner-deniable',
  's3:PutEncryptionConfiguration': 'owner-deniable',
  // Delete* of these two is authorized as their Put (the operations' API reference pages).
  's3:GetBucketPublicAccessBlock': 'owner-deniable',
  's3:PutBucketPublicAccessBlock': 'owner-deniable',
  's3:GetBucketOwnershipControls': 'owner-deniable',
  's3:PutBucketOwnershipControls': 'owner-deniable',
  // Not a bucket-policy action in AWS's sense: the owner is bound by a Deny of it.
  's3:GetBucketPolicyStatus': 'owner-deniable',
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

/**
 * Names what a policy's `ownerDenyActions` was computed over (an FNV-1a hash): the list
 * OWNER_DENIABLE_ACTIONS, and the request context's key table (lib/policy/context.ts: which keys each
 * action's requests carry), stored with the policy. The owner's one-request write holds only while the
 * stored scope is the current one: a policy put before an action was added to this service, or before
 * an action's requests carried a key its Deny names, has no say in its `ownerDenyActions` yet, so such
 * writes are evaluated against the policy instead (lib/auth/authorize.ts).
 */
export function ownerDenyScope(actions: readonly string[], keyTable: string): string {
  let hash = 0x811c9dc5;
  for (const character of `${actions.join(',')}|${keyTable}`) {
    hash ^= character.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `v2-${hash.toString(16).padStart(8, '0')}`;
}

export const OWNER_DENY_SCOPE: string = ownerDenyScope(OWNER_DENIABLE_ACTIONS, CONTEXT_KEY_TABLE);
