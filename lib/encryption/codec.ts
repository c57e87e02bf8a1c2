// The encryption configuration's codec: the bridge between the typed value (model.ts) and the
// `encryption` attribute of the bucket item with the view an auditor reads (attribute.ts), and its
// XML (parse.ts in, serialize.ts out). Storage takes the attribute as data (lib/storage/buckets.ts
// `updateBucket`) and knows nothing of this schema.
import type { AttributeCodec } from '../storage/buckets.ts';
import { encryptionAttribute, type StoredEncryption } from './attribute.ts';
import { parseEncryptionConfiguration } from './parse.ts';
import { serializeEncryptionConfiguration } from './serialize.ts';

export type { StoredEncryption } from './attribute.ts';

export const encryptionCodec = {
  ...encryptionAttribute,
  parse: parseEncryptionConfiguration,
  serialize: serializeEncryptionConfiguration,
} as const satisfies AttributeCodec<StoredEncryption> & Record<string, unknown>;
