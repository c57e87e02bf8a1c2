// PutBucketEncryption's body → EncryptionConfiguration
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html).
// Pure: no HTTP, no AWS. Enforces every rule of S3-BEHAVIOUR.md "Configuration document" and
// throws nothing but S3Error, whatever the input. Schema violations (shape, names, enumerated
// values) are MalformedXML, as AWS answers them; well-formed values that break a rule between
// fields are InvalidArgument with the ArgumentName AWS uses.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidArgument, isS3Error, malformedXml } from '../errors.ts';
import { readXmlText } from '../xml-input.ts';
import type { BlockedEncryptionType, EncryptionConfiguration, SseAlgorithm } from './model.ts';
import { type Profile, S3_NAMESPACE } from './profiles.ts';

/** AWS's limit for configuration bodies. */
export const MAX_CONFIGURATION_BYTES = 1024 * 1024;

export interface ParseOptions {
  /** With `obsDomain`: the deployment's own OBS namespace is accepted exactly (it is also accepted by shape). */
  region?: string;
  obsDomain?: string;
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';
const ATTRIBUTE_PREFIX = '@_';

const xmlParser = new XMLParser({
  preserveOrder: true, // keeps duplicates and text/element interleaving visible
  // Attributes are read so that their values can be checked for well-formedness; only namespace
  // declarations are acted on. Others are ignored, as AWS's and MinIO's (Go encoding/xml)
  // unmarshallers ignore attributes the schema does not name.
  ignoreAttributes: false,
  ignoreDeclaration: true,
  ignorePiTags: true, // none survive the pre-scan anyway
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false, // " AES256" must stay padded, and be rejected
  processEntities: false, // never expand: references are decoded below, DTD entities never exist
  htmlEntities: false,
  cdataPropName: CDATA, // CDATA content is literal, unlike text: keep them apart
  commentPropName: false,
  jPath: false,
});

const WHITESPACE_ONLY = /^[ \t\r\n]*$/;

// The five predefined entities and character references: all a document without a DTD may use.
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

// ProjectID (OBS): an IAM project id is 32 hex digits; accept any plausible token, like keys.
const PROJECT_ID = /^[\x21-\x7e]{1,2048}$/;

const BLOCKED_ENCRYPTION_TYPES: readonly string[] = ['NONE', 'SSE-C'] satisfies BlockedEncryptionType[];

/**
 * Parses a PutBucketEncryption body for `profile`.
 * Empty body → MalformedXML (rather than MissingRequestBodyError: the one code clients of this
 * operation see for every unusable body).
 */
export function parseEncryptionConfiguration(
  body: Uint8Array | string,
  profile: Profile,
  options: ParseOptions = {},
): EncryptionConfiguration {
  try {
    const document = readXmlText(body, MAX_CONFIGURATION_BYTES);
    const root = readRoot(document);
    return readConfiguration(root, profile, options);
  } catch (error) {
    if (isS3Error(error)) throw error;
    // fast-xml-parser throws plain Errors on input its validator let through; so may anything else.
    throw malformedXml(error instanceof Error ? error.message : 'unparseable body');
  }
}

// fast-xml-parser's preserveOrder tree: an element is `{ <qualified name>: children, ':@'?: attributes }`,
// text is `{ '#text': string }`, CDATA is `{ '#cdata': [{ '#text': string }] }`.
type XmlNode = Record<string, unknown>;

interface NamespaceScope {
  readonly defaultNamespace: string;
  readonly prefixes: ReadonlyMap<string, string>;
}

interface XmlElement {
  readonly localName: string;
  readonly namespace: string;
  readonly children: readonly XmlNode[];
  readonly scope: NamespaceScope;
}

const EMPTY_SCOPE: NamespaceScope = { defaultNamespace: '', prefixes: new Map() };

function readRoot(document: string): XmlElement {
  const validation = XMLValidator.validate(document);
  if (validation !== true) throw malformedXml(validation.err.msg);
  const nodes = xmlParser.parse(document) as XmlNode[];
  const elements = nodes.filter((node) => !(TEXT in node));
  const [root] = elements;
  if (root === undefined || elements.length !== 1) throw malformedXml('expected one root element');
  return toElement(root, EMPTY_SCOPE);
}

/** Resolves the element's name against the namespace declarations in scope (and on itself). */
function toElement(node: XmlNode, parentScope: NamespaceScope): XmlElement {
  let qualifiedName: string | undefined;
  for (const key of Object.keys(node)) {
    if (key !== ATTRIBUTES) {
      qualifiedName = key;
      break;
    }
  }
  const children = qualifiedName === undefined ? undefined : node[qualifiedName];
  if (qualifiedName === undefined || !Array.isArray(children)) throw malformedXml('unexpected node');

  const attributes = node[ATTRIBUTES] as Record<string, unknown> | undefined;
  const scope = attributes === undefined ? parentScope : declareNamespaces(attributes, parentScope);

  const colon = qualifiedName.indexOf(':');
  if (colon === -1) {
    return { localName: qualifiedName, namespace: scope.defaultNamespace, children, scope };
  }
  const namespace = scope.prefixes.get(qualifiedName.slice(0, colon));
  if (namespace === undefined) throw malformedXml('undeclared namespace prefix');
  return { localName: qualifiedName.slice(colon + 1), namespace, children, scope };
}

/** Checks the element's attribute values and applies its namespace declarations to the parent's scope. */
function declareNamespaces(attributes: Record<string, unknown>, parentScope: NamespaceScope): NamespaceScope {
  let defaultNamespace = parentScope.defaultNamespace;
  let prefixes: Map<string, string> | undefined;
  for (const [key, rawValue] of Object.entries(attributes)) {
    // fast-xml-parser's validator lets `<` and stray `&` through in attribute values.
    if (typeof rawValue !== 'string' || rawValue.includes('<')) throw malformedXml('bad attribute value');
    const value = decodeReferences(rawValue);
    const name = key.slice(ATTRIBUTE_PREFIX.length);
    if (name === 'xmlns') {
      defaultNamespace = value;
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice('xmlns:'.length);
      // XML Namespaces 1.0: a prefix cannot be undeclared, nor `xmlns` bound.
      if (value === '' || prefix === '' || prefix === 'xmlns')
        throw malformedXml('bad namespace declaration');
      prefixes ??= new Map(parentScope.prefixes);
      prefixes.set(prefix, value);
    }
  }
  const scope = { defaultNamespace, prefixes: prefixes ?? parentScope.prefixes };
  // A prefixed attribute name (`xsi:type`) needs its prefix declared too; `xml:` is predeclared.
  for (const key of Object.keys(attributes)) {
    const colon = key.indexOf(':');
    if (colon === -1) continue;
    const prefix = key.slice(ATTRIBUTE_PREFIX.length, colon);
    if (prefix !== 'xmlns' && prefix !== 'xml' && !scope.prefixes.has(prefix)) {
      throw malformedXml('undeclared namespace prefix');
    }
  }
  return scope;
}

/** The element children of a container; text other than whitespace in it is MalformedXML. */
function childElements(parent: XmlElement): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of parent.children) {
    const text = node[TEXT];
    if (typeof text === 'string') {
      if (!WHITESPACE_ONLY.test(text)) throw malformedXml(`text in ${parent.localName}`);
    } else if (CDATA in node) {
      if (!WHITESPACE_ONLY.test(cdataText(node))) throw malformedXml(`text in ${parent.localName}`);
    } else {
      const element = toElement(node, parent.scope);
      // A name from another namespace is not in the schema.
      if (element.namespace !== parent.namespace) throw malformedXml(`unknown element ${element.localName}`);
      elements.push(element);
    }
  }
  return elements;
}

