// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (`${aws:userid}`) are policy text here, not templates.
// fast-check arbitraries over the whole bucket-policy grammar (lib/policy/): every Principal kind and
// NotPrincipal, Action/NotAction, Resource/NotResource with wildcards and policy variables, every
// condition operator with its qualifiers and IfExists, values of each operator's type, and request
// facts to evaluate them against. Shared by the property tests and the oracle (iam-simulate).
import fc from 'fast-check';
import type { RequestFacts } from '../../lib/policy/index.ts';
import { LISTING_ACTIONS, OWNER_DENIABLE_ACTIONS, POLICY_ACTIONS } from '../../lib/policy/index.ts';
import { CONDITION_OPERATORS } from '../../lib/policy/operators.ts';
import { BUCKET_ARN, OTHER_ACCOUNT, OWNER_ACCOUNT, requestFactsOf } from './policy-request.ts';

export const THIRD_ACCOUNT = '333344445555';
export const ACCOUNTS = [OWNER_ACCOUNT, OTHER_ACCOUNT, THIRD_ACCOUNT] as const;
export const SERVED = [...OWNER_DENIABLE_ACTIONS, ...POLICY_ACTIONS];

/** A wildcard pattern that still matches `text`: characters kept, replaced by `?` or `*`, or preceded by `*`. */
export const wildcardOf = (text: string) =>
  fc
    .array(fc.constantFrom('keep', 'keep', 'keep', '?', '*', 'star-before'), {
      minLength: text.length,
      maxLength: text.length,
    })
    .map((edits) =>
      edits
        .map((edit, index) =>
          edit === 'keep' ? text[index] : edit === 'star-before' ? `*${text[index]}` : edit,
        )
        .join(''),
    );

