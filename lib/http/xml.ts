// Small S3 XML response documents, built with fast-xml-parser's XMLBuilder (escaping included).
import { XMLBuilder } from 'fast-xml-parser';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<?xml …?>` + `<root xmlns="…">…</root>`; content values are escaped by the builder. */
export function xmlDocument(root: string, content: Record<string, unknown>, namespace?: string): string {
  const element = namespace ? { '@_xmlns': namespace, ...content } : content;
  return XML_DECLARATION + builder.build({ [root]: element });
}
