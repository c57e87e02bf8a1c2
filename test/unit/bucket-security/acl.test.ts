// Bucket ACLs (lib/acl/): what a PutBucketAcl or CreateBucket asks for, validated as AWS validates it
// (LocalStack's AWS-validated test_s3_bucket_acl_exceptions), reduced to "the owner's full control"
// or "grants others"; what this service does with each; and GetBucketAcl's document in each profile.
import { describe, expect, it } from 'vitest';
import {
  acceptOwnerOnlyAcl,
  readAccessControlPolicy,
  readAclHeaders,
  readPutBucketAcl,
} from '../../../lib/acl/request.ts';
import { serializeBucketAcl } from '../../../lib/acl/serialize.ts';
import { getProfile, S3_NAMESPACE } from '../../../lib/encryption/profiles.ts';
import { s3ErrorOf } from '../../helpers/s3-error.ts';

const aws = getProfile('aws');
const obs = getProfile('obs');
const OWNER = '111122223333';
const OTHER = '444455556666';
const OPTIONS = { region: 'us-east-1', obsDomain: 'myhuaweicloud.com' };
const NO_BODY = new Uint8Array();
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

const grant = (grantee: string, permission = 'FULL_CONTROL') =>
  `<Grant>${grantee}<Permission>${permission}</Permission></Grant>`;
const user = (id: string) => `<Grantee ${XSI} xsi:type="CanonicalUser"><ID>${id}</ID></Grantee>`;
const group = (uri: string) => `<Grantee ${XSI} xsi:type="Group"><URI>${uri}</URI></Grantee>`;
const policy = (grants: string, owner = `<Owner><ID>${OWNER}</ID></Owner>`) =>
  Buffer.from(
    `<AccessControlPolicy xmlns="${S3_NAMESPACE}">${owner}<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`,
  );
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

describe('readAclHeaders', () => {
  it.each([
    ['no ACL header', {}, 'none'],
    ['x-amz-acl: private', { 'x-amz-acl': 'private' }, 'owner-only'],
    ['x-amz-acl: bucket-owner-full-control', { 'x-amz-acl': 'bucket-owner-full-control' }, 'owner-only'],
    ['x-amz-acl: public-read', { 'x-amz-acl': 'public-read' }, 'public'],
    ['x-amz-acl: public-read-write', { 'x-amz-acl': 'public-read-write' }, 'public'],
    ['x-amz-acl: authenticated-read', { 'x-amz-acl': 'authenticated-read' }, 'public'],
    ['x-amz-acl: log-delivery-write', { 'x-amz-acl': 'log-delivery-write' }, 'grants-others'],
    ['x-amz-acl: aws-exec-read', { 'x-amz-acl': 'aws-exec-read' }, 'grants-others'],
    ['x-amz-acl: bucket-owner-read', { 'x-amz-acl': 'bucket-owner-read' }, 'grants-others'],
    ['full control to the owner', { 'x-amz-grant-full-control': `id="${OWNER}"` }, 'owner-only'],
    ['full control to the owner, unquoted', { 'x-amz-grant-full-control': `id=${OWNER}` }, 'owner-only'],
    ['full control to another account', { 'x-amz-grant-full-control': `id="${OTHER}"` }, 'grants-others'],
    [
      'full control to the owner and another',
      { 'x-amz-grant-full-control': `id="${OWNER}", id="${OTHER}"` },
      'grants-others',
    ],
    ['read to everyone', { 'x-amz-grant-read': `uri="${ALL_USERS}"` }, 'public'],
    ['read to any AWS account', { 'x-amz-grant-read': `uri="${AUTHENTICATED_USERS}"` }, 'public'],
    ['write to the log delivery group', { 'x-amz-grant-write': `uri="${LOG_DELIVERY}"` }, 'grants-others'],
    [
      'full control to the owner, read to everyone',
      { 'x-amz-grant-full-control': `id="${OWNER}"`, 'x-amz-grant-read': `uri="${ALL_USERS}"` },
      'public',
    ],
    ['read to the owner (not full control)', { 'x-amz-grant-read': `id="${OWNER}"` }, 'grants-others'],
    ['read by e-mail', { 'x-amz-grant-read': 'emailAddress="a@example.com"' }, 'by-email'],
    [
      'read to everyone and by e-mail',
      { 'x-amz-grant-read': `uri="${ALL_USERS}", emailAddress="a@example.com"` },
      'by-email',
    ],
  ] as const)('returns %s as %s', (_name, headers, verdict) => {
    expect(readAclHeaders(headers, 'x-amz-', OWNER)).toBe(verdict);
  });

  it("reads OBS's x-obs-* headers for a request in OBS's dialect, and not x-amz-* then", () => {
    expect(readAclHeaders({ 'x-obs-acl': 'public-read-delivered' }, 'x-obs-', OWNER)).toBe('public');
    expect(readAclHeaders({ 'x-obs-acl': 'private' }, 'x-obs-', OWNER)).toBe('owner-only');
    expect(readAclHeaders({ 'x-amz-acl': 'public-read' }, 'x-obs-', OWNER)).toBe('none');
  });

  it('throws InvalidArgument naming x-amz-acl for an unknown canned ACL', () => {
    const error = s3ErrorOf(() => readAclHeaders({ 'x-amz-acl': 'fake-acl' }, 'x-amz-', OWNER));
    // With an empty Message, as AWS answers (LocalStack's AWS-validated snapshot, put-bucket-canned-acl).
    expect([error.code, error.message, error.fields]).toEqual([
      'InvalidArgument',
      '',
      { ArgumentName: 'x-amz-acl', ArgumentValue: 'fake-acl' },
    ]);
  });

  it('throws InvalidRequest for a canned ACL together with grant headers', () => {
    const error = s3ErrorOf(() =>
      readAclHeaders({ 'x-amz-acl': 'private', 'x-amz-grant-read': `id="${OWNER}"` }, 'x-amz-', OWNER),
    );
    expect([error.code, error.message]).toEqual([
      'InvalidRequest',
      'Specifying both Canned ACLs and Header Grants is not allowed',
    ]);
  });

  it.each([
    ['fakekey="1234"', 'x-amz-grant-write', 'Argument format not recognized'],
    ['id=', 'x-amz-grant-write', 'Argument format not recognized'],
    [`id="${OWNER}",`, 'x-amz-grant-write', 'Argument format not recognized'],
    ['', 'x-amz-grant-write', 'Argument format not recognized'],
    ['uri="http://acs.amazonaws.com/groups/s3/FakeGroup"', 'uri', 'Invalid group uri'],
    ['id=""', 'id', 'Invalid id'],
    ['id="_foo"', 'id', 'Invalid id'],
    ['id=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be', 'id', 'Invalid id'],
    [`id="${OWNER}", id="12345678901"`, 'id', 'Invalid id'],
  ])('throws InvalidArgument for the grant %j', (value, argument, message) => {
    const error = s3ErrorOf(() => readAclHeaders({ 'x-amz-grant-write': value }, 'x-amz-', OWNER));
    expect([error.code, error.message, error.fields.ArgumentName]).toEqual([
      'InvalidArgument',
      message,
      argument,
    ]);
  });
});

