// The encryption configuration subresource: model, vendor profiles, parse, serialize, and the codec
// that bridges the value to its attribute on the bucket item. No HTTP; no AWS calls (the codec
// speaks DynamoDB's attribute-value shape, as data).

export { encryptionCodec, type StoredEncryption } from './codec.ts';
export type { BlockedEncryptionType, EncryptionConfiguration, SseAlgorithm } from './model.ts';
export { type ParseOptions, parseEncryptionConfiguration } from './parse.ts';
export { getProfile, type Profile, S3_NAMESPACE } from './profiles.ts';
export { type SerializeOptions, serializeEncryptionConfiguration } from './serialize.ts';
