// PutBucketEncryption's body → EncryptionConfiguration
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html).
// Pure: no HTTP, no AWS. Enforces every rule of docs/behaviour.md "Encryption configuration" and
// throws nothing but S3Error, whatever the input. Schema violations (shape, names, enumerated
// values) are MalformedXML, as AWS answers them; well-formed values that break a rule between
// fields are InvalidArgument with the ArgumentName AWS uses. The schema rules only: reading the XML
// (well-formedness, entities, namespaces) is lib/xml/read.ts.

import { invalidArgument, malformedXml } from '../errors.ts';
import { textContent, type XmlElement } from '../xml/read.ts';
import { once, readDocument, readBoolean as readXmlBoolean, schemaChildren } from '../xml/schema.ts';
import type { BlockedEncryptionType, EncryptionConfiguration, SseAlgorithm } from './model.ts';
import { isAcceptedNamespace, type NamespaceOptions, type Profile } from './profiles.ts';

export type ParseOptions = NamespaceOptions;

// ProjectID (OBS): an IAM project id is 32 hex digits; accept any plausible token, like keys.
const PROJECT_ID = /^[\x21-\x7e]{1,2048}$/;

const BLOCKED_ENCRYPTION_TYPES: readonly string[] = ['NONE', 'SSE-C'] satisfies BlockedEncryptionType[];

/**
 * Parses a PutBucketEncryption body for `profile`. Its size limit (AWS's 1 MiB) is the request's,
 * checked when the request is decoded (lib/http/addressing.ts).
 * Empty body → MalformedXML (rather than MissingRequestBodyError: the one code clients of this
 * operation see for every unusable body).
 */
export function parseEncryptionConfiguration(
  body: Uint8Array | string,
  profile: Profile,
  options: ParseOptions = {},
): EncryptionConfiguration {
  const root = readDocument(body, 'ServerSideEncryptionConfiguration', (namespace) =>
    isAcceptedNamespace(profile, namespace, options),
  );
  return readConfiguration(root, profile);
}