/** The text of a leaf: references decoded, CDATA taken literally, nothing trimmed. */
function textOf(element: XmlElement): string {
  let value = '';
  for (const node of element.children) {
    const text = node[TEXT];
    if (typeof text === 'string') value += decodeReferences(text);
    else if (CDATA in node) value += cdataText(node);
    else throw malformedXml(`element in ${element.localName}`);
  }
  return value;
}

function cdataText(node: XmlNode): string {
  const content = node[CDATA];
  if (!Array.isArray(content)) return '';
  let value = '';
  for (const part of content as XmlNode[]) {
    const text = part[TEXT];
    if (typeof text === 'string') value += text;
  }
  return value;
}

/** Decodes the predefined entities and character references; any other `&` is not well-formed. */
function decodeReferences(raw: string): string {
  let at = raw.indexOf('&');
  if (at === -1) return raw;
  let decoded = '';
  let from = 0;
  while (at !== -1) {
    REFERENCE.lastIndex = at;
    const match = REFERENCE.exec(raw);
    if (!match) throw malformedXml('undefined entity or stray &');
    decoded += raw.slice(from, at);
    const [, name, decimal, hex] = match;
    if (name !== undefined) {
      decoded += PREDEFINED[name];
    } else {
      const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
      if (!isXmlCodePoint(codePoint)) throw malformedXml('character reference to a non-XML character');
      decoded += String.fromCodePoint(codePoint);
    }
    from = REFERENCE.lastIndex;
    at = raw.indexOf('&', from);
  }
  return decoded + raw.slice(from);
}

