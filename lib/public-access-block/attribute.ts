// The PublicAccessBlock configuration's attribute on the bucket item (`publicAccessBlock`, a map of
// four booleans) and the view an auditor reads in the history: the half of its codec without the XML,
// which the history Lambda reads alone (docs/architecture.md "Adding a configuration subresource").
// An item without the attribute has no configuration: GetPublicAccessBlock answers 404 — buckets
// created before this subresource existed included, as AWS left its pre-2023 buckets (docs/behaviour.md).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeCodec, BucketFlag, BucketRecord } from '../storage/buckets.ts';
import { FLAGS, type PublicAccessBlockConfiguration } from './model.ts';

function toAttribute(configuration: PublicAccessBlockConfiguration): AttributeValue {
  const map: Record<string, AttributeValue> = {};
  for (const [, field] of FLAGS) map[field] = { BOOL: configuration[field] };
  return { M: map };
}

function fromAttribute(value: AttributeValue | undefined): PublicAccessBlockConfiguration | undefined {
  const map = value?.M;
  if (!map) return undefined;
  return {
    blockPublicAcls: map.blockPublicAcls?.BOOL ?? false,
    ignorePublicAcls: map.ignorePublicAcls?.BOOL ?? false,
    blockPublicPolicy: map.blockPublicPolicy?.BOOL ?? false,
    restrictPublicBuckets: map.restrictPublicBuckets?.BOOL ?? false,
  };
}

/** The four flags in S3's element names (docs/history.md); null = no configuration. */
function view(configuration: PublicAccessBlockConfiguration | undefined) {
  if (!configuration) return null;
  return Object.fromEntries(FLAGS.map(([element, field]) => [element, configuration[field]]));
}

export const publicAccessBlockAttribute = {
  attribute: 'publicAccessBlock',
  toAttribute,
  fromAttribute,
  view,
} as const satisfies AttributeCodec<PublicAccessBlockConfiguration> & Record<string, unknown>;

/** BlockPublicAcls: PutBucketAcl of a public ACL is refused (docs/behaviour.md › Block Public Access). */
export const BLOCK_PUBLIC_ACLS: BucketFlag = Object.freeze({
  attribute: publicAccessBlockAttribute.attribute,
  field: 'blockPublicAcls' satisfies keyof PublicAccessBlockConfiguration,
});

/**
 * The two flags that act on bucket policies, as storage names them in a conditional write
 * (docs/behaviour.md › Block Public Access): BlockPublicPolicy conditions PutBucketPolicy of a public
 * policy; RestrictPublicBuckets conditions a write another account was granted by the policy.
 */
export const BLOCK_PUBLIC_POLICY: BucketFlag = Object.freeze({
  attribute: publicAccessBlockAttribute.attribute,
  field: 'blockPublicPolicy' satisfies keyof PublicAccessBlockConfiguration,
});
export const RESTRICT_PUBLIC_BUCKETS: BucketFlag = Object.freeze({
  attribute: publicAccessBlockAttribute.attribute,
  field: 'restrictPublicBuckets' satisfies keyof PublicAccessBlockConfiguration,
});

/** Whether the bucket, as read, has the flag on (no configuration: off, as for a pre-2023 AWS bucket). */
export const flagOn = (record: Pick<BucketRecord, 'item'>, flag: BucketFlag): boolean =>
  record.item[flag.attribute]?.M?.[flag.field]?.BOOL === true;
