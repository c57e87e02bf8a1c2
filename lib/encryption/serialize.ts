// EncryptionConfiguration → GetBucketEncryption's body
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html).
// Pure twin of parse.ts: canonical element order (ApplyServerSideEncryptionByDefault,
// BucketKeyEnabled, BlockedEncryptionTypes), BucketKeyEnabled always present, the profile's namespace.
// A profile whose schema lacks BucketKeyEnabled / BlockedEncryptionTypes (obs: Huawei's documented
// GetBucketEncryption has only SSEAlgorithm, KMSMasterKeyID and ProjectID) never answers them.

import { escapeXml } from '../xml/write.ts';
import type { EncryptionConfiguration } from './model.ts';
import type { Profile } from './profiles.ts';

// A five-line escape rather than fast-xml-parser's XMLBuilder: the document is fixed, so building
// it is string concatenation, and a builder would need a JS tree per call and options that decide
// whether it escapes at all.

export interface SerializeOptions {
  region: string;
  obsDomain: string;
}

export function serializeEncryptionConfiguration(
  config: EncryptionConfiguration,
  profile: Profile,
  options: SerializeOptions,
): string {
  let byDefault = `<SSEAlgorithm>${escapeXml(config.sseAlgorithm)}</SSEAlgorithm>`;
  if (config.kmsMasterKeyId !== undefined) {
    byDefault += `<KMSMasterKeyID>${escapeXml(config.kmsMasterKeyId)}</KMSMasterKeyID>`;
  }
  // Only profiles whose schema has ProjectID (OBS) ever answer with it.
  if (config.projectId !== undefined && profile.allowsProjectId) {
    byDefault += `<ProjectID>${escapeXml(config.projectId)}</ProjectID>`;
  }
  let rule = `<ApplyServerSideEncryptionByDefault>${byDefault}</ApplyServerSideEncryptionByDefault>`;
  if (profile.bucketKeys) {
    rule += `<BucketKeyEnabled>${config.bucketKeyEnabled ? 'true' : 'false'}</BucketKeyEnabled>`;
  }
  const blocked = config.blockedEncryptionTypes;
  if (profile.blockedEncryptionTypes && blocked !== undefined && blocked.length > 0) {
    rule += '<BlockedEncryptionTypes>';
    for (const type of blocked) rule += `<EncryptionType>${escapeXml(type)}</EncryptionType>`;
    rule += '</BlockedEncryptionTypes>';
  }
  const namespace = escapeXml(profile.namespace(options.region, options.obsDomain));
  return (
    profile.xmlDeclaration +
    `<ServerSideEncryptionConfiguration xmlns="${namespace}"><Rule>${rule}</Rule></ServerSideEncryptionConfiguration>`
  );
}
