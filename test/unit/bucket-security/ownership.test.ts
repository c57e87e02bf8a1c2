// The ownership controls subresource (lib/ownership/): the Put body's schema rules (LocalStack's
// AWS-validated TestS3BucketOwnershipControls), CreateBucket's header, the Get document, the attribute.
import { describe, expect, it } from 'vitest';
import { getProfile, S3_NAMESPACE } from '../../../lib/encryption/profiles.ts';
import { ownershipControlsCodec } from '../../../lib/ownership/codec.ts';
import { parseObjectOwnershipHeader } from '../../../lib/ownership/parse.ts';
import { readConfiguration } from '../../../lib/storage/buckets.ts';
import { s3ErrorOf } from '../../helpers/s3-error.ts';

const aws = getProfile('aws');
const OPTIONS = { region: 'us-east-1', obsDomain: 'myhuaweicloud.com' };
const parse = (body: string) => ownershipControlsCodec.parse(body, aws, OPTIONS);
const controls = (rules: string, namespace = S3_NAMESPACE) =>
  `<OwnershipControls xmlns="${namespace}">${rules}</OwnershipControls>`;
const rule = (value: string) => `<Rule><ObjectOwnership>${value}</ObjectOwnership></Rule>`;

describe('parseOwnershipControls', () => {
  it.each(['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'])('returns %s', (value) => {
    expect(parse(controls(rule(value)))).toStrictEqual({ objectOwnership: value });
    expect(parse(`<OwnershipControls>${rule(value)}</OwnershipControls>`)).toStrictEqual({
      objectOwnership: value,
    });
  });

  it.each([
    ['two rules', controls(rule('ObjectWriter') + rule('BucketOwnerPreferred'))],
    ['no rule', controls('')],
    ['another value', controls(rule('RandomValue'))],
    ['a value in another case', controls(rule('bucketownerenforced'))],
    ['an empty rule', controls('<Rule/>')],
    [
      'two values in a rule',
      controls(
        '<Rule><ObjectOwnership>ObjectWriter</ObjectOwnership><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule>',
      ),
    ],
    ['an unknown element', controls(`${rule('ObjectWriter')}<Other/>`)],
    ['another root', `<Ownership>${rule('ObjectWriter')}</Ownership>`],
    ['another namespace', controls(rule('ObjectWriter'), 'http://example.com/')],
    ['an empty body', ''],
  ])('throws MalformedXML for %s', (_name, body) => {
    expect(s3ErrorOf(() => parse(body)).code).toBe('MalformedXML');
  });
});

describe('parseObjectOwnershipHeader', () => {
  it('returns a valid value', () => {
    expect(parseObjectOwnershipHeader('ObjectWriter')).toBe('ObjectWriter');
  });

  // LocalStack's AWS-validated snapshot: InvalidArgument naming the header, the value in the message.
  it.each(['RandomValue', ''])('throws InvalidArgument naming the header for %j', (value) => {
    const error = s3ErrorOf(() => parseObjectOwnershipHeader(value));
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toBe(`Invalid x-amz-object-ownership header: ${value}`);
    expect(error.fields).toEqual({ ArgumentName: 'x-amz-object-ownership' });
  });
});

describe('the ownership controls document and attribute', () => {
  it('answers the rule in S3s namespace, and parses back', () => {
    const body = ownershipControlsCodec.serialize({ objectOwnership: 'BucketOwnerEnforced' }, aws, OPTIONS);
    expect(body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<OwnershipControls xmlns="${S3_NAMESPACE}"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`,
    );
    expect(parse(body)).toStrictEqual({ objectOwnership: 'BucketOwnerEnforced' });
  });

  it('stores a map holding objectOwnership, reads it back, and nothing from an item without it', () => {
    const stored = ownershipControlsCodec.toAttribute({ objectOwnership: 'ObjectWriter' });
    expect(stored).toEqual({ M: { objectOwnership: { S: 'ObjectWriter' } } });
    expect(readConfiguration(ownershipControlsCodec, { item: { ownershipControls: stored } })).toEqual({
      objectOwnership: 'ObjectWriter',
    });
    expect(readConfiguration(ownershipControlsCodec, { item: {} })).toBeUndefined();
    expect(ownershipControlsCodec.view({ objectOwnership: 'ObjectWriter' })).toEqual({
      ObjectOwnership: 'ObjectWriter',
    });
    expect(ownershipControlsCodec.view(undefined)).toBeNull();
  });
});
