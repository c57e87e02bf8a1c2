import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../lib/errors.ts';
import {
  childElements,
  MAX_XML_DEPTH,
  readXml,
  textContent,
  type XmlElement,
  type XmlNode,
} from '../../../lib/xml/read.ts';
import { s3ErrorOf } from '../encryption/fixtures.ts';

const LIMIT = 64 * 1024;
const read = (document: string) => readXml(document, LIMIT);
const codeOf = (document: string | Uint8Array) => s3ErrorOf(() => readXml(document, LIMIT)).code;

/** The element children, by position. */
const elementAt = (parent: XmlElement, index: number): XmlElement => {
  const element = childElements(parent)[index];
  if (element === undefined) expect.fail(`no element child ${index} in ${parent.localName}`);
  return element;
};

describe('readXml: the tree', () => {
  it('returns the root with its local name, no namespace, attributes and children in document order', () => {
    const root = read('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1"><b>one</b>between<c/></a>');
    expect(root).toStrictEqual({
      kind: 'element',
      localName: 'a',
      namespace: '',
      attributes: [{ localName: 'x', namespace: '', value: '1' }],
      children: [
        {
          kind: 'element',
          localName: 'b',
          namespace: '',
          attributes: [],
          children: [{ kind: 'text', text: 'one', cdata: false, whitespace: false }],
        },
        { kind: 'text', text: 'between', cdata: false, whitespace: false },
        { kind: 'element', localName: 'c', namespace: '', attributes: [], children: [] },
      ],
    });
  });

  it('keeps repeated elements, each in its place', () => {
    const root = read('<a><b>1</b><c/><b>2</b></a>');
    expect(childElements(root).map((element) => element.localName)).toEqual(['b', 'c', 'b']);
    expect(textContent(elementAt(root, 0))).toBe('1');
    expect(textContent(elementAt(root, 2))).toBe('2');
  });

  it('keeps white space as written, marked as white space, and text untrimmed', () => {
    const root = read('<a>\n  <b> padded </b>\n</a>');
    expect(root.children.map((node) => node.kind === 'text' && node.whitespace)).toEqual([true, false, true]);
    expect(textContent(elementAt(root, 0))).toBe(' padded ');
  });

  it('drops comments, joining the text around them', () => {
    expect(read('<a>AES<!-- - -->256</a>').children).toStrictEqual([
      { kind: 'text', text: 'AES256', cdata: false, whitespace: false },
    ]);
  });

  it('takes a CDATA section literally and marks it', () => {
    const root = read('<a>x<![CDATA[&amp;<b>]]>y</a>');
    expect(root.children).toStrictEqual([
      { kind: 'text', text: 'x', cdata: false, whitespace: false },
      { kind: 'text', text: '&amp;<b>', cdata: true, whitespace: false },
      { kind: 'text', text: 'y', cdata: false, whitespace: false },
    ]);
    expect(textContent(root)).toBe('x&amp;<b>y');
  });

  it('keeps names JavaScript objects hold (toString, hasOwnProperty) as written', () => {
    const root = read('<toString hasOwnProperty="1"><valueOf/></toString>');
    expect(root.localName).toBe('toString');
    expect(root.attributes).toEqual([{ localName: 'hasOwnProperty', namespace: '', value: '1' }]);
    expect(elementAt(root, 0).localName).toBe('valueOf');
  });

  it('accepts a byte order mark, a declaration, and comments and white space around the root', () => {
    expect(read('\ufeff<?xml version="1.0"?><!-- before --> <a/> <!-- after -->\n').localName).toBe('a');
    expect(readXml(Buffer.from('\ufeff<a/>'), LIMIT).localName).toBe('a');
  });
});

