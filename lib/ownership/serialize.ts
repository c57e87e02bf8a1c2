// OwnershipControls → GetBucketOwnershipControls' body
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketOwnershipControls.html), in the
// profile's namespace with its XML declaration.
import type { Profile } from '../encryption/profiles.ts';
import type { SerializeOptions } from '../encryption/serialize.ts';
import { escapeXml } from '../xml/write.ts';
import type { OwnershipControls } from './model.ts';

export function serializeOwnershipControls(
  controls: OwnershipControls,
  profile: Profile,
  options: SerializeOptions,
): string {
  const namespace = escapeXml(profile.namespace(options.region, options.obsDomain));
  const rule = `<Rule><ObjectOwnership>${escapeXml(controls.objectOwnership)}</ObjectOwnership></Rule>`;
  return `${profile.xmlDeclaration}<OwnershipControls xmlns="${namespace}">${rule}</OwnershipControls>`;
}
