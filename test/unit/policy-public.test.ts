// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (`${aws:PrincipalAccount}`) are policy text here, not templates.
// Whether a bucket policy is public (lib/policy/public.ts), as S3 Block Public Access defines it: the
// examples of the Amazon S3 User Guide's "The meaning of public", then the rule's edges — principals,
// wildcards and variables, aws:SourceIp ranges, qualifiers and IfExists, the "bad actions", each
// listed condition key with a fixed and a wildcard value, Deny-only policies. Every policy here is
// first accepted by PutBucketPolicy's validation (AWS would take it), so the table is of real policies.
// AWS's examples use `"Resource": "*"`, which a bucket policy may not (docs/accounts.md › Refusals):
// here they name the bucket and its objects.
import { describe, expect, it } from 'vitest';
import { isPublicPolicy, parseStoredPolicy } from '../../lib/policy/index.ts';
import { parseBucketPolicy } from '../../lib/policy/validate.ts';
import { s3ErrorOf } from '../helpers/s3-error.ts';

const BUCKET = 'amzn-s3-demo-bucket';
const RESOURCES = [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`];
const ACCOUNT_2 = '111122223333';

type Statement = Record<string, unknown>;
const document = (...statements: Statement[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const isPublic = (...statements: Statement[]) =>
  isPublicPolicy(parseBucketPolicy(document(...statements), BUCKET));

/** An Allow of `action` on the bucket's objects to `principal`, with a condition when given. */
const grant = (principal: unknown, action: unknown = 's3:PutObject', condition?: object): Statement => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  Resource: RESOURCES,
  ...(condition ? { Condition: condition } : {}),
});
const toEveryone = (condition: object, action: unknown = 's3:GetObject') => grant('*', action, condition);

describe('isPublicPolicy: the examples of the User Guide ("The meaning of public")', () => {
  it.each([
    ['a federated identity provider', grant({ Federated: 'graph.facebook.com' }), true],
    ['everyone', grant('*'), true],
    [
      'everyone, limited to a wildcard VPC',
      grant('*', 's3:PutObject', { StringLike: { 'aws:SourceVpc': 'vpc-*' } }),
      true,
    ],
    [
      'everyone, limited to a fixed VPC ("non-public")',
      grant('*', 's3:PutObject', { StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } }),
      false,
    ],
  ])('%s: public %s', (_name, statement, expected) => {
    expect(isPublic(statement)).toBe(expected);
  });

  // "How Amazon S3 evaluates a bucket policy that contains both public and non-public access grants".
  const cloudTrail = grant({ Service: 'cloudtrail.amazonaws.com' });
  const account2 = grant({ AWS: ACCOUNT_2 }, 's3:GetObject');
  const publicStatement = grant('*', 's3:GetObject');

  it('is public with a CloudTrail grant, a grant to Account-2 and a grant to everyone', () => {
    expect(isPublic(cloudTrail, account2, publicStatement)).toBe(true);
  });

  it('is not public once the statement to everyone is removed', () => {
    expect(isPublic(cloudTrail, account2)).toBe(false);
  });
});

describe('isPublicPolicy: principals', () => {
  it.each([
    ['an account id', { AWS: ACCOUNT_2 }, false],
    ["an account's root", { AWS: `arn:aws:iam::${ACCOUNT_2}:root` }, false],
    ['a user', { AWS: `arn:aws:iam::${ACCOUNT_2}:user/alice` }, false],
    ['a role', { AWS: `arn:aws:iam::${ACCOUNT_2}:role/reader` }, false],
    ['an assumed-role session', { AWS: `arn:aws:sts::${ACCOUNT_2}:assumed-role/reader/session` }, false],
    ['a canonical user', { CanonicalUser: 'a'.repeat(64) }, false],
    ['a service principal', { Service: 'logging.s3.amazonaws.com' }, false],
    [
      "CloudFront's origin access identity",
      { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE' },
      false,
    ],
    ['"*"', '*', true],
    ['{"AWS": "*"}', { AWS: '*' }, true],
    ['an account and "*"', { AWS: [ACCOUNT_2, '*'] }, true],
    ['an account and a federated provider', { AWS: ACCOUNT_2, Federated: 'accounts.google.com' }, true],
    ['a SAML provider', { Federated: `arn:aws:iam::${ACCOUNT_2}:saml-provider/corp` }, true],
  ])('%s: public %s', (_name, principal, expected) => {
    expect(isPublic(grant(principal, 's3:*'))).toBe(expected);
  });

  it('cannot meet a wildcard in an account id: AWS refuses the principal', () => {
    expect(
      s3ErrorOf(() => parseBucketPolicy(document(grant({ AWS: 'arn:aws:iam::*:root' })), BUCKET)),
    ).toMatchObject({
      code: 'MalformedPolicy',
      message: 'Invalid principal in policy',
    });
  });
});

describe('isPublicPolicy: conditions on the listed keys, fixed against wildcard or variable values', () => {
  // [key, a fixed value, a value that is not fixed]
  const keys: ReadonlyArray<readonly [string, string, string]> = [
    ['aws:PrincipalOrgID', 'o-a1b2c3d4e5', 'o-*'],
    ['aws:PrincipalAccount', ACCOUNT_2, '1111222233*'],
    ['aws:PrincipalArn', `arn:aws:iam::${ACCOUNT_2}:role/reader`, `arn:aws:iam::${ACCOUNT_2}:role/*`],
    ['aws:SourceArn', `arn:aws:cloudtrail:us-east-1:${ACCOUNT_2}:trail/main`, 'arn:aws:cloudtrail:*'],
    ['aws:SourceVpc', 'vpc-91237329', 'vpc-9123732?'],
    ['aws:SourceVpce', 'vpce-1a2b3c4d', 'vpce-*'],
    ['aws:SourceOwner', ACCOUNT_2, '${aws:PrincipalAccount}'],
    ['aws:SourceAccount', ACCOUNT_2, '${aws:PrincipalAccount}'],
    ['aws:userid', 'AIDAEXAMPLEUSERID', 'AROA*'],
    ['aws:userid', 'AROAEXAMPLEROLEID:*', '*:session'],
    ['s3:DataAccessPointAccount', ACCOUNT_2, '1111*'],
    [
      's3:DataAccessPointArn',
      `arn:aws:s3:us-west-2:${ACCOUNT_2}:accesspoint/*`,
      'arn:aws:s3:us-west-2:*:accesspoint/reader',
    ],
    [
      's3:DataAccessPointArn',
      `arn:aws:s3:us-west-2:${ACCOUNT_2}:accesspoint/reader`,
      'arn:aws:s3:*:${aws:PrincipalAccount}:accesspoint/*',
    ],
  ];

  // AWS's data lists the access point keys for the access point actions only: `s3:*` names some.
  const actionFor = (key: string) => (key.startsWith('s3:DataAccessPoint') ? 's3:*' : 's3:GetObject');

  it.each(keys)('%s with a fixed value (%s) is not public', (key, fixed) => {
    expect(isPublic(toEveryone({ StringEquals: { [key]: fixed } }, actionFor(key)))).toBe(false);
    expect(isPublic(toEveryone({ StringLike: { [key]: fixed } }, actionFor(key)))).toBe(false);
  });

  it.each(keys)('%s with a value that is not fixed (%s) is public', (key, _fixed, loose) => {
    expect(isPublic(toEveryone({ StringLike: { [key]: loose } }, actionFor(key)))).toBe(true);
  });

  it('takes the SSE-KMS key id condition of an upload, fixed or not', () => {
    const key = 's3:x-amz-server-side-encryption-aws-kms-key-id';
    const fixed = `arn:aws:kms:us-east-1:${ACCOUNT_2}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(isPublic(toEveryone({ StringEquals: { [key]: fixed } }, 's3:PutObject'))).toBe(false);
    expect(isPublic(toEveryone({ StringLike: { [key]: 'arn:aws:kms:*' } }, 's3:PutObject'))).toBe(true);
  });

  it('needs every value of a key fixed', () => {
    expect(
      isPublic(toEveryone({ StringEquals: { 'aws:SourceVpce': ['vpce-1a2b3c4d', 'vpce-5e6f7a8b'] } })),
    ).toBe(false);
    expect(isPublic(toEveryone({ StringLike: { 'aws:SourceVpce': ['vpce-1a2b3c4d', 'vpce-*'] } }))).toBe(
      true,
    );
  });

  it('takes ARN operators with fixed ARNs', () => {
    const trail = `arn:aws:cloudtrail:us-east-1:${ACCOUNT_2}:trail/main`;
    expect(isPublic(toEveryone({ ArnEquals: { 'aws:SourceArn': trail } }))).toBe(false);
    expect(isPublic(toEveryone({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:*' } }))).toBe(
      true,
    );
  });

  it.each([
    ['a negated operator', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }],
    [
      '…IfExists (requests without the key pass)',
      { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    ],
    [
      'ForAllValues: (holds when the key is absent)',
      { 'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    ],
    ['Null (any value)', { Null: { 'aws:SourceVpce': 'false' } }],
    ['a key that limits nothing', { Bool: { 'aws:SecureTransport': 'true' } }],
    ['a key AWS does not list', { StringEquals: { 'aws:UserAgent': 'aws-cli/2.15.0' } }],
  ])('does not count %s as a limit: public', (_name, condition) => {
    expect(isPublic(toEveryone(condition))).toBe(true);
  });

  it('counts ForAnyValue: with fixed values as a limit (it does not hold when the key is absent)', () => {
    expect(isPublic(toEveryone({ 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }))).toBe(
      false,
    );
  });

  it('needs one limiting condition of the block (they are ANDed)', () => {
    expect(
      isPublic(
        toEveryone({
          Bool: { 'aws:SecureTransport': 'true' },
          StringEquals: { 'aws:SourceAccount': ACCOUNT_2 },
        }),
      ),
    ).toBe(false);
  });

  it('takes the key names ASCII case-insensitively, as the evaluation does', () => {
    expect(isPublic(toEveryone({ StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } }))).toBe(false);
  });
});

describe('isPublicPolicy: aws:SourceIp', () => {
  it.each([
    ['an IPv4 /24', ['203.0.113.0/24'], false],
    ['an address (/32)', ['203.0.113.7'], false],
    ['an IPv4 /8', ['10.0.0.0/8'], false],
    ['an IPv4 /7 (broader than /8)', ['10.0.0.0/7'], true],
    ["0.0.0.0/1 (the User Guide's example)", ['0.0.0.0/1'], true],
    ['the zero CIDR 0.0.0.0/0', ['0.0.0.0/0'], true],
    ['an IPv6 /32', ['2001:db8::/32'], false],
    ['an IPv6 /64', ['2001:db8:1234:5678::/64'], false],
    ['an IPv6 /31 (broader than /32)', ['2001:db8::/31'], true],
    ['the IPv6 zero CIDR ::/0', ['::/0'], true],
    ['a narrow range beside a wide one', ['203.0.113.0/24', '0.0.0.0/0'], true],
  ])('IpAddress of %s: public %s', (_name, ranges, expected) => {
    expect(isPublic(toEveryone({ IpAddress: { 'aws:SourceIp': ranges } }))).toBe(expected);
  });

  it('does not count NotIpAddress or IpAddressIfExists as a limit', () => {
    expect(isPublic(toEveryone({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }))).toBe(true);
    expect(isPublic(toEveryone({ IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } }))).toBe(true);
  });
});

describe('isPublicPolicy: the "bad actions" (s3:Get*, s3:List*, s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject)', () => {
  it.each([
    ['s3:GetObject', true],
    ['s3:ListBucket', true],
    ['s3:PutObject', true],
    ['s3:DeleteObject', true],
    ['s3:AbortMultipartUpload', true],
    ['s3:RestoreObject', true],
    ['s3:*', true],
    ['*', true],
    ['S3:GETOBJECT', true],
    ['s3:?etObject', true],
    ['s3:Re*', true],
    ['s3:ReplicateObject', false],
    ['s3:Replicate*', false],
    ['s3:BypassGovernanceRetention', false],
    ['s3:ObjectOwnerOverrideToBucketOwner', false],
  ])('a grant of %s to everyone: public %s', (action, expected) => {
    expect(isPublic(grant('*', action))).toBe(expected);
  });

  it('sees a bad action left by NotAction, and none when NotAction names every bad action', () => {
    const notAction = (names: string[]) => ({
      Effect: 'Allow',
      Principal: '*',
      NotAction: names,
      Resource: RESOURCES,
    });
    const bad = [
      's3:Get*',
      's3:List*',
      's3:Put*',
      's3:Delete*',
      's3:AbortMultipartUpload',
      's3:RestoreObject',
    ];
    expect(isPublic(notAction(bad))).toBe(false);
    expect(isPublic(notAction(['s3:G*', 's3:L*', 's3:P*', 's3:D*', 's3:A*', 's3:R*']))).toBe(false);
    expect(isPublic(notAction(bad.slice(1)))).toBe(true);
    expect(isPublic(notAction(['s3:GetObject', ...bad.slice(1)]))).toBe(true);
    expect(isPublic(notAction(bad.filter((name) => name !== 's3:RestoreObject')))).toBe(true);
  });
});

describe('isPublicPolicy: Deny statements grant nothing', () => {
  it('is not public for a Deny-only policy, NotPrincipal included', () => {
    expect(isPublic({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: RESOURCES })).toBe(false);
    expect(
      isPublic({
        Effect: 'Deny',
        NotPrincipal: { AWS: ACCOUNT_2 },
        Action: 's3:GetObject',
        Resource: RESOURCES,
      }),
    ).toBe(false);
  });

  it('is public when a Deny narrows a public grant: the grant is still public', () => {
    expect(
      isPublic(grant('*', 's3:GetObject'), {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: RESOURCES,
        Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
      }),
    ).toBe(true);
  });

  it('answers the same for the stored policy as for the validated one', () => {
    const text = document(grant('*', 's3:GetObject'), grant({ AWS: ACCOUNT_2 }));
    expect(isPublicPolicy(parseStoredPolicy(text, BUCKET))).toBe(true);
  });
});