describe('readXml: references', () => {
  it('decodes the five predefined entities and character references in text and attribute values', () => {
    const root = read('<a v="&lt;&#65;&#x42;&quot;">&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;</a>');
    expect(textContent(root)).toBe('<>&"\'A😀');
    expect(root.attributes[0]?.value).toBe('<AB"');
  });

  it('does not count a reference to a space as white space', () => {
    const [node] = read('<a>&#32;</a>').children;
    expect(node).toStrictEqual({ kind: 'text', text: ' ', cdata: false, whitespace: false });
  });

  it.each([
    ['an undefined entity', '<a>&nbsp;</a>'],
    ['a stray ampersand', '<a>a & b</a>'],
    ['a reference without its semicolon', '<a>&amp</a>'],
    ['an empty character reference', '<a>&#;</a>'],
    ['a reference to NUL', '<a>&#0;</a>'],
    ['a reference to a surrogate', '<a>&#xD800;</a>'],
    ['a reference to U+FFFE', '<a>&#xFFFE;</a>'],
    ['a reference beyond Unicode', '<a>&#x110000;</a>'],
    ['an undefined entity in an attribute', '<a v="&e;"/>'],
    ['`<` in an attribute value', '<a v="<"/>'],
  ])('throws MalformedXML for %s', (_, document) => {
    expect(codeOf(document)).toBe('MalformedXML');
  });
});

describe('readXml: namespaces', () => {
  it('puts an unprefixed element in the default namespace, and its unprefixed attributes in none', () => {
    const root = read('<a xmlns="urn:d" x="1"><b/></a>');
    expect(root.namespace).toBe('urn:d');
    expect(elementAt(root, 0).namespace).toBe('urn:d');
    expect(root.attributes).toEqual([{ localName: 'x', namespace: '', value: '1' }]);
  });

  it('resolves prefixed elements and attributes, and leaves declarations out of the attributes', () => {
    const root = read('<p:a xmlns:p="urn:p"><p:b p:x="1"/></p:a>');
    expect(root).toMatchObject({ localName: 'a', namespace: 'urn:p', attributes: [] });
    expect(elementAt(root, 0)).toMatchObject({
      localName: 'b',
      namespace: 'urn:p',
      attributes: [{ localName: 'x', namespace: 'urn:p', value: '1' }],
    });
  });

  it('applies a redeclaration to the element and its descendants only', () => {
    const root = read(
      '<a xmlns="urn:outer" xmlns:p="urn:p1"><b xmlns="urn:inner" xmlns:p="urn:p2"><c/><p:d/></b><e/><p:f/><g xmlns=""/></a>',
    );
    const b = elementAt(root, 0);
    expect([b.namespace, elementAt(b, 0).namespace, elementAt(b, 1).namespace]).toEqual([
      'urn:inner',
      'urn:inner',
      'urn:p2',
    ]);
    expect(childElements(root).map((element) => element.namespace)).toEqual([
      'urn:inner',
      'urn:outer',
      'urn:p1',
      '',
    ]);
  });

  it('binds the xml prefix without a declaration', () => {
    expect(read('<a xml:lang="en"/>').attributes).toEqual([
      { localName: 'lang', namespace: 'http://www.w3.org/XML/1998/namespace', value: 'en' },
    ]);
  });

  it.each([
    ['an element with an undeclared prefix', '<p:a/>'],
    ['a child with an undeclared prefix', '<a xmlns:p="urn:p"><q:b/></a>'],
    ['a prefix declared on a sibling only', '<a><b xmlns:p="urn:p"/><p:c/></a>'],
    ['an attribute with an undeclared prefix', '<a p:x="1"/>'],
    ['a prefix undeclared (bound to "")', '<a xmlns:p=""/>'],
    ['the xmlns prefix bound', '<a xmlns:xmlns="urn:x"/>'],
    ['a name with two colons', '<a xmlns:p="urn:p"><p:b:c/></a>'],
  ])('throws MalformedXML for %s', (_, document) => {
    expect(codeOf(document)).toBe('MalformedXML');
  });
});

