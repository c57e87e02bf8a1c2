// The PublicAccessBlock configuration's attribute on the bucket item (`publicAccessBlock`, a map of
// four booleans) and the view an auditor reads in the history: the half of its codec without the XML,
// which the history Lambda reads alone (docs/architecture.md "Adding a configuration subresource").
// An item without the attribute has no configuration: GetPublicAccessBlock answers 404 — buckets
// created before this subresource existed included, as AWS left its pre-2023 buckets (docs/behaviour.md).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeCodec } from '../storage/buckets.ts';
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