describe('readAccessControlPolicy', () => {
  it("returns owner-only for the owner's one FULL_CONTROL grant", () => {
    expect(readAccessControlPolicy(policy(grant(user(OWNER))), aws, OWNER, OPTIONS)).toBe('owner-only');
  });

  it.each([
    ['a second grant to everyone', grant(user(OWNER)) + grant(group(ALL_USERS), 'READ')],
    ['a grant to any AWS account', grant(group(AUTHENTICATED_USERS), 'READ_ACP')],
  ])('returns public for %s', (_name, grants) => {
    expect(readAccessControlPolicy(policy(grants), aws, OWNER, OPTIONS)).toBe('public');
  });

  it.each([
    ['a second grant to the log delivery group', grant(user(OWNER)) + grant(group(LOG_DELIVERY), 'WRITE')],
    ['FULL_CONTROL to another account', grant(user(OTHER))],
    ['only READ to the owner', grant(user(OWNER), 'READ')],
    ['no grant at all', ''],
  ])('returns grants-others for %s', (_name, grants) => {
    expect(readAccessControlPolicy(policy(grants), aws, OWNER, OPTIONS)).toBe('grants-others');
  });

  it('returns by-email for a grant to an e-mail address, with or without a public one', () => {
    const byEmail = grant(
      `<Grantee ${XSI} xsi:type="AmazonCustomerByEmail"><EmailAddress>a@example.com</EmailAddress></Grantee>`,
      'READ',
    );
    expect(readAccessControlPolicy(policy(grant(user(OWNER)) + byEmail), aws, OWNER, OPTIONS)).toBe(
      'by-email',
    );
    expect(
      readAccessControlPolicy(policy(byEmail + grant(group(ALL_USERS), 'READ')), aws, OWNER, OPTIONS),
    ).toBe('by-email');
  });

  it.each([
    ['no Owner', policy(grant(user(OWNER)), '')],
    [
      'no AccessControlList',
      Buffer.from(`<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner></AccessControlPolicy>`),
    ],
    ['an unknown permission', policy(grant(user(OWNER), 'WRONG-PERMISSION'))],
    [
      'an unknown grantee type',
      policy(grant(`<Grantee ${XSI} xsi:type="BadType"><ID>${OWNER}</ID></Grantee>`)),
    ],
    ['a grantee without xsi:type', policy(grant(`<Grantee><ID>${OWNER}</ID></Grantee>`))],
    ['a Grant without Permission', policy(`<Grant>${user(OWNER)}</Grant>`)],
    ['another root', Buffer.from('<AccessControlList/>')],
    ['an empty policy', Buffer.from('<AccessControlPolicy/>')],
    // The schema before the ids: an unknown permission beside an id that names nobody, another Owner.
    [
      'an unknown permission granted to an id that is no account id',
      policy(grant(user('grt1'), 'invalid_permission')),
    ],
    [
      'an unknown grantee type, with another Owner',
      policy(
        grant(`<Grantee ${XSI} xsi:type="BadType"><ID>wrong-id</ID></Grantee>`),
        '<Owner><ID>wrong-id</ID></Owner>',
      ),
    ],
  ])('throws MalformedACLError for %s', (_name, body) => {
    expect(s3ErrorOf(() => readAccessControlPolicy(body, aws, OWNER, OPTIONS)).code).toBe(
      'MalformedACLError',
    );
  });

  it.each([
    [
      'an Owner other than the bucket owner',
      policy(grant(user(OWNER)), '<Owner><ID>wrong-id</ID></Owner>'),
      'CanonicalUser/ID',
    ],
    [
      'a grantee id that is no account id',
      policy(grant(user(OWNER)) + grant(user('_foo'))),
      'CanonicalUser/ID',
    ],
    [
      'a group that does not exist',
      policy(grant(group('http://acs.amazonaws.com/groups/s3/FakeGroup'))),
      'Group/URI',
    ],
  ])('throws InvalidArgument for %s', (_name, body, argument) => {
    const error = s3ErrorOf(() => readAccessControlPolicy(body, aws, OWNER, OPTIONS));
    expect([error.code, error.fields.ArgumentName]).toEqual(['InvalidArgument', argument]);
  });

  it("reads Huawei OBS's own form in the obs profile: no xsi:type, Delivered, Canned Everyone", () => {
    const obsPolicy = (grants: string) =>
      Buffer.from(
        `<AccessControlPolicy xmlns="http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/"><Owner><ID>${OWNER}</ID></Owner><AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`,
      );
    const mine = `<Grant><Grantee><ID>${OWNER}</ID></Grantee><Permission>FULL_CONTROL</Permission><Delivered>false</Delivered></Grant>`;
    const everyone =
      '<Grant><Grantee><Canned>Everyone</Canned></Grantee><Permission>READ</Permission></Grant>';
    expect(readAccessControlPolicy(obsPolicy(mine), obs, OWNER, OPTIONS)).toBe('owner-only');
    expect(readAccessControlPolicy(obsPolicy(mine + everyone), obs, OWNER, OPTIONS)).toBe('public');
    expect(s3ErrorOf(() => readAccessControlPolicy(obsPolicy(mine), aws, OWNER, OPTIONS)).code).toBe(
      'MalformedACLError',
    );
  });
});

