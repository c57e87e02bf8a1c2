// Writing S3's XML response documents (errors, ListBuckets, the encryption configuration) by string
// concatenation with escaping. `xmlDocument` writes what fast-xml-parser's XMLBuilder wrote for these
// documents, byte for byte: an object is an element per key (`@_`-prefixed keys are attributes), an
// array repeats its element, undefined is left out, null is an empty element `<X/>`, every other value
// is escaped text. The builder itself was 14 KB of every bundle for two fixed shapes
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
      if (!key.startsWith(ATTRIBUTE_PREFIX)) content += element(key, child);
      else if (child !== undefined && child !== null) {
        attributes += ` ${key.slice(ATTRIBUTE_PREFIX.length)}="${escapeXml(String(child))}"`;
      }
    }
    return `<${name}${attributes}>${content}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<?xml …?>` + `<root xmlns="…">…</root>`; content values are escaped. */
export function xmlDocument(root: string, content: Record<string, unknown>, namespace?: string): string {
  const rootElement = namespace ? { '@_xmlns': namespace, ...content } : content;
  return XML_DECLARATION + element(root, rootElement);
}
