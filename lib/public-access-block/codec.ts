// The PublicAccessBlock configuration's codec: the attribute and its view (attribute.ts) with the XML
// (parse.ts in, serialize.ts out). Later effects of the flags (BlockPublicPolicy on PutBucketPolicy,
// RestrictPublicBuckets in authorization) read them from the bucket record authorization already has,
// through `readConfiguration(publicAccessBlockAttribute, record)`: no extra request.
import type { AttributeCodec } from '../storage/buckets.ts';
import { publicAccessBlockAttribute } from './attribute.ts';
import type { PublicAccessBlockConfiguration } from './model.ts';
import { parsePublicAccessBlock } from './parse.ts';
import { serializePublicAccessBlock } from './serialize.ts';

export const publicAccessBlockCodec = {
  ...publicAccessBlockAttribute,
  parse: parsePublicAccessBlock,
  serialize: serializePublicAccessBlock,
} as const satisfies AttributeCodec<PublicAccessBlockConfiguration> & Record<string, unknown>;