describe('readPutBucketAcl', () => {
  it('throws UnexpectedContent for ACL headers with a body', () => {
    const error = s3ErrorOf(() =>
      readPutBucketAcl({ 'x-amz-acl': 'private' }, policy(grant(user(OWNER))), 'x-amz-', aws, OWNER),
    );
    expect(error.code).toBe('UnexpectedContent');
  });

  it('throws MissingSecurityHeader naming x-amz-acl for neither headers nor body', () => {
    const error = s3ErrorOf(() => readPutBucketAcl({}, NO_BODY, 'x-amz-', aws, OWNER));
    expect([error.code, error.fields]).toEqual(['MissingSecurityHeader', { MissingHeaderName: 'x-amz-acl' }]);
  });

  it('reads the headers, or else the body', () => {
    expect(readPutBucketAcl({ 'x-amz-acl': 'public-read' }, NO_BODY, 'x-amz-', aws, OWNER)).toBe('public');
    expect(readPutBucketAcl({}, policy(grant(user(OWNER))), 'x-amz-', aws, OWNER)).toBe('owner-only');
  });
});

describe('acceptOwnerOnlyAcl', () => {
  it.each([
    ['owner-only', 'BucketOwnerEnforced'],
    ['owner-only', undefined],
    ['none', 'BucketOwnerEnforced'],
  ] as const)('accepts %s under %s', (verdict, ownership) => {
    expect(() => acceptOwnerOnlyAcl(verdict, ownership, 'AccessControlListNotSupported')).not.toThrow();
  });

  it("refuses another's grant with the given code when ACLs are disabled, 501 otherwise", () => {
    expect(
      s3ErrorOf(() =>
        acceptOwnerOnlyAcl('grants-others', 'BucketOwnerEnforced', 'AccessControlListNotSupported'),
      ).code,
    ).toBe('AccessControlListNotSupported');
    expect(
      s3ErrorOf(() =>
        acceptOwnerOnlyAcl('grants-others', 'BucketOwnerEnforced', 'InvalidBucketAclWithObjectOwnership'),
      ).code,
    ).toBe('InvalidBucketAclWithObjectOwnership');
    for (const ownership of ['ObjectWriter', 'BucketOwnerPreferred', undefined]) {
      const error = s3ErrorOf(() =>
        acceptOwnerOnlyAcl('grants-others', ownership, 'AccessControlListNotSupported'),
      );
      expect([error.code, error.statusCode]).toEqual(['NotImplemented', 501]);
    }
  });

  it('refuses a public ACL with 403 AccessDenied when BlockPublicAcls is on, after ownership', () => {
    const refuse = (verdict: 'public' | 'grants-others', ownership: string | undefined, block: boolean) =>
      s3ErrorOf(() => acceptOwnerOnlyAcl(verdict, ownership, 'AccessControlListNotSupported', block));
    expect([refuse('public', undefined, true).code, refuse('public', undefined, true).statusCode]).toEqual([
      'AccessDenied',
      403,
    ]);
    expect(refuse('public', 'ObjectWriter', true).code).toBe('AccessDenied');
    expect(refuse('public', 'BucketOwnerEnforced', true).code).toBe('AccessControlListNotSupported');
    expect(refuse('public', undefined, false).code).toBe('NotImplemented');
    expect(refuse('grants-others', undefined, true).code).toBe('NotImplemented');
    expect(() =>
      acceptOwnerOnlyAcl('owner-only', undefined, 'AccessControlListNotSupported', true),
    ).not.toThrow();
  });

  it('refuses a grant by e-mail address with 405 MethodNotAllowed, as S3 since 1 October 2025, after ownership', () => {
    for (const ownership of ['ObjectWriter', 'BucketOwnerPreferred', undefined]) {
      const error = s3ErrorOf(() =>
        acceptOwnerOnlyAcl('by-email', ownership, 'AccessControlListNotSupported', true),
      );
      expect([error.code, error.statusCode]).toEqual(['MethodNotAllowed', 405]);
    }
    expect(
      s3ErrorOf(() => acceptOwnerOnlyAcl('by-email', 'BucketOwnerEnforced', 'AccessControlListNotSupported'))
        .code,
    ).toBe('AccessControlListNotSupported');
  });
});

