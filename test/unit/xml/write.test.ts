import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childElements, readXml, textContent } from '../../../lib/xml/read.ts';
import { escapeXml, XML_DECLARATION, xmlDocument } from '../../../lib/xml/write.ts';

describe('escapeXml', () => {
  it('escapes the five characters markup uses, and nothing else', () => {
    expect(escapeXml(`<a href="x">&'</a> ]]> é`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt; ]]&gt; é',
    );
    expect(escapeXml('AES256')).toBe('AES256');
  });
});

describe('xmlDocument', () => {
  it('writes the declaration, the namespace, attributes, repeated, empty and left-out elements', () => {
    expect(
      xmlDocument(
        'ListAllMyBucketsResult',
        {
          Owner: { ID: 'a&b' },
          Buckets: { Bucket: [{ Name: 'one' }, { Name: 'two' }] },
          Empty: null,
          Absent: undefined,
          Tagged: { '@_kind': 'x"y', Value: 1 },
        },
        'http://s3.amazonaws.com/doc/2006-03-01/',
      ),
    ).toBe(
      `${XML_DECLARATION}<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>a&amp;b</ID></Owner><Buckets><Bucket><Name>one</Name></Bucket><Bucket><Name>two</Name></Bucket></Buckets><Empty/><Tagged kind="x&quot;y"><Value>1</Value></Tagged></ListAllMyBucketsResult>`,
    );
  });

  it('writes no namespace when none is given', () => {
    expect(xmlDocument('Error', { Code: 'NoSuchBucket' })).toBe(
      `${XML_DECLARATION}<Error><Code>NoSuchBucket</Code></Error>`,
    );
  });
});

// Characters XML allows, without CR (an XML reader turns it into LF, as the specification says) and,
// in attribute values, without tab and LF (normalised to spaces).
const XML_TEXT = fc
  .string({ unit: 'binary', maxLength: 40 })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the characters XML forbids is the point
  .map((text) => text.replace(/[\0-\x08\x0B-\x1F\uFFFE\uFFFF]/gu, ''));
const ATTRIBUTE_TEXT = XML_TEXT.map((text) => text.replace(/[\t\n]/g, ''));

describe('write then read (properties)', () => {
  it('reads back every value and attribute xmlDocument wrote', () => {
    fc.assert(
      fc.property(fc.array(XML_TEXT, { maxLength: 5 }), ATTRIBUTE_TEXT, (values, attribute) => {
        const document = xmlDocument('Root', { Value: values, '@_label': attribute }, 'urn:test');
        const root = readXml(document, 1 << 20);
        expect(root.namespace).toBe('urn:test');
        expect(root.attributes).toEqual([{ localName: 'label', namespace: '', value: attribute }]);
        expect(childElements(root).map(textContent)).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });
});
