// Escaping text for XML output, shared by the response documents (lib/http/xml.ts) and the
// encryption serializer. `>` is escaped too so that `]]>` can never appear in content.
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export const escapeXml = (value: string): string =>
  NEEDS_ESCAPE.test(value)
    ? value.replace(ESCAPE_ALL, (character) => ESCAPES[character] ?? character)
    : value;
