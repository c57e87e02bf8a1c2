// CreateBucket's optional body: <CreateBucketConfiguration><LocationConstraint>region</…></…>.
// Pure. The XML is read with the same hardening as the encryption configuration (no DOCTYPE, no
// entities, no processing instructions).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformedXml, S3Error } from './errors.ts';

const MAX_BYTES = 64 * 1024;
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
});

/** The region the bucket is created in: the constraint, or the service's region when none. */
export function parseLocationConstraint(body: Uint8Array, serviceRegion: string): string {
  if (body.byteLength === 0) return serviceRegion;
  if (body.byteLength > MAX_BYTES) throw new S3Error('MaxMessageLengthExceeded');
  const text = Buffer.from(body).toString('utf8');
  if (/<!|<\?(?!xml[\s?])/i.test(text.replace(/^\uFEFF?<\?xml[^>]*\?>/, '')))
    throw malformedXml('markup declaration');
  if (XMLValidator.validate(text) !== true) throw malformedXml('not well-formed');
  const document = parser.parse(text) as Record<string, unknown>;
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