describe('serializeBucketAcl', () => {
  it("answers the owner's FULL_CONTROL in S3's document", () => {
    expect(serializeBucketAcl(OWNER, aws, OPTIONS, 'aws')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<AccessControlPolicy xmlns="${S3_NAMESPACE}"><Owner><ID>${OWNER}</ID></Owner><AccessControlList>` +
        `<Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${OWNER}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>` +
        '</AccessControlList></AccessControlPolicy>',
    );
  });

  it.each(['obs', 'none'] as const)(
    "answers Huawei OBS's document in the obs profile to OBS's dialect (%s) (API reference, Obtaining Bucket ACL Information)",
    (dialect) => {
      expect(
        serializeBucketAcl(OWNER, obs, { region: 'cn-north-4', obsDomain: 'myhuaweicloud.com' }, dialect),
      ).toBe(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
          '<AccessControlPolicy xmlns="http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/">' +
          `<Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant><Grantee><ID>${OWNER}</ID></Grantee>` +
          '<Permission>FULL_CONTROL</Permission><Delivered>false</Delivered></Grant></AccessControlList></AccessControlPolicy>',
      );
    },
  );

  it("answers S3's grantee (xsi:type, no Delivered) in the obs profile to a V2 or SigV4 request, whose grantee Type boto3 and the CLI read", () => {
    expect(
      serializeBucketAcl(OWNER, obs, { region: 'cn-north-4', obsDomain: 'myhuaweicloud.com' }, 'aws'),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<AccessControlPolicy xmlns="http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/">' +
        `<Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${OWNER}</ID></Grantee>` +
        '<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>',
    );
  });

  it('answers a document its own reader takes as owner-only (round trip)', () => {
    expect(
      readAccessControlPolicy(Buffer.from(serializeBucketAcl(OWNER, aws, OPTIONS, 'aws')), aws, OWNER),
    ).toBe('owner-only');
    expect(
      readAccessControlPolicy(Buffer.from(serializeBucketAcl(OWNER, obs, OPTIONS, 'obs')), obs, OWNER),
    ).toBe('owner-only');
  });
});
