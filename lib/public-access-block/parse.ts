// PutPublicAccessBlock's body → PublicAccessBlockConfiguration
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html). Pure. The schema
// rules only (reading the XML is lib/xml/read.ts): root PublicAccessBlockConfiguration in no
// namespace, S3's or the profile's own; each of the four flags at most once, `true` or `false`; a flag
// left out is false (LocalStack's AWS-validated snapshot of a Put without RestrictPublicBuckets answers
// it false; Huawei OBS documents the same default). Anything else is MalformedXML.

import { isAcceptedNamespace, type NamespaceOptions, type Profile } from '../encryption/profiles.ts';
import { malformedXml } from '../errors.ts';
import { textContent } from '../xml/read.ts';
import { readBoolean, readDocument, schemaChildren } from '../xml/schema.ts';
import { FLAGS, type PublicAccessBlockConfiguration } from './model.ts';

export function parsePublicAccessBlock(
  body: Uint8Array | string,
  profile: Profile,
  options: NamespaceOptions = {},
): PublicAccessBlockConfiguration {
  const root = readDocument(body, 'PublicAccessBlockConfiguration', (namespace) =>
    isAcceptedNamespace(profile, namespace, options),
  );
  const configuration: PublicAccessBlockConfiguration = {
    blockPublicAcls: false,
    ignorePublicAcls: false,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
  };
  const seen = new Set<string>();
  for (const element of schemaChildren(root)) {
    const flag = FLAGS.find(([name]) => name === element.localName);
    if (!flag) throw malformedXml(`unknown element ${element.localName}`);
    if (seen.has(element.localName)) throw malformedXml(`duplicate ${element.localName}`);
    seen.add(element.localName);
    configuration[flag[1]] = readBoolean(textContent(element), element.localName);
  }
  return configuration;
}
