// An XML request body made safe to parse, before any XML parser sees it: size, strict UTF-8, only
// characters XML allows, and no DOCTYPE, entity declaration or processing instruction (so nothing
// is ever defined, let alone expanded: XXE, billion laughs). The first half of lib/xml/read.ts. Pure.
import { malformedXml, S3Error } from '../errors.ts';

// Built once, at module scope, and shared by every call.
// `fatal` makes invalid UTF-8 throw; a leading BOM is stripped (ignoreBOM: false).
const utf8 = new TextDecoder('utf-8', { fatal: true });

// XML 1.0 `Char`: no C0 controls except tab/LF/CR, no lone surrogates, no U+FFFE/U+FFFF.
// The `u` flag makes the surrogate range match only unpaired halves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the control characters XML forbids is the point
const NOT_XML_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/u;

// The XML declaration, as the grammar has it (XMLDecl), anchored at the document's start.
// The encoding label is not acted on: the body is decoded as UTF-8, and the documents' values are
// ASCII, which every label a client sends (UTF-8, ISO-8859-1, US-ASCII) decodes alike.
const XML_DECLARATION_PATTERN =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/;

/**
 * The body as text, or MaxMessageLengthExceeded (over `maxBytes`) / MalformedXML (empty, not
 * UTF-8, a character XML forbids, a declaration or processing instruction).
 */
export function readXmlText(body: Uint8Array | string, maxBytes = Number.POSITIVE_INFINITY): string {
  const document = decodeBody(body, maxBytes);
  preScan(document);
  return document;
}

function decodeBody(body: Uint8Array | string, maxBytes: number): string {
  let document: string;
  if (typeof body === 'string') {
    if (body.length > maxBytes || utf8Length(body, maxBytes) > maxBytes) throw tooLarge();
    document = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  } else if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw tooLarge();
    try {
      document = utf8.decode(body);
    } catch {
      throw malformedXml('body is not valid UTF-8');
    }
  } else {
    // Not reachable from typed callers; a missing body is the empty body.
    throw malformedXml('no body');
  }
  if (document.length === 0) throw malformedXml('empty body');
  if (NOT_XML_CHAR.test(document)) throw malformedXml('character not allowed in XML');
  return document;
}

const tooLarge = () => new S3Error('MaxMessageLengthExceeded');

/** UTF-8 length of a string (lone surrogates count as the 3 bytes of U+FFFD, as TextEncoder writes them). */
function utf8Length(text: string, maxBytes: number): number {
  // Every UTF-16 unit is 1–3 bytes (a pair is 4 = 2 + 2): short strings need no count.
  if (text.length * 3 <= maxBytes) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Rejects what fast-xml-parser's validator lets through or would act on: DOCTYPE, ENTITY and every
 * other `<!` declaration (so no entity is ever defined, let alone expanded — XXE, billion laughs),
 * processing instructions other than a leading XML declaration, and unterminated comments and
 * CDATA sections. Comments and CDATA are skipped, so their content never trips the scan. Linear.
 */
function preScan(document: string): void {
  let from = 0;
  if (document.startsWith('<?')) {
    const declaration = XML_DECLARATION_PATTERN.exec(document);
    if (!declaration) throw malformedXml('processing instruction or malformed XML declaration');
    from = declaration[0].length;
  }
  for (let at = document.indexOf('<', from); at !== -1; at = document.indexOf('<', from)) {
    const next = document.charCodeAt(at + 1);
    if (next === 0x3f /* ? */) throw malformedXml('processing instruction');
    if (next !== 0x21 /* ! */) {
      from = at + 1;
    } else if (document.startsWith('<!--', at)) {
      // `--` may appear in a comment only as its end.
      const dashes = document.indexOf('--', at + 4);
      if (dashes === -1 || document.charCodeAt(dashes + 2) !== 0x3e /* > */)
        throw malformedXml('bad comment');
      from = dashes + 3;
    } else if (document.startsWith('<![CDATA[', at)) {
      const end = document.indexOf(']]>', at + 9);
      if (end === -1) throw malformedXml('unterminated CDATA section');
      from = end + 3;
    } else {
      throw malformedXml('DOCTYPE or markup declaration');
    }
  }
}
