// Writing S3's XML response documents (errors, listings, location, the encryption configuration) by
// string concatenation with escaping: an object is an element per key (`@_`-prefixed keys are
// attributes, `#text` its own text), an array repeats its element, undefined is left out, null and an
// object with no content are self-closed `<X/>` (as S3 writes `<Buckets/>`), every other value is
// escaped text. fast-xml-parser's XMLBuilder was 14 KB of every bundle for these fixed shapes
// (docs/performance.md); reading stays with fast-xml-parser (lib/xml/read.ts).

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

// `>` is escaped too so that `]]>` can never appear in content.
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text or an attribute value, escaped for XML. */
export const escapeXml = (value: string): string =>
  NEEDS_ESCAPE.test(value)
    ? value.replace(ESCAPE_ALL, (character) => ESCAPES[character] ?? character)
    : value;

const ATTRIBUTE_PREFIX = '@_';
/** The key of an object's own text, beside its attributes (`{ '@_xmlns': …, '#text': 'eu-west-1' }`). */
export const TEXT_KEY = '#text';

// Characters XML 1.0 forbids: a listing echoes the request's prefix, and one of them in it would make
// the whole document unparseable by the client. They become U+FFFD, as in error documents.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML forbids is the point
const NOT_XML_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const NOT_XML_CHARS = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/gu;
const text = (value: string): string =>
  escapeXml(NOT_XML_CHAR.test(value) ? value.replace(NOT_XML_CHARS, '\uFFFD') : value);

function element(name: string, value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) {
    let repeated = '';
    for (const item of value) repeated += element(name, item);
    return repeated;
  }
  if (typeof value === 'object') {
    let attributes = '';
    let content = '';
    for (const [key, child] of Object.entries(value)) {
      if (key === TEXT_KEY) content += child === undefined || child === null ? '' : text(String(child));
      else if (!key.startsWith(ATTRIBUTE_PREFIX)) content += element(key, child);
      else if (child !== undefined && child !== null) {
        attributes += ` ${key.slice(ATTRIBUTE_PREFIX.length)}="${escapeXml(String(child))}"`;
      }
    }
    // An element with nothing in it is written self-closed, as S3 writes `<Buckets/>`.
    return content === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`;
  }
  return `<${name}>${text(String(value))}</${name}>`;
}

/** `<?xml …?>` + `<root xmlns="…">…</root>`; content values are escaped. */
export function xmlDocument(root: string, content: Record<string, unknown>, namespace?: string): string {
  const rootElement = namespace ? { '@_xmlns': namespace, ...content } : content;
  return XML_DECLARATION + element(root, rootElement);
}
