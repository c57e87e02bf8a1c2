// Block Public Access's companion read (GetBucketPolicyStatus), beside the subresource's own document (serialize.ts).
// GetBucketPolicyStatus's document (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicyStatus.html):
// `<PolicyStatus><IsPublic>true|false</IsPublic></PolicyStatus>` in the profile's namespace, with its
// XML declaration (Huawei OBS documents the same elements in its own namespace, `standalone="yes"`:
// "Obtaining the Public Access Status of a Bucket Policy"). Pure.
// `true`/`false` in lower case, as S3 answers and AWS's SDKs read (botocore takes only `true` as true;
// QStorage's page shows `TRUE`, which would read as false there: docs/behaviour.md).
import type { Profile } from '../encryption/profiles.ts';
import type { SerializeOptions } from '../encryption/serialize.ts';
import { escapeXml } from '../xml/write.ts';

export function serializePolicyStatus(
  isPublic: boolean,
  profile: Profile,
  options: SerializeOptions,
): string {
  const namespace = escapeXml(profile.namespace(options.region, options.obsDomain));
  return `${profile.xmlDeclaration}<PolicyStatus xmlns="${namespace}"><IsPublic>${isPublic}</IsPublic></PolicyStatus>`;
}
