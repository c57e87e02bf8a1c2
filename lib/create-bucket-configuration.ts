// CreateBucket's optional body: <CreateBucketConfiguration><LocationConstraint>region</…></…>.
// Pure. The body is read through lib/xml-input.ts, like every XML body (no DOCTYPE, no entities,
// no processing instructions).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isS3Error, malformedXml, S3Error } from './errors.ts';
import { readXmlText } from './xml-input.ts';

const MAX_BYTES = 64 * 1024;
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
});

// A reference other than the five predefined entities and character references: no DTD defines it.
const UNDEFINED_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/;

/** The region the bucket is created in: the constraint, or the service's region when none. */
export function parseLocationConstraint(body: Uint8Array, serviceRegion: string): string {
  if (body.byteLength === 0) return serviceRegion;
  const text = readXmlText(body, MAX_BYTES);
  if (UNDEFINED_ENTITY.test(text)) throw malformedXml('undefined entity or stray &');
  let document: Record<string, unknown>;
  try {
    if (XMLValidator.validate(text) !== true) throw malformedXml('not well-formed');
    // fast-xml-parser throws plain Errors on deep nesting and on names such as __proto__.
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (isS3Error(error)) throw error;
    throw malformedXml(error instanceof Error ? error.message : 'unparseable body');
  }
  const root = document.CreateBucketConfiguration;
  if (root === undefined || Object.keys(document).length !== 1) throw malformedXml('root');
  if (root === '') return serviceRegion;
  if (typeof root !== 'object' || root === null) throw malformedXml('root content');
  const { LocationConstraint: constraint, ...rest } = root as Record<string, unknown>;
  // Other CreateBucketConfiguration elements (Location, Bucket: directory buckets) are not served.
  if (Object.keys(rest).some((name) => !name.startsWith('@_'))) throw malformedXml('unknown element');
  if (constraint === undefined || constraint === '') return serviceRegion;
  if (typeof constraint !== 'string') throw malformedXml('LocationConstraint');
  // AWS: us-east-1 is never named explicitly; another region than the endpoint's is illegal here.
  if (constraint === 'us-east-1' && serviceRegion === 'us-east-1') {
    throw new S3Error('InvalidLocationConstraint', { fields: { LocationConstraint: constraint } });
  }
  if (constraint !== serviceRegion) {
    throw new S3Error('IllegalLocationConstraintException', {
      message: `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    });
  }
  return constraint;
}
