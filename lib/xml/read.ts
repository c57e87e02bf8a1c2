// Reading an XML request body into an element tree, namespaces resolved: the one reader every
// XML body of this service goes through (PutBucketEncryption, CreateBucket). Pure.
//
// The body is checked first (lib/xml/body.ts: size, strict UTF-8, XML characters, no DOCTYPE,
// entity declaration or processing instruction), then fast-xml-parser v5 validates and parses it
// with entity processing off. Only the five predefined entities and character references are
// decoded, here; anything else that starts with `&` is MalformedXML. Whatever the input, the only
// errors thrown are S3Errors: MaxMessageLengthExceeded or MalformedXML.
//
// The tree keeps what a schema needs to judge a document: repeated elements and text between
// elements stay visible, CDATA stays literal (and marked), and comments are dropped. Schema rules
// (which names, how many, which values) belong to the caller (lib/encryption/parse.ts,
// lib/create-bucket-configuration.ts).

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isS3Error, malformedXml } from '../errors.ts';
import { readXmlText } from './body.ts';

export interface XmlElement {
  readonly kind: 'element';
  readonly localName: string;
  /** The namespace URI the element's prefix (or the default namespace) resolves to; '' for none. */
  readonly namespace: string;
  /** Attributes other than namespace declarations, in document order, references decoded. */
  readonly attributes: readonly XmlAttribute[];
  /** Elements and text in document order. */
  readonly children: readonly XmlNode[];
}

export interface XmlAttribute {
  readonly localName: string;
  /** An unprefixed attribute is in no namespace (''), whatever the default namespace. */
  readonly namespace: string;
  readonly value: string;
}

export interface XmlText {
  readonly kind: 'text';
  /** References decoded; a CDATA section's content as written. */
  readonly text: string;
  readonly cdata: boolean;
  /** Nothing but space, tab, CR and LF as written: a reference such as `&#32;` is not white space. */
  readonly whitespace: boolean;
}

export type XmlNode = XmlElement | XmlText;

/** Elements nested deeper than this (the root is depth 1) are MalformedXML. */
export const MAX_XML_DEPTH = 100;

// What fast-xml-parser's preserveOrder output holds: an element is
// `{ <qualified name>: children, ':@'?: attributes }`, text is `{ '#text': string }`,
// CDATA is `{ '#cdata': [{ '#text': string }] }`.
type ParsedNode = Record<string, unknown>;
const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';

const parser = new XMLParser({
  preserveOrder: true, // keeps duplicates and text/element interleaving visible
  ignoreAttributes: false, // attribute values are checked, namespace declarations acted on
  attributeNamePrefix: '',
  ignoreDeclaration: true,
  ignorePiTags: true, // none survive lib/xml/body.ts anyway
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false, // " AES256" must stay padded, for the schema to reject
  processEntities: false, // never expand: references are decoded below, DTD entities never exist
  htmlEntities: false,
  cdataPropName: CDATA, // CDATA content is literal, unlike text: keep them apart
  commentPropName: false,
  maxNestedTags: MAX_XML_DEPTH - 1, // it counts the elements above the innermost one
  // Names stay as written: the output is read into the tree below, never used as a JS object's
  // keys. (fast-xml-parser still refuses `__proto__`, `constructor` and `prototype` as names: MalformedXML.)
  onDangerousProperty: (name) => name,
  jPath: false,
});

/** The XML namespace, bound to `xml:` without a declaration (Namespaces in XML 1.0, section 3). */
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

interface NamespaceScope {
  readonly defaultNamespace: string;
  readonly prefixes: ReadonlyMap<string, string>;
}

const EMPTY_SCOPE: NamespaceScope = { defaultNamespace: '', prefixes: new Map([['xml', XML_NAMESPACE]]) };
const NO_ATTRIBUTES: readonly XmlAttribute[] = [];
const WHITESPACE_ONLY = /^[ \t\r\n]*$/;

