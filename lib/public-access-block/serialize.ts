// PublicAccessBlockConfiguration → GetPublicAccessBlock's body
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html): all four flags in
// AWS's order, in the profile's namespace and with its XML declaration (Huawei OBS documents the same
// elements in its own namespace, `standalone="yes"`: "Obtaining the Public Access Block Configuration").
import type { Profile } from '../encryption/profiles.ts';
import type { SerializeOptions } from '../encryption/serialize.ts';
import { escapeXml } from '../xml/write.ts';
import { FLAGS, type PublicAccessBlockConfiguration } from './model.ts';

export function serializePublicAccessBlock(
  configuration: PublicAccessBlockConfiguration,
  profile: Profile,
  options: SerializeOptions,
): string {
  let flags = '';
  for (const [element, field] of FLAGS) flags += `<${element}>${configuration[field]}</${element}>`;
  const namespace = escapeXml(profile.namespace(options.region, options.obsDomain));
  return `${profile.xmlDeclaration}<PublicAccessBlockConfiguration xmlns="${namespace}">${flags}</PublicAccessBlockConfiguration>`;
}
