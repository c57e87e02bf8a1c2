// The PublicAccessBlock subresource (lib/public-access-block/): the Put body's schema rules, the Get
// document in each profile, and the stored attribute (docs/behaviour.md "Block Public Access").
import { describe, expect, it } from 'vitest';
import { getProfile, S3_NAMESPACE } from '../../../lib/encryption/profiles.ts';
import { publicAccessBlockCodec } from '../../../lib/public-access-block/codec.ts';
import { BLOCK_ALL_PUBLIC_ACCESS } from '../../../lib/public-access-block/model.ts';
import { readConfiguration } from '../../../lib/storage/buckets.ts';
import { s3ErrorOf } from '../../helpers/s3-error.ts';

const aws = getProfile('aws');
const obs = getProfile('obs');
const OPTIONS = { region: 'us-east-1', obsDomain: 'myhuaweicloud.com' };
const parse = (body: string, profile = aws) => publicAccessBlockCodec.parse(body, profile, OPTIONS);
const document = (flags: string, namespace = S3_NAMESPACE) =>
  `<PublicAccessBlockConfiguration xmlns="${namespace}">${flags}</PublicAccessBlockConfiguration>`;
const NONE = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

describe('parsePublicAccessBlock', () => {
  it('returns the four flags as sent, in any order', () => {
    expect(
      parse(
        document(
          '<RestrictPublicBuckets>true</RestrictPublicBuckets><BlockPublicAcls>true</BlockPublicAcls>' +
            '<IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>',
        ),
      ),
    ).toStrictEqual({
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
  });

  // LocalStack's AWS-validated snapshot (TestS3PublicAccessBlock): RestrictPublicBuckets left out of
  // the Put is answered false by the Get.
  it('returns false for a flag left out, and all false for an empty configuration', () => {
    expect(parse(document('<BlockPublicPolicy>true</BlockPublicPolicy>'))).toStrictEqual({
      ...NONE,
      blockPublicPolicy: true,
    });
    expect(parse(document(''))).toStrictEqual(NONE);
    expect(parse('<PublicAccessBlockConfiguration/>')).toStrictEqual(NONE);
  });

  it('accepts no namespace, S3s, and in the obs profile an OBS namespace', () => {
    expect(
      parse(
        '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>',
      ).blockPublicAcls,
    ).toBe(true);
    const obsNamespace = 'http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/';
    expect(
      parse(document('<BlockPublicAcls>true</BlockPublicAcls>', obsNamespace), obs).blockPublicAcls,
    ).toBe(true);
    expect(s3ErrorOf(() => parse(document('', obsNamespace), aws)).code).toBe('MalformedXML');
  });

  it.each([
    ['an empty body', ''],
    ['another root', '<PublicAccessBlock><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlock>'],
    ['another namespace', document('', 'http://example.com/')],
    ['an unknown element', document('<BlockPublicAccess>true</BlockPublicAccess>')],
    [
      'a flag twice',
      document('<BlockPublicAcls>true</BlockPublicAcls><BlockPublicAcls>true</BlockPublicAcls>'),
    ],
    ['TRUE', document('<BlockPublicAcls>TRUE</BlockPublicAcls>')],
    ['1', document('<BlockPublicAcls>1</BlockPublicAcls>')],
    ['a padded value', document('<BlockPublicAcls> true</BlockPublicAcls>')],
    ['an empty value', document('<BlockPublicAcls></BlockPublicAcls>')],
    ['a nested element', document('<BlockPublicAcls><true/></BlockPublicAcls>')],
    ['text beside the flags', document('yes<BlockPublicAcls>true</BlockPublicAcls>')],
    [
      'a flag in another namespace',
      document('<BlockPublicAcls xmlns="http://example.com/">true</BlockPublicAcls>'),
    ],
    ['a DOCTYPE', `<!DOCTYPE a [<!ENTITY t "true">]>${document('<BlockPublicAcls>&t;</BlockPublicAcls>')}`],
  ])('throws MalformedXML for %s', (_name, body) => {
    expect(s3ErrorOf(() => parse(body)).code).toBe('MalformedXML');
  });
});

describe('serializePublicAccessBlock', () => {
  it("answers all four flags in AWS's order, in S3's namespace", () => {
    expect(publicAccessBlockCodec.serialize({ ...NONE, ignorePublicAcls: true }, aws, OPTIONS)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<PublicAccessBlockConfiguration xmlns="${S3_NAMESPACE}"><BlockPublicAcls>false</BlockPublicAcls>` +
        '<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy>' +
        '<RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
    );
  });

  it("answers OBS's declaration and namespace in the obs profile (OBS API reference sample)", () => {
    const body = publicAccessBlockCodec.serialize(BLOCK_ALL_PUBLIC_ACCESS, obs, {
      region: 'cn-north-4',
      obsDomain: 'myhuaweicloud.com',
    });
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')).toBe(true);
    expect(body).toContain(
      '<PublicAccessBlockConfiguration xmlns="http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/">',
    );
  });

  it('round-trips: what it answers parses back to the same flags', () => {
    for (const flags of [NONE, BLOCK_ALL_PUBLIC_ACCESS, { ...NONE, restrictPublicBuckets: true }]) {
      expect(parse(publicAccessBlockCodec.serialize(flags, aws, OPTIONS))).toStrictEqual(flags);
    }
  });
});

describe('the PublicAccessBlock codec', () => {
  it('stores a map of four booleans on the bucket item, and reads it back', () => {
    expect(publicAccessBlockCodec.attribute).toBe('publicAccessBlock');
    const stored = publicAccessBlockCodec.toAttribute({ ...NONE, blockPublicPolicy: true });
    expect(stored).toEqual({
      M: {
        blockPublicAcls: { BOOL: false },
        ignorePublicAcls: { BOOL: false },
        blockPublicPolicy: { BOOL: true },
        restrictPublicBuckets: { BOOL: false },
      },
    });
    expect(readConfiguration(publicAccessBlockCodec, { item: { publicAccessBlock: stored } })).toStrictEqual({
      ...NONE,
      blockPublicPolicy: true,
    });
  });

  it('reads nothing from an item without the attribute (a bucket created before it existed)', () => {
    expect(readConfiguration(publicAccessBlockCodec, { item: {} })).toBeUndefined();
    expect(publicAccessBlockCodec.view(undefined)).toBeNull();
  });

  it("shows an auditor the flags in S3's element names", () => {
    expect(publicAccessBlockCodec.view(BLOCK_ALL_PUBLIC_ACCESS)).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });
});