/**
 * The document's root element, or MaxMessageLengthExceeded (over `maxBytes`) / MalformedXML
 * (anything that is not one well-formed, namespace-well-formed element within the limits).
 * `maxBytes` is a document's own limit when it is below the request's (lib/request.ts
 * MAX_REQUEST_BODY_BYTES, checked once when the request is decoded); without it, none is checked again.
 */
export function readXml(body: Uint8Array | string, maxBytes?: number): XmlElement {
  try {
    const document = readXmlText(body, maxBytes);
    const validation = XMLValidator.validate(document);
    if (validation !== true) throw malformedXml(validation.err.msg);
    let root: ParsedNode | undefined;
    for (const node of parser.parse(document) as ParsedNode[]) {
      const text = node[TEXT];
      if (typeof text === 'string') {
        if (!WHITESPACE_ONLY.test(text)) throw malformedXml('text outside the root element');
      } else if (root !== undefined) {
        throw malformedXml('expected one root element');
      } else {
        root = node;
      }
    }
    if (root === undefined) throw malformedXml('expected one root element');
    const element = toElement(root, EMPTY_SCOPE);
    if (element.children.length === 0) checkAfterEmptyRoot(document);
    return element;
  } catch (error) {
    if (isS3Error(error)) throw error;
    // fast-xml-parser throws plain Errors on what its validator let through (depth, reserved names).
    throw malformedXml(error instanceof Error ? error.message : 'unparseable body');
  }
}

/**
 * Text after a self-closing root (`<a/>x`) is not well-formed, but fast-xml-parser's validator lets
 * it through and its parser drops it. Only comments and white space may follow the root's `/>`.
 * (After `<a></a>` the validator finds it.) Linear; runs for an empty root only.
 */
function checkAfterEmptyRoot(document: string): void {
  // The root's start tag: after the XML declaration and any comments (nothing else passed body.ts).
  let at = document.indexOf('<');
  while (at !== -1 && (document.startsWith('<!--', at) || document.startsWith('<?', at))) {
    at = document.indexOf('<', afterMarkup(document, at));
  }
  // Its end: the first `>` outside a quoted attribute value.
  let quote = '';
  for (at += 1; at < document.length; at++) {
    const character = document[at];
    if (quote !== '') {
      if (character === quote) quote = '';
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '>') {
      break;
    }
  }
  if (document[at - 1] !== '/') return;
  for (at += 1; at < document.length; ) {
    if (document.startsWith('<!--', at)) at = afterMarkup(document, at);
    else if (WHITESPACE_ONLY.test(document[at] ?? '')) at += 1;
    else throw malformedXml('text after the root element');
  }
}

/** Where the comment or declaration at `at` ends (body.ts has refused unterminated ones). */
function afterMarkup(document: string, at: number): number {
  const comment = document.startsWith('<!--', at);
  const end = comment ? document.indexOf('-->', at + 4) : document.indexOf('?>', at + 2);
  if (end === -1) throw malformedXml('unterminated markup');
  return end + (comment ? 3 : 2);
}

/** The element children of a container; text other than white space in it is MalformedXML. */
export function childElements(parent: XmlElement): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of parent.children) {
    if (node.kind === 'element') elements.push(node);
    else if (!node.whitespace) throw malformedXml(`text in ${parent.localName}`);
  }
  return elements;
}

/** The text of a leaf: its text and CDATA joined, nothing trimmed; an element in it is MalformedXML. */
export function textContent(element: XmlElement): string {
  let value = '';
  for (const node of element.children) {
    if (node.kind === 'element') throw malformedXml(`element in ${element.localName}`);
    value += node.text;
  }
  return value;
}