const principalName = fc.oneof(
  fc.constantFrom(...ACCOUNTS),
  fc.constantFrom(...ACCOUNTS).map((account) => `arn:aws:iam::${account}:root`),
  fc.constantFrom(...ACCOUNTS).map((account) => `arn:aws:iam::${account}:user/alice`),
  fc.constantFrom(...ACCOUNTS).map((account) => `arn:aws:iam::${account}:role/reader`),
  fc.constant('*'),
);
const principalElement = fc.oneof(
  { weight: 2, arbitrary: fc.constant('*') },
  {
    weight: 4,
    arbitrary: fc.record({
      AWS: fc.oneof(principalName, fc.array(principalName, { minLength: 1, maxLength: 3 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      Service: fc.constantFrom('cloudtrail.amazonaws.com', 'logging.s3.amazonaws.com'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      CanonicalUser: fc.constant('79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ Federated: fc.constant('cognito-identity.amazonaws.com') }) },
);

const actionPattern = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SERVED, 's3:GetObject', 's3:PutObject') },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...SERVED, 's3:GetObject')
      .chain((action) => wildcardOf(action.slice(3)))
      .map((name) => `s3:${name}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('*', 's3:*', 's3:Get*', 's3:Put*', 'S3:LISTBUCKET', 's3:*Bucket*'),
  },
);

/** A resource ARN: the bucket, objects in it, wildcards, and policy variables. */
export const resourcePattern = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(BUCKET_ARN, `${BUCKET_ARN}/*`, 'arn:aws:s3:::*') },
  { weight: 2, arbitrary: wildcardOf(BUCKET_ARN.slice(13)).map((name) => `arn:aws:s3:::${name}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'arn:aws:s3:::${aws:userid}',
      'arn:aws:s3:::amzn-s3-demo-${aws:username}',
      "arn:aws:s3:::amzn-s3-demo-${aws:username, 'bucket'}",
      `${BUCKET_ARN}/\${aws:PrincipalAccount}/*`,
      `${BUCKET_ARN}/a${'${*}'}b`,
      `${BUCKET_ARN}/${'${?}'}`,
    ),
  },
);

/** Condition keys: present in some requests (context.ts), object-only keys (always absent), unknown ones. */
const STRING_KEYS = [
  'aws:PrincipalAccount',
  'aws:userid',
  'aws:username',
  'aws:PrincipalType',
  'aws:UserAgent',
  'aws:Referer',
  'aws:RequestedRegion',
  'aws:PrincipalOrgID',
  'aws:SourceVpce',
  'aws:SourceAccount',
  'aws:ResourceAccount',
  's3:ResourceAccount',
  's3:signatureversion',
  's3:authType',
  's3:x-amz-content-sha256',
  's3:prefix',
  's3:delimiter',
  's3:x-amz-server-side-encryption',
  's3:x-amz-acl',
  's3:x-amz-grant-read',
  'aws:PrincipalTag/team',
] as const;
const ARN_KEYS = [
  'aws:PrincipalArn',
  'aws:SourceArn',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
] as const;
const NUMERIC_KEYS = ['s3:TlsVersion', 's3:signatureAge', 's3:max-keys', 'aws:MultiFactorAuthAge'] as const;
const BOOL_KEYS = [
  'aws:SecureTransport',
  'aws:PrincipalIsAWSService',
  'aws:ViaAWSService',
  'aws:MultiFactorAuthPresent',
] as const;
const IP_KEYS = ['aws:SourceIp', 'aws:VpcSourceIp'] as const;
const DATE_KEYS = ['aws:CurrentTime', 'aws:EpochTime', 'aws:TokenIssueTime'] as const;

const stringValue = fc.oneof(
  fc.constantFrom(...ACCOUNTS),
  fc.constantFrom(...ACCOUNTS).chain(wildcardOf),
  fc.constantFrom(
    'Account',
    'aws-cli/2.15.0',
    'AWS4-HMAC-SHA256',
    'AWS',
    'REST-HEADER',
    'REST-QUERY-STRING',
    'us-east-1',
    'AES256',
    'aws:kms',
    'UNSIGNED-PAYLOAD',
    'home/',
    'o-abc',
    'vpce-1a2b3c4d',
    'private',
    'public-read',
    'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
  ),
  fc.constantFrom('aws-cli/*', '*', '?*', 'home/*', 'REST-*', 'us-*-1', 'US-EAST-1', 'account'),
  fc.constantFrom(
    '${aws:PrincipalAccount}',
    '${aws:userid}',
    '${aws:username}',
    "${aws:username, 'Account'}",
    'home/${aws:userid}/*',
    '${*}',
    '${?}',
    'a${$}b',
  ),
);
const arnValue = fc.oneof(
  fc.constantFrom(...ACCOUNTS).map((account) => `arn:aws:iam::${account}:root`),
  fc.constantFrom(
    'arn:aws:iam::*:root',
    'arn:aws:iam::1234*:*',
    'arn:aws:*:*:*:*',
    'arn:aws:iam::${aws:PrincipalAccount}:root',
    'arn:aws:kms:us-east-1:111122223333:key/*',
    'not-an-arn',
  ),
);
const numericValue = fc.oneof(
  fc.constantFrom('1.2', '1', '0', '10', '1000', '600000', '-1', '1.25'),
  fc.integer({ min: 0, max: 2000 }).map(String),
);
const boolValue = fc.constantFrom('true', 'false', 'TRUE', 'False');
const ipValue = fc.constantFrom(
  '10.0.0.0/8',
  '10.1.2.3',
  '10.1.2.3/32',
  '192.168.0.0/16',
  '0.0.0.0/0',
  '::1',
  '2001:db8::/32',
  '::/0',
);
const isoDate = fc.constantFrom(
  '2026-01-01T00:00:00Z',
  '2026-06-01',
  '2026-06-01T12:00:00Z',
  '2027-01-01T00:00:00+01:00',
  '2025-12-31',
);
const epochDate = fc.constantFrom('1780000000', '1800000000', '1780315200');

type Family = { operators: readonly string[]; keys: readonly string[]; value: fc.Arbitrary<string> };
const families = (): Family[] => {
  const names = [...CONDITION_OPERATORS.keys()];
  const of = (family: string) => names.filter((name) => CONDITION_OPERATORS.get(name)?.family === family);
  return [
    { operators: of('string'), keys: STRING_KEYS, value: stringValue },
    { operators: of('arn'), keys: ARN_KEYS, value: arnValue },
    { operators: of('numeric'), keys: NUMERIC_KEYS, value: numericValue },
    { operators: of('bool'), keys: BOOL_KEYS, value: boolValue },
    { operators: of('ip'), keys: IP_KEYS, value: ipValue },
    { operators: of('date'), keys: ['aws:CurrentTime', 'aws:TokenIssueTime'], value: isoDate },
    { operators: of('date'), keys: ['aws:EpochTime'], value: epochDate },
    {
      operators: of('null'),
      keys: [...STRING_KEYS, ...NUMERIC_KEYS, ...BOOL_KEYS, ...IP_KEYS, ...DATE_KEYS],
      value: boolValue,
    },
    { operators: of('binary'), keys: ['aws:UserAgent'], value: fc.constant('QmluYXJ5VmFsdWU=') },
  ];
};

/** One condition: `[operator as written, key, values]`. */
export const conditionEntry: fc.Arbitrary<[string, string, string[]]> = fc
  .constantFrom(...families())
  .chain((family) =>
    fc.tuple(
      fc.constantFrom(...family.operators),
      fc.constantFrom(undefined, undefined, 'ForAnyValue:', 'ForAllValues:'),
      fc.boolean(),
      fc.constantFrom(...family.keys),
      fc.array(family.value, { minLength: 0, maxLength: 3 }),
    ),
  )
  .map(([operator, qualifier, ifExists, key, values]) => [
    `${qualifier ?? ''}${operator}${ifExists && operator !== 'Null' ? 'IfExists' : ''}`,
    key,
    values,
  ]);

/** A Condition element: operator → key → values (keys repeated under one operator merge). */
export const conditionElement = fc.array(conditionEntry, { maxLength: 3 }).map((entries) => {
  const element: Record<string, Record<string, string[]>> = {};
  for (const [operator, key, values] of entries) {
    element[operator] ??= {};
    element[operator][key] = values;
  }
  return element;
});

const oneOrMany = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof(arbitrary, fc.array(arbitrary, { minLength: 1, maxLength: 3 }));

/** A statement over the whole grammar (structurally valid; AWS's table checks may refuse some). */
export const statementOf = fc
  .tuple(
    fc.constantFrom('Allow', 'Deny'),
    fc.boolean(),
    principalElement,
    fc.boolean(),
    oneOrMany(actionPattern),
    fc.boolean(),
    oneOrMany(resourcePattern),
    fc.option(conditionElement, { nil: undefined }),
  )
  .map(([effect, notPrincipal, principal, notAction, actions, notResource, resources, condition]) => ({
    Effect: effect,
    // NotPrincipal only with Deny (AWS refuses it with Allow).
    [notPrincipal && effect === 'Deny' ? 'NotPrincipal' : 'Principal']: principal,
    [notAction ? 'NotAction' : 'Action']: actions,
    [notResource ? 'NotResource' : 'Resource']: resources,
    ...(condition ? { Condition: condition } : {}),
  }));

export const policyDocument = (version: fc.Arbitrary<string | undefined> = fc.constant('2012-10-17')) =>
  fc
    .tuple(version, fc.array(statementOf, { minLength: 1, maxLength: 5 }))
    .map(([Version, Statement]) =>
      JSON.stringify(Version === undefined ? { Statement } : { Version, Statement }),
    );

/** Request facts: any caller and action, any source address, transport, signature, listing query. */
export const requestFacts = (
  callers: fc.Arbitrary<string> = fc.constantFrom(...ACCOUNTS),
): fc.Arbitrary<RequestFacts> =>
  fc
    .record({
      action: fc.constantFrom(...SERVED),
      listing: fc.boolean(),
      callerAccount: callers,
      sourceIp: fc.constantFrom('10.1.2.3', '192.168.0.1', '203.0.113.9', '::1', '2001:db8::5', undefined),
      secureTransport: fc.boolean(),
      now: fc.constantFrom(
        new Date('2026-06-01T12:00:00Z'),
        new Date('2025-01-01T00:00:00Z'),
        new Date('2027-03-01T08:30:00Z'),
      ),
      userAgent: fc.constantFrom('aws-cli/2.15.0', 'Boto3/1.34', 'Account', undefined),
      referer: fc.constantFrom('https://example.com/', undefined),
      signature: fc.constantFrom(
        { version: 'AWS4-HMAC-SHA256', authType: 'REST-HEADER', offset: 1500 },
        { version: 'AWS4-HMAC-SHA256', authType: 'REST-QUERY-STRING', offset: 700_000 },
        { version: 'AWS', authType: 'REST-HEADER', offset: undefined },
      ),
      prefix: fc.constantFrom(undefined, 'home/', `home/${OTHER_ACCOUNT}/x`, 'secret/'),
      maxKeys: fc.constantFrom(undefined, '5', '1000'),
      acl: fc.constantFrom(undefined, 'private', 'public-read'),
      grantRead: fc.constantFrom(undefined, 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'),
    })
    .map(({ signature, prefix, maxKeys, acl, grantRead, now, action, listing, ...rest }) =>
      requestFactsOf({
        ...rest,
        now,
        action,
        listing: listing && LISTING_ACTIONS.includes(action),
        aclHeaders:
          action === 's3:PutBucketAcl'
            ? {
                ...(acl === undefined ? {} : { acl }),
                ...(grantRead === undefined ? {} : { 'grant-read': grantRead }),
              }
            : undefined,
        signature: {
          version: signature.version,
          authType: signature.authType,
          signedAt: signature.offset === undefined ? undefined : new Date(now.getTime() - signature.offset),
        },
        query: [
          ...(prefix === undefined ? [] : [['prefix', prefix] as const]),
          ...(maxKeys === undefined ? [] : [['max-keys', maxKeys] as const]),
        ],
      }),
    );