const isXmlCodePoint = (c: number): boolean =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/** Throws MalformedXML when a single-valued element was already seen. */
function once<T>(seen: T | undefined, name: string): void {
  if (seen !== undefined) throw malformedXml(`duplicate ${name}`);
}

function readConfiguration(
  root: XmlElement,
  profile: Profile,
  options: ParseOptions,
): EncryptionConfiguration {
  if (root.localName !== 'ServerSideEncryptionConfiguration') throw malformedXml('wrong root element');
  if (!isAcceptedNamespace(root.namespace, profile, options)) throw malformedXml('wrong namespace');

  // Exactly one Rule, and nothing else: AWS takes a list but rejects any other count.
  const rules = childElements(root);
  for (const rule of rules)
    if (rule.localName !== 'Rule') throw malformedXml(`unknown element ${rule.localName}`);
  const [rule] = rules;
  if (rule === undefined || rules.length !== 1) throw malformedXml(`expected one Rule, got ${rules.length}`);

  let byDefault: XmlElement | undefined;
  let bucketKeyText: string | undefined;
  let blockedTypes: XmlElement | undefined;
  for (const element of childElements(rule)) {
    switch (element.localName) {
      case 'ApplyServerSideEncryptionByDefault':
        once(byDefault, element.localName);
        byDefault = element;
        break;
      case 'BucketKeyEnabled':
        // In OBS's schema too little to be an unknown element: AWS clients send it (Terraform always,
        // as false). False is what obs does anyway; true is refused below rather than dropped.
        once(bucketKeyText, element.localName);
        bucketKeyText = textOf(element);
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
  for (const element of childElements(byDefault)) {
    switch (element.localName) {
      case 'SSEAlgorithm':
        once(algorithmText, element.localName);
        algorithmText = textOf(element);
        break;
      case 'KMSMasterKeyID':
        once(keyId, element.localName);
        keyId = textOf(element);
        break;
      case 'ProjectID':
        // Not in AWS's schema: an unknown element (MalformedXML) outside the OBS profile.
        if (!profile.allowsProjectId) throw malformedXml('unknown element ProjectID');
        once(projectId, element.localName);
        projectId = textOf(element);
        break;
      default:
        throw malformedXml(`unknown element ${element.localName}`);
    }
  }

  // Enumerated values are part of the schema: a value outside them is MalformedXML, case-sensitive.
  if (algorithmText === undefined) throw malformedXml('missing SSEAlgorithm');
  const sseAlgorithm = profile.algorithms.find((algorithm) => algorithm === algorithmText);
  if (sseAlgorithm === undefined) throw malformedXml('unsupported SSEAlgorithm');
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

function isAcceptedNamespace(namespace: string, profile: Profile, options: ParseOptions): boolean {
  if (namespace === '' || namespace === S3_NAMESPACE || profile.isOwnNamespace(namespace)) return true;
  const { region, obsDomain } = options;
  return (
    region !== undefined && obsDomain !== undefined && namespace === profile.namespace(region, obsDomain)
  );
}

function readBoolean(text: string | undefined): boolean {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw malformedXml('BucketKeyEnabled is not true or false');
}

function readBlockedTypes(container: XmlElement): BlockedEncryptionType[] {
  const types: BlockedEncryptionType[] = [];
  for (const element of childElements(container)) {
    if (element.localName !== 'EncryptionType') throw malformedXml(`unknown element ${element.localName}`);
    const value = textOf(element);
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
