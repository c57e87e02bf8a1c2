// CreateBucket's optional body: <CreateBucketConfiguration><LocationConstraint>region</…></…>.
// Pure. The body is read by lib/xml/read.ts, like every XML body (no DOCTYPE, no entities, no
// processing instructions); this module holds the schema rules only.
import { malformedXml, S3Error } from './errors.ts';
import { childElements, readXml, textContent } from './xml/read.ts';

const MAX_BYTES = 64 * 1024;

/** The region the bucket is created in: the constraint, or the service's region when none. */
export function parseLocationConstraint(body: Uint8Array, serviceRegion: string): string {
  if (body.byteLength === 0) return serviceRegion;
  const root = readXml(body, MAX_BYTES);
  if (root.localName !== 'CreateBucketConfiguration') throw malformedXml('root');
  let constraint: string | undefined;
  for (const element of childElements(root)) {
    // Other CreateBucketConfiguration elements (Location, Bucket: directory buckets) are not served.
    if (element.localName !== 'LocationConstraint') throw malformedXml('unknown element');
    if (constraint !== undefined) throw malformedXml('duplicate LocationConstraint');
    constraint = textContent(element);
  }
  if (constraint === undefined || constraint === '') return serviceRegion;
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
