// The ownership controls' attribute on the bucket item (`ownershipControls`, a map holding
// `objectOwnership`) and the view an auditor reads in the history: the half of the codec without the
// XML (docs/architecture.md "Adding a configuration subresource"). No attribute = no ownership
// controls: GetBucketOwnershipControls answers 404, as for a bucket AWS created before 2023.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeCodec } from '../storage/buckets.ts';
import { isObjectOwnership, type OwnershipControls } from './model.ts';

const toAttribute = (controls: OwnershipControls): AttributeValue => ({
  M: { objectOwnership: { S: controls.objectOwnership } },
});

function fromAttribute(value: AttributeValue | undefined): OwnershipControls | undefined {
  const stored = value?.M?.objectOwnership?.S;
  return stored !== undefined && isObjectOwnership(stored) ? { objectOwnership: stored } : undefined;
}

/** `{ObjectOwnership}` as S3 names it (docs/history.md); null = no ownership controls. */
const view = (controls: OwnershipControls | undefined) =>
  controls ? { ObjectOwnership: controls.objectOwnership } : null;

export const ownershipControlsAttribute = {
  attribute: 'ownershipControls',
  toAttribute,
  fromAttribute,
  view,
} as const satisfies AttributeCodec<OwnershipControls> & Record<string, unknown>;
