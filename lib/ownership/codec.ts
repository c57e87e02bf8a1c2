// The ownership controls' codec: the attribute and its view (attribute.ts) with the XML (parse.ts
// in, serialize.ts out). PutBucketAcl and CreateBucket read the setting from the bucket record
// (`readConfiguration(ownershipControlsAttribute, record)`) to decide whether ACLs are disabled.
import type { AttributeCodec } from '../storage/buckets.ts';
import { ownershipControlsAttribute } from './attribute.ts';
import type { OwnershipControls } from './model.ts';
import { parseOwnershipControls } from './parse.ts';
import { serializeOwnershipControls } from './serialize.ts';

export const ownershipControlsCodec = {
  ...ownershipControlsAttribute,
  parse: parseOwnershipControls,
  serialize: serializeOwnershipControls,
} as const satisfies AttributeCodec<OwnershipControls> & Record<string, unknown>;