describe('readXml: what it refuses', () => {
  it(`reads ${MAX_XML_DEPTH} nested elements and refuses one more`, () => {
    const nested = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    let element: XmlElement | undefined = read(nested(MAX_XML_DEPTH));
    let depth = 0;
    while (element !== undefined) {
      depth += 1;
      element = childElements(element)[0];
    }
    expect(depth).toBe(MAX_XML_DEPTH);
    expect(codeOf(nested(MAX_XML_DEPTH + 1))).toBe('MalformedXML');
  });

  it('throws MaxMessageLengthExceeded one byte over the limit, counting UTF-8 bytes', () => {
    const document = `<a>${'é'.repeat(10)}</a>`;
    const bytes = Buffer.byteLength(document);
    expect(readXml(document, bytes).localName).toBe('a');
    expect(s3ErrorOf(() => readXml(document, bytes - 1)).code).toBe('MaxMessageLengthExceeded');
    expect(s3ErrorOf(() => readXml(Buffer.from(document), bytes - 1)).code).toBe('MaxMessageLengthExceeded');
  });

  it.each([
    ['an empty body', ''],
    ['white space only', ' \n'],
    ['text only', 'AES256'],
    ['two roots', '<a/><b/>'],
    ['text after a self-closing root', '<a/>x'],
    ['text after a self-closing root, behind a comment', '<a b="/>"/><!-- c -->x'],
    ['text after the root', '<a></a>x'],
    ['text before the root', 'x<a/>'],
    ['CDATA after the root', '<a/><![CDATA[x]]>'],
    ['an unclosed element', '<a><b></a>'],
    ['a repeated attribute', '<a x="1" x="2"/>'],
    ['a DOCTYPE', '<!DOCTYPE a><a/>'],
    ['an entity declaration', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
    ['a processing instruction', '<a><?pi x?></a>'],
    ['a declaration after the start', ' <?xml version="1.0"?><a/>'],
    ['an unterminated comment', '<a/><!--'],
    ['a NUL character', '<a>\u0000</a>'],
    ['a lone surrogate', '<a>\ud800</a>'],
    ['a __proto__ element', '<a><__proto__/></a>'],
    ['a constructor attribute', '<a constructor="x"/>'],
  ])('throws MalformedXML for %s', (_, document) => {
    expect(codeOf(document)).toBe('MalformedXML');
  });

  it('throws MalformedXML for bytes that are not UTF-8', () => {
    expect(codeOf(Uint8Array.of(0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e))).toBe('MalformedXML');
  });
});

describe('childElements and textContent', () => {
  it('childElements throws MalformedXML for text that is not white space, CDATA included', () => {
    expect(s3ErrorOf(() => childElements(read('<a>x<b/></a>'))).code).toBe('MalformedXML');
    expect(s3ErrorOf(() => childElements(read('<a><![CDATA[x]]><b/></a>'))).code).toBe('MalformedXML');
    expect(s3ErrorOf(() => childElements(read('<a>&#32;<b/></a>'))).code).toBe('MalformedXML');
    expect(childElements(read('<a> <![CDATA[ ]]> <b/>\n</a>'))).toHaveLength(1);
  });

  it('textContent throws MalformedXML for an element inside the text', () => {
    expect(s3ErrorOf(() => textContent(read('<a>x<b/></a>'))).code).toBe('MalformedXML');
    expect(textContent(read('<a/>'))).toBe('');
  });
});

// ---- properties

/** Counts the nodes of a tree, checking the shape every node must have. */
function checkShape(node: XmlNode): void {
  if (node.kind === 'text') {
    expect(typeof node.text).toBe('string');
    return;
  }
  expect(node.localName).not.toBe('');
  expect(node.localName).not.toContain(':');
  expect(typeof node.namespace).toBe('string');
  for (const child of node.children) checkShape(child);
}

/** Calls readXml and lets only its two client errors through; returns the tree, if any. */
function readOrS3Error(body: Uint8Array | string): XmlElement | undefined {
  try {
    const root = readXml(body, 4096);
    checkShape(root);
    return root;
  } catch (error) {
    expect(error).toBeInstanceOf(S3Error);
    expect(['MalformedXML', 'MaxMessageLengthExceeded']).toContain((error as S3Error).code);
    return undefined;
  }
}

const XML_PIECES = fc.constantFrom(
  '<a>',
  '</a>',
  '<b/>',
  '<p:c xmlns:p="urn:p">',
  '</p:c>',
  ' xmlns="urn:d"',
  ' x="1"',
  ' q:y="2"',
  '&amp;',
  '&#65;',
  '&#0;',
  '&e;',
  '&',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<?pi?>',
  '<!DOCTYPE a [<!ENTITY e "x">]>',
  '<',
  '>',
  '/',
  '"',
  ' ',
  '\n',
  'toString',
  '__proto__',
);

describe('readXml (properties)', () => {
  it('returns a tree or throws MalformedXML / MaxMessageLengthExceeded for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        readOrS3Error(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('returns a tree or throws MalformedXML / MaxMessageLengthExceeded for any string of XML pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(XML_PIECES, fc.string({ maxLength: 4 })), { maxLength: 40 }),
        (pieces) => {
          readOrS3Error(pieces.join(''));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