function readConfiguration(root: XmlElement, profile: Profile): EncryptionConfiguration {
  // Exactly one Rule, and nothing else: AWS takes a list but rejects any other count.
  const rules = schemaChildren(root);
  for (const rule of rules)
    if (rule.localName !== 'Rule') throw malformedXml(`unknown element ${rule.localName}`);
  const [rule] = rules;
  if (rule === undefined || rules.length !== 1) throw malformedXml(`expected one Rule, got ${rules.length}`);

  let byDefault: XmlElement | undefined;
  let bucketKeyText: string | undefined;
  let blockedTypes: XmlElement | undefined;
  for (const element of schemaChildren(rule)) {
    switch (element.localName) {
      case 'ApplyServerSideEncryptionByDefault':
        once(byDefault, element.localName);
        byDefault = element;
        break;
      case 'BucketKeyEnabled':
        // In OBS's schema too little to be an unknown element: AWS clients send it (Terraform always,
        // as false). False is what obs does anyway; true is refused below rather than dropped.
        once(bucketKeyText, element.localName);
        bucketKeyText = textContent(element);
        break;
      case 'BlockedEncryptionTypes':
        // Not in OBS's schema: an unknown element there, as ProjectID is outside it.
        if (!profile.blockedEncryptionTypes) throw malformedXml('unknown element BlockedEncryptionTypes');
        once(blockedTypes, element.localName);
        blockedTypes = element;
        break;
      default:
        throw malformedXml(`unknown element ${element.localName}`);
    }
  }
  // AWS requires ApplyServerSideEncryptionByDefault even though its model marks it optional.
  if (byDefault === undefined) throw malformedXml('missing ApplyServerSideEncryptionByDefault');

  let algorithmText: string | undefined;
  let keyId: string | undefined;
  let projectId: string | undefined;
  for (const element of schemaChildren(byDefault)) {
    switch (element.localName) {
      case 'SSEAlgorithm':
        once(algorithmText, element.localName);
        algorithmText = textContent(element);
        break;
      case 'KMSMasterKeyID':
        once(keyId, element.localName);
        keyId = textContent(element);
        break;
      case 'ProjectID':
        // Not in AWS's schema: an unknown element (MalformedXML) outside the OBS profile.
        if (!profile.allowsProjectId) throw malformedXml('unknown element ProjectID');
        once(projectId, element.localName);
        projectId = textContent(element);
        break;
      default:
        throw malformedXml(`unknown element ${element.localName}`);
    }
  }

  // Enumerated values are part of the schema: a value outside them is MalformedXML, case-sensitive.
  if (algorithmText === undefined) throw malformedXml('missing SSEAlgorithm');
  const sseAlgorithm = profile.algorithms.find((algorithm) => algorithm === algorithmText);
  if (sseAlgorithm === undefined) {
    // For the DEBUG log (lib/http/stack.ts), which never holds what the client sent: not the value.
    throw malformedXml(
      `SSEAlgorithm is not one of ${profile.algorithms.join(', ')} (profile ${profile.name})`,
    );
  }
  const bucketKeyEnabled = readBoolean(bucketKeyText);
  // Accepting true and answering without it would tell the client a setting took effect that never can.
  if (bucketKeyEnabled && !profile.bucketKeys) {
    throw invalidArgument('BucketKeyEnabled is not supported by this service', 'BucketKeyEnabled', 'true');
  }
  const blockedEncryptionTypes = blockedTypes === undefined ? undefined : readBlockedTypes(blockedTypes);

  checkKey(sseAlgorithm, keyId, profile);
  if (projectId !== undefined) {
    // Chosen: InvalidArgument, like a key with a non-KMS algorithm — the element is in OBS's schema,
    // only its combination with the other fields is wrong.
    if (keyId === undefined) {
      throw invalidArgument('a ProjectID is only applicable together with a KMSMasterKeyID', 'ProjectID');
    }
    if (!PROJECT_ID.test(projectId)) throw invalidArgument('The ProjectID is not valid', 'ProjectID');
  }

  return {
    sseAlgorithm,
    ...(keyId !== undefined && { kmsMasterKeyId: keyId }),
    ...(projectId !== undefined && { projectId }),
    bucketKeyEnabled,
    ...(blockedEncryptionTypes !== undefined && { blockedEncryptionTypes }),
  };
}

function readBoolean(text: string | undefined): boolean {
  return text === undefined ? false : readXmlBoolean(text, 'BucketKeyEnabled');
}

function readBlockedTypes(container: XmlElement): BlockedEncryptionType[] {
  const types: BlockedEncryptionType[] = [];
  for (const element of schemaChildren(container)) {
    if (element.localName !== 'EncryptionType') throw malformedXml(`unknown element ${element.localName}`);
    const value = textContent(element);
    if (!BLOCKED_ENCRYPTION_TYPES.includes(value)) throw malformedXml('unsupported EncryptionType');
    // A set: a repeated type is stored once.
    if (!types.includes(value as BlockedEncryptionType)) types.push(value as BlockedEncryptionType);
  }
  if (types.length === 0) throw malformedXml('empty BlockedEncryptionTypes');
  return types;
}

function checkKey(algorithm: SseAlgorithm, keyId: string | undefined, profile: Profile): void {
  const isKms = profile.kmsAlgorithms.includes(algorithm);
  if (keyId === undefined) {
    if (isKms && profile.keyRequired) {
      throw invalidArgument(
        `a KMSMasterKeyID is required if the default sse algorithm is ${algorithm}`,
        'KMSMasterKeyID',
      );
    }
    return;
  }
  if (!isKms) {
    // AWS's wording, with the profile's own KMS algorithm names.
    throw invalidArgument(
      `a KMSMasterKeyID is not applicable if the default sse algorithm is not ${profile.kmsAlgorithms.join(' or ')}`,
      'ApplyServerSideEncryptionByDefault',
    );
  }
  // Not looked up: AWS does not for general-purpose buckets, and clients test with made-up ids.
  if (!profile.isValidKeyId(keyId)) throw invalidArgument(profile.invalidKeyIdMessage, 'KMSMasterKeyID');
}
