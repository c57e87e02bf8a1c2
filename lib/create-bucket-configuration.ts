// CreateBucket's optional body: <CreateBucketConfiguration><LocationConstraint>region</…></…>, or in
// Huawei OBS's own dialect <CreateBucketConfiguration><Location>region</…></…> (OBS API reference,
// "Creating a Bucket"; esdk-obs-nodejs's obsModel.js sends `Location` after signing OBS-style).
// Pure. The body is read by lib/xml/read.ts, like every XML body (no DOCTYPE, no entities, no
// processing instructions); this module holds the schema rules only.
import { malformedXml, notImplemented, S3Error } from './errors.ts';
import { S3_LOCATION_CONSTRAINTS } from './regions.ts';
import { childElements, readXml, textContent, type XmlElement } from './xml/read.ts';

const MAX_BYTES = 64 * 1024;

/**
 * The region the bucket is created in: the constraint, or the service's region when none. `element` is
 * the one the request's dialect names the region with (the profile's `locationDocument`).
 */
export function parseLocationConstraint(
  body: Uint8Array,
  serviceRegion: string,
  element: 'LocationConstraint' | 'Location' = 'LocationConstraint',
): string {
  if (body.byteLength === 0) return serviceRegion;
  const root = readXml(body, MAX_BYTES);
  if (root.localName !== 'CreateBucketConfiguration') throw malformedXml('root');
  let constraint: string | undefined;
  let tags: XmlElement | undefined;
  for (const child of childElements(root)) {
    if (element === 'LocationConstraint' && child.localName === 'Tags' && tags === undefined) {
      tags = child;
      continue;
    }
    // Other CreateBucketConfiguration elements (S3's Location and Bucket: directory buckets) are not served.
    if (child.localName !== element) throw malformedXml('unknown element');
    if (constraint !== undefined) throw malformedXml(`duplicate ${element}`);
    constraint = textContent(child);
  }
  if (tags !== undefined) refuseBucketTags(tags);
  if (constraint === undefined) return serviceRegion;
  // An empty LocationConstraint names no region, which AWS refuses (InvalidLocationConstraint with the
  // empty value, versitygw's "empty location constraint" test, which runs against AWS too); OBS's empty
  // Location is its default region.
  if (constraint === '' && element === 'Location') return serviceRegion;
  const invalid = () =>
    new S3Error('InvalidLocationConstraint', { fields: { LocationConstraint: constraint } });
  // AWS: us-east-1 is never named explicitly (OBS always names it).
  if (element === 'LocationConstraint' && constraint === 'us-east-1' && serviceRegion === 'us-east-1') {
    throw invalid();
  }
  if (constraint !== serviceRegion) {
    // At us-east-1, AWS tells a name that is no location constraint (`foo`, `aws-global`) from another
    // region; any other endpoint refuses both as incompatible with itself (LocalStack's AWS-validated
    // snapshots, test_create_bucket_with_invalid_location_constraint, test_bucket_constraint_aws_global).
    if (serviceRegion === 'us-east-1' && !S3_LOCATION_CONSTRAINTS.has(constraint)) throw invalid();
    // Another region: AWS would create the bucket there from us-east-1; this deployment serves its own
    // region only (docs/behaviour.md "CreateBucket").
    throw new S3Error('IllegalLocationConstraintException', {
      message: `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    });
  }
  return constraint;
}

/**
 * S3's `Tags` (tags given to the bucket as it is created): each `Tag` must hold one `Key` and one
 * `Value` (MalformedXML otherwise, as AWS answers). No tag at all (`<Tags/>`) creates the bucket as
 * AWS does; any tag is 501 NotImplemented, as bucket tagging is (LocalStack's AWS-validated snapshots,
 * test_create_bucket_with_empty_tags and test_create_bucket_with_tags_exc).
 */
function refuseBucketTags(tags: XmlElement): void {
  let count = 0;
  for (const tag of childElements(tags)) {
    if (tag.localName !== 'Tag') throw malformedXml('unknown element in Tags');
    const names = childElements(tag).map((field) => field.localName);
    if (names.length !== 2 || !names.includes('Key') || !names.includes('Value')) {
      throw malformedXml('a Tag needs one Key and one Value');
    }
    count++;
  }
  if (count > 0) throw notImplemented('Bucket tags are not implemented by this service');
}
