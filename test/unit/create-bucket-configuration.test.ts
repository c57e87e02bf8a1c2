import { describe, expect, it } from 'vitest';
import { parseLocationConstraint } from '../../lib/create-bucket-configuration.ts';
import { s3ErrorOf } from './encryption/fixtures.ts';

const REGION = 'eu-west-1';
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const parse = (body: string, region = REGION) => parseLocationConstraint(Buffer.from(body), region);
const codeOf = (body: string, region = REGION) => s3ErrorOf(() => parse(body, region)).code;
const configuration = (constraint: string) =>
  `<CreateBucketConfiguration xmlns="${S3_NAMESPACE}"><LocationConstraint>${constraint}</LocationConstraint></CreateBucketConfiguration>`;

describe('parseLocationConstraint', () => {
  it.each([
    ['no body', ''],
    ['an empty configuration', '<CreateBucketConfiguration/>'],
    ['white space only in the configuration', '<CreateBucketConfiguration>\n  </CreateBucketConfiguration>'],
  ])('returns the service region for %s', (_, body) => {
    expect(parse(body)).toBe(REGION);
  });

  it.each([
    ['as SDKs send it', configuration(REGION)],
    [
      'pretty-printed',
      `<?xml version="1.0" encoding="UTF-8"?>\n<CreateBucketConfiguration xmlns="${S3_NAMESPACE}">\n  <LocationConstraint>${REGION}</LocationConstraint>\n</CreateBucketConfiguration>\n`,
    ],
    ['with a character reference', configuration('eu-west-&#49;')],
    ['in CDATA', configuration(`<![CDATA[${REGION}]]>`)],
    [
      'with a namespace prefix',
      `<s3:CreateBucketConfiguration xmlns:s3="${S3_NAMESPACE}"><s3:LocationConstraint>${REGION}</s3:LocationConstraint></s3:CreateBucketConfiguration>`,
    ],
  ])('returns the constraint naming the service region, written %s', (_, body) => {
    expect(parse(body)).toBe(REGION);
  });

  it('throws InvalidLocationConstraint with the empty value for an empty LocationConstraint in us-east-1', () => {
    for (const body of [
      configuration(''),
      `<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>`,
    ]) {
      const error = s3ErrorOf(() => parse(body, 'us-east-1'));
      expect([error.code, error.fields]).toEqual(['InvalidLocationConstraint', { LocationConstraint: '' }]);
    }
  });

  it('throws InvalidLocationConstraint when us-east-1 is named in us-east-1', () => {
    expect(codeOf(configuration('us-east-1'), 'us-east-1')).toBe('InvalidLocationConstraint');
  });

  it('throws IllegalLocationConstraintException naming another region', () => {
    const error = s3ErrorOf(() => parse(configuration('ap-south-1')));
    expect(error.code).toBe('IllegalLocationConstraintException');
    expect(error.message).toContain('ap-south-1');
  });

  // LocalStack's AWS-validated snapshots: test_create_bucket_with_invalid_location_constraint
  // ([us-east-1-foo], [eu-west-1-bar]) and test_bucket_constraint_aws_global ([us-east-1], [us-west-1]).
  it.each(['foo', 'aws-global', 'us-east-7', 'EU-WEST-1'])(
    'throws InvalidLocationConstraint with the constraint for %s, no location constraint, in us-east-1',
    (constraint) => {
      const error = s3ErrorOf(() => parse(configuration(constraint), 'us-east-1'));
      expect([error.code, error.message, error.fields]).toEqual([
        'InvalidLocationConstraint',
        'The specified location-constraint is not valid',
        { LocationConstraint: constraint },
      ]);
    },
  );

  it.each(['eu-west-1', 'EU', 'ap-southeast-7'])(
    'throws IllegalLocationConstraintException for %s, another region, in us-east-1',
    (constraint) => {
      expect(codeOf(configuration(constraint), 'us-east-1')).toBe('IllegalLocationConstraintException');
    },
  );

  it.each(['bar', 'aws-global'])(
    'throws IllegalLocationConstraintException for %s outside us-east-1',
    (constraint) => {
      const error = s3ErrorOf(() => parse(configuration(constraint), 'us-west-1'));
      expect([error.code, error.message]).toEqual([
        'IllegalLocationConstraintException',
        `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      ]);
    },
  );

  it.each([
    [
      'another root element',
      '<CreateBucket><LocationConstraint>eu-west-1</LocationConstraint></CreateBucket>',
    ],
    [
      'an element the service does not serve',
      '<CreateBucketConfiguration><Location/></CreateBucketConfiguration>',
    ],
    ['two constraints', configuration(`${REGION}</LocationConstraint><LocationConstraint>${REGION}`)],
    ['an element in the constraint', configuration('<a/>')],
    [
      'text beside the constraint',
      `<CreateBucketConfiguration>x<LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
    ],
    ['an undefined entity', configuration('&region;')],
    ['an undeclared prefix', '<s3:CreateBucketConfiguration/>'],
    ['a DOCTYPE', `<!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]>${configuration('&e;')}`],
    ['text after the configuration', '<CreateBucketConfiguration/>x'],
  ])('throws MalformedXML for %s', (_, body) => {
    expect(codeOf(body)).toBe('MalformedXML');
  });

  // LocalStack's AWS-validated snapshots: test_create_bucket_with_empty_tags, test_create_bucket_with_tags_exc.
  describe('Tags', () => {
    const tagged = (tags: string, constraint = '') =>
      `<CreateBucketConfiguration xmlns="${S3_NAMESPACE}">${constraint}<Tags>${tags}</Tags></CreateBucketConfiguration>`;

    it('creates the bucket for no tag at all', () => {
      expect(parse(tagged(''))).toBe(REGION);
      expect(parse(tagged('\n  ', `<LocationConstraint>${REGION}</LocationConstraint>`))).toBe(REGION);
    });

    it('throws 501 NotImplemented for a tag, as bucket tagging is not served', () => {
      const error = s3ErrorOf(() => parse(tagged('<Tag><Key>tag1</Key><Value>value1</Value></Tag>')));
      expect([error.code, error.statusCode]).toEqual(['NotImplemented', 501]);
    });

    it.each([
      ['a Tag without Key', '<Tag><Value>v</Value></Tag>'],
      ['a Tag without Value', '<Tag><Key>k</Key></Tag>'],
      ['a Tag with two Keys', '<Tag><Key>k</Key><Key>k</Key></Tag>'],
      ['something else than a Tag', '<Other/>'],
    ])('throws MalformedXML for %s', (_name, tags) => {
      expect(codeOf(tagged(tags))).toBe('MalformedXML');
    });

    it("throws MalformedXML for two Tags, and for Tags in OBS's dialect", () => {
      expect(codeOf(`<CreateBucketConfiguration><Tags/><Tags/></CreateBucketConfiguration>`)).toBe(
        'MalformedXML',
      );
      expect(
        s3ErrorOf(() =>
          parseLocationConstraint(
            Buffer.from('<CreateBucketConfiguration><Tags/></CreateBucketConfiguration>'),
            REGION,
            'Location',
          ),
        ).code,
      ).toBe('MalformedXML');
    });
  });

  it('throws MaxMessageLengthExceeded over 64 KiB', () => {
    expect(codeOf(configuration(REGION) + ' '.repeat(64 * 1024))).toBe('MaxMessageLengthExceeded');
  });

  describe("in OBS's dialect (<Location>)", () => {
    const OBS_NAMESPACE = 'http://obs.us-east-1.myhuaweicloud.com/doc/2015-06-30/';
    const location = (region: string) =>
      `<CreateBucketConfiguration xmlns="${OBS_NAMESPACE}"><Location>${region}</Location></CreateBucketConfiguration>`;
    const obs = (body: string, region: string) =>
      parseLocationConstraint(Buffer.from(body), region, 'Location');

    it('returns the region named, us-east-1 included (OBS always names it)', () => {
      expect(obs(location('us-east-1'), 'us-east-1')).toBe('us-east-1');
      expect(obs(location(REGION), REGION)).toBe(REGION);
      expect(obs('', REGION)).toBe(REGION);
    });

    it('throws IllegalLocationConstraintException naming another region', () => {
      expect(s3ErrorOf(() => obs(location('ap-south-1'), REGION)).code).toBe(
        'IllegalLocationConstraintException',
      );
    });

    it("throws MalformedXML for S3's element, and S3's dialect for OBS's", () => {
      expect(s3ErrorOf(() => obs(configuration(REGION), REGION)).code).toBe('MalformedXML');
      expect(codeOf(location(REGION))).toBe('MalformedXML');
    });
  });
});
