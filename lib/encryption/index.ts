// The encryption configuration package: model, vendor profiles, parse and serialize. No HTTP, no AWS.

export type { BlockedEncryptionType, EncryptionConfiguration, SseAlgorithm } from './model.ts';
export { type ParseOptions, parseEncryptionConfiguration } from './parse.ts';
export { getProfile, type Profile, S3_NAMESPACE } from './profiles.ts';
export { type SerializeOptions, serializeEncryptionConfiguration } from './serialize.ts';
