// The schema checks every configuration document shares, on the element tree lib/xml/read.ts makes:
// children in their container's namespace, single elements at most once, S3's booleans. Each
// subresource's parse.ts keeps only its own names and rules (lib/encryption/parse.ts,
// lib/public-access-block/parse.ts, lib/ownership/parse.ts). Pure; throws only MalformedXML.

import { malformedXml, type S3Error } from '../errors.ts';
import { childElements, readXml, type XmlElement } from './read.ts';

/**
 * A request document's root element, read by lib/xml/read.ts, when it is `rootName` in a namespace
 * the caller accepts; otherwise `refuse` (MalformedXML unless the operation names its own code).
 */
export function readDocument(
  body: Uint8Array | string,
  rootName: string,
  acceptsNamespace: (namespace: string) => boolean,
  refuse: (detail: string) => S3Error = malformedXml,
): XmlElement {
  const root = readXml(body);
  if (root.localName !== rootName) throw refuse('wrong root element');
  if (!acceptsNamespace(root.namespace)) throw refuse('wrong namespace');
  return root;
}

/** The element children of a container, each in the container's namespace (another is not in the schema). */
export function schemaChildren(parent: XmlElement): XmlElement[] {
  const elements = childElements(parent);
  for (const element of elements) {
    if (element.namespace !== parent.namespace) throw malformedXml(`unknown element ${element.localName}`);
  }
  return elements;
}

/** Throws MalformedXML when a single-valued element was already seen. */
export function once<T>(seen: T | undefined, name: string): void {
  if (seen !== undefined) throw malformedXml(`duplicate ${name}`);
}

/** An xsd:boolean as S3 writes it: `true` or `false`, nothing else (no padding, no `1`/`0`). */
export function readBoolean(text: string, name: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw malformedXml(`${name} is not true or false`);
}