function toElement(node: ParsedNode, parentScope: NamespaceScope): XmlElement {
  let qualifiedName: string | undefined;
  for (const key of Object.keys(node)) {
    if (key !== ATTRIBUTES) {
      qualifiedName = key;
      break;
    }
  }
  const parsedChildren = qualifiedName === undefined ? undefined : node[qualifiedName];
  if (qualifiedName === undefined || qualifiedName === CDATA || !Array.isArray(parsedChildren)) {
    throw malformedXml('unexpected node');
  }
  const parsedAttributes = node[ATTRIBUTES] as Record<string, unknown> | undefined;
  const scope =
    parsedAttributes === undefined ? parentScope : declareNamespaces(parsedAttributes, parentScope);
  const [prefix, localName] = splitName(qualifiedName);
  const namespace = prefix === undefined ? scope.defaultNamespace : prefixNamespace(prefix, scope);

  const children: XmlNode[] = [];
  for (const child of parsedChildren as ParsedNode[]) {
    const text = child[TEXT];
    if (typeof text === 'string') {
      children.push({
        kind: 'text',
        text: decodeReferences(text),
        cdata: false,
        whitespace: WHITESPACE_ONLY.test(text),
      });
    } else if (CDATA in child) {
      const content = cdataText(child);
      children.push({ kind: 'text', text: content, cdata: true, whitespace: WHITESPACE_ONLY.test(content) });
    } else {
      children.push(toElement(child, scope));
    }
  }
  const attributes = parsedAttributes === undefined ? NO_ATTRIBUTES : readAttributes(parsedAttributes, scope);
  return { kind: 'element', localName, namespace, attributes, children };
}

/** `[prefix, local name]` of a qualified name; the prefix is undefined when there is none. */
function splitName(qualifiedName: string): [string | undefined, string] {
  const colon = qualifiedName.indexOf(':');
  if (colon === -1) return [undefined, qualifiedName];
  const localName = qualifiedName.slice(colon + 1);
  // Namespaces in XML 1.0: a qualified name is `prefix:local`, both non-empty, one colon.
  if (colon === 0 || localName === '' || localName.includes(':')) throw malformedXml('bad qualified name');
  return [qualifiedName.slice(0, colon), localName];
}

function prefixNamespace(prefix: string, scope: NamespaceScope): string {
  const namespace = scope.prefixes.get(prefix);
  if (namespace === undefined) throw malformedXml('undeclared namespace prefix');
  return namespace;
}

/** An attribute value as written, checked: fast-xml-parser's validator lets `<` and stray `&` through. */
function attributeValue(raw: unknown): string {
  if (typeof raw !== 'string' || raw.includes('<')) throw malformedXml('bad attribute value');
  return decodeReferences(raw);
}

/** The element's namespace declarations applied to its parent's scope. */
function declareNamespaces(attributes: Record<string, unknown>, parentScope: NamespaceScope): NamespaceScope {
  let defaultNamespace = parentScope.defaultNamespace;
  let prefixes: Map<string, string> | undefined;
  for (const [name, raw] of Object.entries(attributes)) {
    if (name === 'xmlns') {
      defaultNamespace = attributeValue(raw);
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice('xmlns:'.length);
      const value = attributeValue(raw);
      // Namespaces in XML 1.0: a prefix cannot be undeclared, nor `xmlns` bound.
      if (value === '' || prefix === '' || prefix === 'xmlns')
        throw malformedXml('bad namespace declaration');
      prefixes ??= new Map(parentScope.prefixes);
      prefixes.set(prefix, value);
    }
  }
  return { defaultNamespace, prefixes: prefixes ?? parentScope.prefixes };
}

/** Attributes other than namespace declarations, their prefixes resolved in the element's scope. */
function readAttributes(attributes: Record<string, unknown>, scope: NamespaceScope): readonly XmlAttribute[] {
  const read: XmlAttribute[] = [];
  for (const [name, raw] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const value = attributeValue(raw);
    const [prefix, localName] = splitName(name);
    read.push({ localName, namespace: prefix === undefined ? '' : prefixNamespace(prefix, scope), value });
  }
  return read;
}

function cdataText(node: ParsedNode): string {
  const content = node[CDATA];
  if (!Array.isArray(content)) return '';
  let value = '';
  for (const part of content as ParsedNode[]) {
    const text = part[TEXT];
    if (typeof text === 'string') value += text;
  }
  return value;
}

// The five predefined entities and character references: all a document without a DTD may use.
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

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
