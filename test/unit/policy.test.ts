// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (`${aws:userid}`) are policy text here, not templates.
// The bucket-policy grammar (lib/policy/grammar.ts, validate.ts), evaluation (evaluate.ts) and the
// owner's Deny precomputation (owner-deniable.ts), table by table. Refusals are checked with AWS's
// message (docs/accounts.md › Refusals says where each came from).
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../lib/errors.ts';
import { CONTEXT_KEY_TABLE } from '../../lib/policy/context.ts';
import {
  actionsDeniableToOwner,
  evaluateBucketPolicy,
  OWNER_DENIABLE_ACTIONS,
  parseStoredPolicy,
  type RequestFacts,
} from '../../lib/policy/index.ts';
import { OWNER_DENY_SCOPE, ownerDenyScope } from '../../lib/policy/served-actions.ts';
import { parseBucketPolicy } from '../../lib/policy/validate.ts';
import {
  BUCKET_ARN,
  OTHER_ACCOUNT,
  OWNER_ACCOUNT,
  POLICY_BUCKET,
  policyRequest,
} from '../helpers/policy-request.ts';

const BUCKET = POLICY_BUCKET;
const ARN = BUCKET_ARN;
const OTHER = OTHER_ACCOUNT;
const OWNER = OWNER_ACCOUNT;

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: unknown, action: unknown, extra: object = {}) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  Resource: ARN,
  ...extra,
});
const deny = (principal: unknown, action: unknown, extra: object = {}) => ({
  ...allow(principal, action, extra),
  Effect: 'Deny',
});
/** A statement on the bucket and its objects (what an object key's condition needs to be valid). */
const everywhere = (statement: object) => ({ ...statement, Resource: [ARN, `${ARN}/*`] });

/** `MalformedPolicy: <message>` for a refused policy, undefined for an accepted one. */
function refusal(text: string): string | undefined {
  try {
    parseBucketPolicy(text, BUCKET);
  } catch (error) {
    if (error instanceof S3Error) return `${error.code}: ${error.message}`;
    throw error;
  }
  return undefined;
}

describe('parseBucketPolicy refuses what AWS refuses, with its message', () => {
  it.each([
    ['not JSON', '{"Statement": ', 'This policy contains invalid Json'],
    ['a JSON array', '[]', "Policies must be valid JSON and the first byte must be '{'"],
    ['text', 'bucketPolicy', "Policies must be valid JSON and the first byte must be '{'"],
    [
      'a leading space',
      ` ${policy(allow('*', 's3:ListBucket'))}`,
      "Policies must be valid JSON and the first byte must be '{'",
    ],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
    [
      'an empty Statement',
      JSON.stringify({ Statement: [] }),
      'Could not parse the policy: Statement is empty!',
    ],
    [
      'a bad version',
      JSON.stringify({ Version: '2012-10-16', Statement: [allow('*', 's3:ListBucket')] }),
      'The policy must contain a valid version string',
    ],
    [
      'an empty version',
      JSON.stringify({ Version: '', Statement: [allow('*', 's3:ListBucket')] }),
      'The policy must contain a valid version string',
    ],
    ['a bad effect', policy({ ...allow('*', 's3:ListBucket'), Effect: 'hello' }), 'Invalid effect: hello'],
    [
      'a lower-case effect',
      policy({ ...allow('*', 's3:ListBucket'), Effect: 'allow' }),
      'Invalid effect: allow',
    ],
    [
      'no effect',
      policy({ ...allow('*', 's3:ListBucket'), Effect: undefined }),
      'Missing required field Effect',
    ],
    [
      'no principal',
      policy({ ...allow('*', 's3:ListBucket'), Principal: undefined }),
      'Missing required field Principal',
    ],
    [
      'no action',
      policy({ ...allow('*', 's3:ListBucket'), Action: undefined }),
      'Missing required field Action',
    ],
    [
      'no resource',
      policy({ ...allow('*', 's3:ListBucket'), Resource: undefined }),
      'Missing required field Resource',
    ],
    ['an unknown action', policy(allow('*', 's3:GetEncryptionConfig')), 'Policy has invalid action'],
    ['another service', policy(allow('*', 'ec2:RunInstances')), 'Policy has invalid action'],
    ['a wildcard naming nothing', policy(allow('*', 's3:*Obj??ect*')), 'Policy has invalid action'],
    ['an empty action', policy(allow('*', '')), 'Policy has invalid action'],
    ['KELVIN SIGN in an action', policy(allow('*', 's3:DeleteBuc\u212Aet')), 'Policy has invalid action'],
    [
      'another bucket',
      policy({ ...allow('*', 's3:ListBucket'), Resource: 'arn:aws:s3:::other-bucket' }),
      'Policy has invalid resource',
    ],
    [
      'a resource of "*"',
      policy({ ...allow('*', 's3:ListBucket'), Resource: '*' }),
      'Policy has invalid resource',
    ],
    [
      'a leading slash',
      policy({ ...allow('*', 's3:ListBucket'), Resource: `arn:aws:s3:::/${BUCKET}` }),
      'Policy has invalid resource',
    ],
    [
      'an empty resource list',
      policy({ ...allow('*', 's3:ListBucket'), Resource: [] }),
      'Policy has invalid resource',
    ],
    [
      'an account that is not 12 digits',
      policy(allow({ AWS: '12345' }, 's3:ListBucket')),
      'Invalid principal in policy',
    ],
    ['an empty principal', policy(allow({ AWS: '' }, 's3:ListBucket')), 'Invalid principal in policy'],
    ['an empty principal list', policy(allow({ AWS: [] }, 's3:ListBucket')), 'Invalid principal in policy'],
    [
      'a principal list without a kind',
      policy(allow(['*', OTHER], 's3:ListBucket')),
      'Invalid principal in policy',
    ],
    [
      'a wildcard in a principal ARN',
      policy(allow({ AWS: 'arn:aws:iam::*:root' }, 's3:ListBucket')),
      'Invalid principal in policy',
    ],
    [
      'a wildcard user',
      policy(allow({ AWS: `arn:aws:iam::${OTHER}:user/*` }, 's3:ListBucket')),
      'Invalid principal in policy',
    ],
    [
      'an unknown principal kind',
      policy(allow({ Users: OTHER }, 's3:ListBucket')),
      'Invalid principal in policy',
    ],
    [
      'a service that is not one',
      policy(allow({ Service: 'not a service' }, 's3:ListBucket')),
      'Invalid principal in policy',
    ],
    [
      'NotPrincipal with Allow',
      policy({ Effect: 'Allow', NotPrincipal: { AWS: OTHER }, Action: 's3:ListBucket', Resource: ARN }),
      'Invalid principal in policy',
    ],
    [
      'an object action on the bucket',
      policy(allow('*', 's3:GetObject')),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'Abort* on the bucket',
      policy(allow('*', 's3:Abort*')),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'a bucket action on objects',
      policy({ ...allow('*', 's3:GetBucket*'), Resource: `${ARN}/*` }),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'one of two actions on no resource of the statement',
      policy(allow('*', ['s3:ListBucket', 's3:GetObject'])),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'an action taking no resource',
      policy(allow('*', 's3:ListAllMyBuckets')),
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'an unknown operator',
      policy(allow('*', 's3:ListBucket', { Condition: { StringEqualz: { 'aws:SourceIp': '10.0.0.0/8' } } })),
      'Invalid Condition type : StringEqualz',
    ],
    [
      'an operator in the wrong case (IAM: "Invalid Condition type : stringEquals")',
      policy(allow('*', 's3:ListBucket', { Condition: { stringEquals: { 'aws:PrincipalAccount': OTHER } } })),
      'Invalid Condition type : stringEquals',
    ],
    [
      'NullIfExists',
      policy(allow('*', 's3:ListBucket', { Condition: { NullIfExists: { 'aws:SourceIp': 'true' } } })),
      'Invalid Condition type : NullIfExists',
    ],
    [
      'an unknown qualifier',
      policy(
        allow('*', 's3:ListBucket', { Condition: { 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } } }),
      ),
      'Invalid Condition type : ForSomeValues:StringEquals',
    ],
    [
      'an unknown S3 key',
      policy(allow('*', 's3:ListBucket', { Condition: { StringEquals: { 's3:NotAKey': 'x' } } })),
      'Policy has an invalid condition key',
    ],
    [
      'another service key',
      policy(allow('*', 's3:ListBucket', { Condition: { StringEquals: { 'kms:ViaService': 'x' } } })),
      'Policy has an invalid condition key',
    ],
    [
      'a key no action supports (s3:prefix on GetObject)',
      policy({
        ...allow('*', 's3:GetObject', { Condition: { StringLike: { 's3:prefix': 'home/' } } }),
        Resource: `${ARN}/*`,
      }),
      'Conditions do not apply to combination of actions and resources in statement',
    ],
    [
      'an object-only key on s3:* naming the bucket alone',
      policy(
        deny('*', 's3:*', {
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
        }),
      ),
      'Conditions do not apply to combination of actions and resources in statement',
    ],
    [
      'a key one action of the statement does not support',
      policy(
        allow('*', ['s3:ListBucket', 's3:GetBucketLocation'], {
          Condition: { StringLike: { 's3:prefix': 'home/' } },
        }),
      ),
      'Conditions do not apply to combination of actions and resources in statement',
    ],
    [
      "Bucket Keys as a condition key (no such key in AWS's data)",
      policy({
        ...deny('*', 's3:PutObject', {
          Condition: { Bool: { 's3:x-amz-server-side-encryption-bucket-key-enabled': 'false' } },
        }),
        Resource: `${ARN}/*`,
      }),
      'Policy has an invalid condition key',
    ],
    [
      'an invalid address',
      policy(allow('*', 's3:ListBucket', { Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } })),
      'Invalid IP address in Conditions',
    ],
    [
      'an IPv6 zone index',
      policy(
        allow('*', 's3:ListBucket', { Condition: { NotIpAddress: { 'aws:SourceIp': 'fe80::1%eth0' } } }),
      ),
      'Invalid IP address in Conditions',
    ],
    [
      'a prefix past 32',
      policy(allow('*', 's3:ListBucket', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } })),
      'Invalid IP address in Conditions',
    ],
    [
      'a string pattern for an address key',
      policy(allow('*', 's3:ListBucket', { Condition: { StringLike: { 'aws:SourceIp': '10.*' } } })),
      'Invalid IP address in Conditions',
    ],
  ])('refuses %s', (_what, text, message) => {
    expect(refusal(text)).toBe(`MalformedPolicy: ${message}`);
  });

  it.each([
    ['an unknown top-level field', JSON.stringify({ Statement: [allow('*', 's3:ListBucket')], Extra: 1 })],
    ['an unknown statement field', policy({ ...allow('*', 's3:ListBucket'), Conditions: {} })],
    ['Action and NotAction', policy({ ...allow('*', 's3:ListBucket'), NotAction: 's3:GetObject' })],
    ['a condition that is a list', policy(allow('*', 's3:ListBucket', { Condition: [] }))],
    [
      'a condition value that is an object',
      policy(allow('*', 's3:ListBucket', { Condition: { StringEquals: { 'aws:userid': { a: 1 } } } })),
    ],
    ['more than 20 KB', policy({ ...allow('*', 's3:ListBucket'), Sid: 'x'.repeat(21 * 1024) })],
    ['a value longer than 2,048 characters', policy(allow('*', `s3:${'*'.repeat(2050)}`))],
    [
      'more than 512 values',
      policy(
        allow(
          '*',
          Array.from({ length: 513 }, () => 's3:ListBucket'),
        ),
      ),
    ],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]) as unknown as string],
  ])('refuses %s as MalformedPolicy', (_what, text) => {
    expect(refusal(text)).toMatch(/^MalformedPolicy: /);
  });

  // Operators and keys are Map entries: names of Object.prototype are unknown like any other.
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'refuses %s as a condition operator',
    (operator) => {
      const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"${ARN}","Condition":{"${operator}":{"aws:PrincipalAccount":"${OTHER}"}}}]}`;
      expect(refusal(text)).toBe(`MalformedPolicy: Invalid Condition type : ${operator}`);
    },
  );

  it.each(['constructor', '__proto__', 'toString', 's3:constructor'])(
    'refuses %s as a condition key',
    (key) => {
      const text = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"${ARN}","Condition":{"StringEquals":{"${key}":"x"}}}]}`;
      expect(refusal(text)).toBe('MalformedPolicy: Policy has an invalid condition key');
    },
  );

  it.each([
    [
      'in a statement',
      `{"Statement":[{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}"}]}`,
    ],
    [
      'at the top',
      `{"Statement":[],"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}"}]}`,
    ],
    [
      'spelt with an escape',
      `{"Statement":[{"Effect":"Deny","\\u0045ffect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}"}]}`,
    ],
    [
      'in a condition block',
      `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}","Condition":{"StringEquals":{"aws:PrincipalAccount":"1","aws:PrincipalAccount":"2"}}}]}`,
    ],
  ])('refuses a duplicate key %s', (_where, text) => {
    expect(refusal(text)).toBe('MalformedPolicy: This policy contains invalid Json');
  });
});

describe('parseBucketPolicy accepts what AWS accepts', () => {
  it.each([
    ['an account id', policy(allow({ AWS: OTHER }, 's3:ListBucket'))],
    ['a root ARN', policy(allow({ AWS: `arn:aws:iam::${OTHER}:root` }, 's3:ListBucket'))],
    [
      'user and role ARNs with paths',
      policy(
        allow(
          { AWS: [`arn:aws:iam::${OTHER}:user/ops/alice`, `arn:aws:iam::${OTHER}:role/reader`] },
          's3:ListBucket',
        ),
      ),
    ],
    [
      'an assumed-role session',
      policy(allow({ AWS: `arn:aws:sts::${OTHER}:assumed-role/reader/session-1` }, 's3:ListBucket')),
    ],
    [
      'a CloudFront origin access identity',
      policy(
        allow(
          { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL' },
          's3:ListBucket',
        ),
      ),
    ],
    [
      'a service principal',
      policy(allow({ Service: ['cloudtrail.amazonaws.com', 'logging.s3.amazonaws.com'] }, 's3:ListBucket')),
    ],
    [
      'a canonical user',
      policy(
        allow(
          { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
          's3:ListBucket',
        ),
      ),
    ],
    ['a federated provider', policy(allow({ Federated: 'cognito-identity.amazonaws.com' }, 's3:ListBucket'))],
    ['everyone', policy(allow('*', 's3:ListBucket'))],
    ['AWS "*"', policy(allow({ AWS: '*' }, 's3:ListBucket'))],
    [
      'NotPrincipal with Deny',
      policy({
        Effect: 'Deny',
        NotPrincipal: { AWS: [OWNER, `arn:aws:iam::${OWNER}:root`] },
        Action: 's3:*',
        Resource: [ARN, `${ARN}/*`],
      }),
    ],
    ['NotAction', policy({ Effect: 'Deny', Principal: '*', NotAction: 's3:Get*', Resource: ARN })],
    [
      'NotResource',
      policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', NotResource: `${ARN}/public/*` }),
    ],
    ['an action in any case', policy(allow('*', 'S3:listbucket'))],
    ['"*" as action', policy(allow('*', '*'))],
    [
      'a resource naming objects under a prefix',
      policy({ ...allow('*', 's3:GetObject'), Resource: `${ARN}/logs/2025/*` }),
    ],
    [
      'a wildcard bucket matching this one',
      policy({ ...allow('*', 's3:ListBucket'), Resource: 'arn:aws:s3:::amzn-s3-*' }),
    ],
    [
      'a variable in a resource',
      policy({ ...allow('*', 's3:GetObject'), Resource: `${ARN}/home/\${aws:username}/*` }),
    ],
    ['"Condition": {}', policy(allow('*', 's3:ListBucket', { Condition: {} }))],
    ['an operator with no keys', policy(allow('*', 's3:ListBucket', { Condition: { StringEquals: {} } }))],
    [
      'an empty value list',
      policy(allow('*', 's3:ListBucket', { Condition: { StringEquals: { 'aws:userid': [] } } })),
    ],
    [
      'an empty value',
      policy(allow('*', 's3:ListBucket', { Condition: { StringLike: { 's3:prefix': ['', 'home/'] } } })),
    ],
    [
      'JSON booleans and numbers as values',
      policy(
        allow('*', 's3:ListBucket', {
          Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      ),
    ],
    [
      'every qualifier and IfExists',
      policy(
        allow('*', 's3:ListBucket', {
          Condition: {
            'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 'a*' },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] },
          },
        }),
      ),
    ],
    [
      'key names in any case',
      policy(allow('*', 's3:ListBucket', { Condition: { IpAddress: { 'AWS:SOURCEIP': '10.0.0.0/8' } } })),
    ],
    [
      'tag keys with a suffix',
      policy(
        allow('*', 's3:ListBucket', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }),
      ),
    ],
    [
      'an aws: key AWS does not list',
      policy(allow('*', 's3:ListBucket', { Condition: { StringEquals: { 'aws:SomethingNew': 'x' } } })),
    ],
    [
      's3:* with an object-only key',
      policy(
        everywhere(
          deny('*', 's3:*', {
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
          }),
        ),
      ),
    ],
    [
      'IPv4 and IPv6 ranges',
      policy(
        allow('*', 's3:ListBucket', {
          Condition: { IpAddress: { 'aws:SourceIp': ['54.240.143.0/24', '2001:DB8:1234:5678::/64', '::1'] } },
        }),
      ),
    ],
    ['Version 2008-10-17', JSON.stringify({ Version: '2008-10-17', Statement: allow('*', 's3:ListBucket') })],
    ['no Version', JSON.stringify({ Statement: [allow('*', 's3:ListBucket')] })],
    [
      'the same key in two objects',
      `{"Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}"},{"Sid":"b","Effect":"Deny","Principal":{"AWS":"${OTHER}"},"Action":"s3:*","Resource":"${ARN}"}]}`,
    ],
  ])('accepts %s', (_what, text) => {
    expect(refusal(text)).toBeUndefined();
  });

  it('keeps the document as put, and the structure as data', () => {
    const text = policy(
      deny('*', 's3:*', { Sid: 'tls', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      { Effect: 'Deny', NotPrincipal: { AWS: OWNER }, NotAction: 's3:Get*', NotResource: `${ARN}/x/*` },
    );
    const parsed = parseBucketPolicy(text, BUCKET);
    expect(parsed.text).toBe(text);
    expect(parsed.version).toBe('2012-10-17');
    const [first, second] = parsed.statements;
    expect(first?.sid).toBe('tls');
    expect(first?.principal).toMatchObject({ negated: false, everyone: true });
    expect(
      first?.conditions.map(({ operator, baseOperator, qualifier, ifExists, key, values }) => ({
        operator,
        baseOperator,
        qualifier,
        ifExists,
        key,
        values,
      })),
    ).toEqual([
      {
        operator: 'Bool',
        baseOperator: 'Bool',
        qualifier: undefined,
        ifExists: false,
        key: 'aws:SecureTransport',
        values: ['false'],
      },
    ]);
    expect(second?.principal).toMatchObject({ negated: true, aws: [OWNER] });
    expect(second?.actions).toMatchObject({ negated: true, patterns: ['s3:Get*'] });
    expect(second?.resources).toMatchObject({ negated: true, patterns: [`${ARN}/x/*`] });
  });
});

describe('evaluateBucketPolicy', () => {
  const evaluate = (text: string, facts: Partial<RequestFacts> = {}) =>
    evaluateBucketPolicy(parseStoredPolicy(text, BUCKET), policyRequest(facts));

  it.each([
    ['an Allow naming the account', policy(allow({ AWS: OTHER }, 's3:GetEncryptionConfiguration')), 'allow'],
    [
      'an Allow naming the root ARN',
      policy(allow({ AWS: `arn:aws:iam::${OTHER}:root` }, 's3:GetEncryptionConfiguration')),
      'allow',
    ],
    // An IAM user or role is not the account's root user: AWS does not match the root to it.
    [
      'an Allow naming a user of the account',
      policy(allow({ AWS: `arn:aws:iam::${OTHER}:user/alice` }, 's3:GetEncryptionConfiguration')),
      'none',
    ],
    [
      'a Deny naming a role of the account',
      policy(allow('*', 's3:*'), deny({ AWS: `arn:aws:iam::${OTHER}:role/r` }, 's3:*')),
      'allow',
    ],
    [
      'an Allow to a service',
      policy(allow({ Service: 'cloudtrail.amazonaws.com' }, 's3:GetEncryptionConfiguration')),
      'none',
    ],
    ['an Allow to everyone', policy(allow('*', 's3:GetEncryptionConfiguration')), 'allow'],
    ['a wildcard action in another case', policy(allow({ AWS: OTHER }, 'S3:get*')), 'allow'],
    ['an Allow for another action', policy(allow({ AWS: OTHER }, 's3:PutEncryptionConfiguration')), 'none'],
    [
      'an Allow for another account',
      policy(allow({ AWS: '111122223333' }, 's3:GetEncryptionConfiguration')),
      'none',
    ],
    [
      'a Deny beside an Allow',
      policy(allow('*', 's3:*'), deny({ AWS: OTHER }, 's3:GetEncryptionConfiguration')),
      'deny',
    ],
    [
      'a Deny listed first',
      policy(deny('*', 's3:GetEncryptionConfiguration'), allow({ AWS: OTHER }, 's3:*')),
      'deny',
    ],
    [
      'NotPrincipal naming the caller',
      policy(allow('*', 's3:*'), {
        Effect: 'Deny',
        NotPrincipal: { AWS: OTHER },
        Action: 's3:*',
        Resource: ARN,
      }),
      'allow',
    ],
    [
      'NotPrincipal naming only a user of the caller',
      policy(allow('*', 's3:*'), {
        Effect: 'Deny',
        NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:user/bob` },
        Action: 's3:*',
        Resource: ARN,
      }),
      'deny',
    ],
    [
      'NotAction leaving the action',
      policy({ Effect: 'Allow', Principal: '*', NotAction: 's3:Put*', Resource: ARN }),
      'allow',
    ],
    [
      'NotAction naming the action',
      policy({ Effect: 'Allow', Principal: '*', NotAction: 's3:Get*', Resource: ARN }),
      'none',
    ],
    [
      'NotResource naming objects only',
      policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', NotResource: `${ARN}/*` }),
      'deny',
    ],
    ['an objects-only statement', policy({ ...allow({ AWS: OTHER }, 's3:*'), Resource: `${ARN}/*` }), 'none'],
    [
      'TLS-only over TLS',
      policy(
        allow('*', 's3:*'),
        deny('*', 's3:*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ),
      'allow',
    ],
    [
      'an Allow limited to addresses it is in',
      policy(allow('*', 's3:*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })),
      'allow',
    ],
    [
      'a Deny outside an address range',
      policy(
        allow('*', 's3:*'),
        deny('*', 's3:*', { Condition: { NotIpAddress: { 'aws:SourceIp': '192.168.0.0/16' } } }),
      ),
      'deny',
    ],
    // The canonical "deny unencrypted uploads", widened to s3:*: bucket operations carry no SSE header,
    // so StringNotEquals holds on the absent key and the Deny applies to them too (issue 18, point 3).
    [
      'a Deny on s3:* unless the SSE header says AES256',
      policy(
        allow('*', 's3:*'),
        everywhere(
          deny('*', 's3:*', {
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
          }),
        ),
      ),
      'deny',
    ],
    [
      'the same with Null (the key is absent: true)',
      policy(
        allow('*', 's3:*'),
        everywhere(deny('*', 's3:*', { Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } })),
      ),
      'deny',
    ],
    [
      'the same with StringNotEqualsIfExists (absent: holds)',
      policy(
        allow('*', 's3:*'),
        everywhere(
          deny('*', 's3:*', {
            Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' } },
          }),
        ),
      ),
      'deny',
    ],
    [
      'the same with StringEquals (absent: does not hold)',
      policy(
        allow('*', 's3:*'),
        everywhere(
          deny('*', 's3:*', {
            Condition: { StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          }),
        ),
      ),
      'allow',
    ],
    [
      'a minimum TLS version (s3:TlsVersion absent)',
      policy(
        allow('*', 's3:*'),
        deny('*', 's3:*', { Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } }),
      ),
      'allow',
    ],
    [
      'SigV4 only, signed with SigV4',
      policy(
        allow('*', 's3:*'),
        deny('*', 's3:*', { Condition: { StringNotEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256' } } }),
      ),
      'allow',
    ],
    [
      'an organization fence (no organization: absent)',
      policy(
        allow('*', 's3:*'),
        deny('*', 's3:*', { Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }),
      ),
      'deny',
    ],
    [
      'a VPC endpoint fence (absent)',
      policy(
        allow('*', 's3:*'),
        deny('*', 's3:*', { Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }),
      ),
      'deny',
    ],
    ['"Condition": {}', policy(allow('*', 's3:*', { Condition: {} })), 'allow'],
    ['an operator with no keys', policy(allow('*', 's3:*', { Condition: { StringEquals: {} } })), 'allow'],
    [
      'StringEquals on no values',
      policy(allow('*', 's3:*', { Condition: { StringEquals: { 'aws:userid': [] } } })),
      'none',
    ],
    [
      'StringNotEquals on no values',
      policy(allow('*', 's3:*', { Condition: { StringNotEquals: { 'aws:userid': [] } } })),
      'allow',
    ],
  ] as const)('answers %s with %s', (_what, text, verdict) => {
    expect(evaluate(text)).toBe(verdict);
  });

  it('denies over http when the policy is TLS-only', () => {
    const text = policy(
      allow('*', 's3:*'),
      deny('*', 's3:*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(evaluate(text, { secureTransport: false })).toBe('deny');
  });

  it('reads ListBucket keys from the listing query only', () => {
    const text = policy(
      allow('*', 's3:ListBucket', {
        Condition: { StringLike: { 's3:prefix': ['home/', 'home/${aws:userid}/*'] } },
      }),
    );
    const listing = (prefix: string | undefined) =>
      evaluate(text, {
        action: 's3:ListBucket',
        listing: true,
        query: prefix === undefined ? [] : [['prefix', prefix]],
      });
    expect(listing('home/')).toBe('allow');
    expect(listing(`home/${OTHER}/docs/`)).toBe('allow');
    expect(listing('home/someone-else/')).toBe('none');
    expect(listing(undefined)).toBe('none');
    // HeadBucket is s3:ListBucket too, but carries no prefix.
    expect(evaluate(text, { action: 's3:ListBucket', listing: false, query: [['prefix', 'home/']] })).toBe(
      'none',
    );
  });

  // AWS's Service Authorization Reference lists s3:prefix, s3:delimiter and s3:max-keys for
  // s3:ListBucketVersions as for s3:ListBucket.
  it('reads ListBucketVersions keys from the listing query, as ListBucket', () => {
    const text = policy(
      allow('*', 's3:ListBucketVersions'),
      deny('*', 's3:ListBucketVersions', { Condition: { StringLike: { 's3:prefix': 'secret/*' } } }),
      deny('*', 's3:ListBucketVersions', { Condition: { NumericGreaterThan: { 's3:max-keys': '10' } } }),
    );
    const versions = (query: Array<[string, string]>) =>
      evaluate(text, { action: 's3:ListBucketVersions', listing: true, query });
    expect(versions([['max-keys', '5']])).toBe('allow');
    expect(
      versions([
        ['prefix', 'secret/x'],
        ['max-keys', '5'],
      ]),
    ).toBe('deny');
    // max-keys defaults to 1000, past the limit.
    expect(versions([['prefix', 'public/']])).toBe('deny');
    expect(
      versions([
        ['delimiter', '/'],
        ['max-keys', '10'],
      ]),
    ).toBe('allow');
  });

  // AWS's Service Authorization Reference lists s3:x-amz-acl and s3:x-amz-grant-* for s3:PutBucketAcl.
  it('reads PutBucketAcl keys from its ACL headers', () => {
    const text = policy(
      allow('*', 's3:PutBucketAcl', { Condition: { StringEquals: { 's3:x-amz-acl': 'private' } } }),
      deny('*', 's3:PutBucketAcl', {
        Condition: { StringLike: { 's3:x-amz-grant-read': '*acs.amazonaws.com/groups/global/AllUsers*' } },
      }),
    );
    const acl = (aclHeaders: Record<string, string> | undefined, action = 's3:PutBucketAcl') =>
      evaluate(text, { action, aclHeaders });
    expect(acl({ acl: 'private' })).toBe('allow');
    expect(acl({ acl: 'public-read' })).toBe('none');
    expect(acl({})).toBe('none');
    expect(acl({ 'grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })).toBe('deny');
    expect(acl({ 'grant-read': `id="${OTHER}"` })).toBe('none');
  });

  it('fills s3:max-keys of a listing with its default', () => {
    const text = policy(
      allow('*', 's3:ListBucket', { Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } } }),
    );
    expect(evaluate(text, { action: 's3:ListBucket', listing: true, query: [['max-keys', '5']] })).toBe(
      'allow',
    );
    expect(evaluate(text, { action: 's3:ListBucket', listing: true, query: [] })).toBe('none');
  });
});

describe('OWNER_DENY_SCOPE', () => {
  it("names the owner-deniable actions and the context's key table, so a change to either distrusts stored lists", () => {
    expect(OWNER_DENY_SCOPE).toBe(ownerDenyScope(OWNER_DENIABLE_ACTIONS, CONTEXT_KEY_TABLE));
    expect(OWNER_DENY_SCOPE).toMatch(/^v2-[0-9a-f]{8}$/);
    // The table before ListObjectVersions carried s3:prefix: another scope.
    const before = CONTEXT_KEY_TABLE.replaceAll('[s3:ListBucket s3:ListBucketVersions]', '[s3:ListBucket]');
    expect(before).not.toBe(CONTEXT_KEY_TABLE);
    expect(ownerDenyScope(OWNER_DENIABLE_ACTIONS, before)).not.toBe(OWNER_DENY_SCOPE);
    expect(ownerDenyScope(OWNER_DENIABLE_ACTIONS.slice(1), CONTEXT_KEY_TABLE)).not.toBe(OWNER_DENY_SCOPE);
  });
});

describe('actionsDeniableToOwner', () => {
  const deniable = (text: string) => actionsDeniableToOwner(parseBucketPolicy(text, BUCKET), OWNER, BUCKET);

  it.each([
    ['no Deny', policy(allow('*', 's3:*')), []],
    ['a Deny naming another account', policy(deny({ AWS: OTHER }, 's3:*')), []],
    [
      'a Deny to everyone',
      policy(deny('*', 's3:PutEncryptionConfiguration')),
      ['s3:PutEncryptionConfiguration'],
    ],
    ['a Deny naming the owner', policy(deny({ AWS: OWNER }, 's3:Delete*')), ['s3:DeleteBucket']],
    [
      'a Deny naming a user of the owner (not its root)',
      policy(deny({ AWS: `arn:aws:iam::${OWNER}:user/u` }, 's3:*')),
      [],
    ],
    ['a Deny of the policy actions only (the owner is exempt)', policy(deny('*', 's3:*BucketPolicy')), []],
    [
      'a Deny to everyone but the owner',
      policy(deny('*', 's3:*', { Condition: { StringNotEquals: { 'aws:PrincipalAccount': OWNER } } })),
      [],
    ],
    [
      'a Deny to everyone but the owner, by ARN',
      policy(
        deny('*', 's3:*', {
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${OWNER}:root` } },
        }),
      ),
      [],
    ],
    [
      'a Deny to the owner by condition',
      policy(deny('*', 's3:ListBucket', { Condition: { StringLike: { 'aws:PrincipalAccount': '1234*' } } })),
      ['s3:ListBucket'],
    ],
    [
      'a Deny outside an address range (could hold)',
      policy(
        deny('*', 's3:GetEncryptionConfiguration', {
          Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        }),
      ),
      ['s3:GetEncryptionConfiguration'],
    ],
    ['a Deny on objects only', policy({ ...deny('*', 's3:*'), Resource: `${ARN}/*` }), []],
    [
      'NotPrincipal not naming the owner',
      policy({ Effect: 'Deny', NotPrincipal: { AWS: OTHER }, Action: 's3:DeleteBucket', Resource: ARN }),
      ['s3:DeleteBucket'],
    ],
    [
      'NotPrincipal naming the owner',
      policy({ Effect: 'Deny', NotPrincipal: { AWS: OWNER }, Action: 's3:*', Resource: ARN }),
      [],
    ],
    [
      'NotAction',
      policy({ Effect: 'Deny', Principal: '*', NotAction: ['s3:Get*', 's3:List*'], Resource: ARN }),
      [
        's3:DeleteBucket',
        's3:PutEncryptionConfiguration',
        's3:PutBucketPublicAccessBlock',
        's3:PutBucketOwnershipControls',
        's3:PutBucketAcl',
      ],
    ],
    [
      'NotResource',
      policy({ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', NotResource: `${ARN}/*` }),
      ['s3:DeleteBucket'],
    ],
    [
      'an object-only key, negated (absent: holds)',
      policy(
        everywhere(
          deny('*', 's3:*', {
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
          }),
        ),
      ),
      OWNER_DENIABLE_ACTIONS,
    ],
    [
      'an object-only key, positive (absent: never)',
      policy(
        everywhere(
          deny('*', 's3:*', { Condition: { StringEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } }),
        ),
      ),
      [],
    ],
    [
      'a listing key: only ListBucket and ListBucketVersions carry it',
      policy(deny('*', 's3:*', { Condition: { StringLike: { 's3:prefix': 'secret/*' } } })),
      ['s3:ListBucket', 's3:ListBucketVersions'],
    ],
    [
      'an ACL header key: only PutBucketAcl carries it',
      policy(deny('*', 's3:*', { Condition: { StringEquals: { 's3:x-amz-acl': 'private' } } })),
      ['s3:PutBucketAcl'],
    ],
    [
      'an ACL grant key: only PutBucketAcl carries it',
      policy(deny('*', 's3:*', { Condition: { StringLike: { 's3:x-amz-grant-read': '*AllUsers*' } } })),
      ['s3:PutBucketAcl'],
    ],
    [
      'a resource variable of a varying key',
      policy({ ...deny('*', 's3:DeleteBucket'), Resource: 'arn:aws:s3:::${aws:UserAgent}' }),
      ['s3:DeleteBucket'],
    ],
    [
      'a resource variable without a value for the owner',
      policy({ ...deny('*', 's3:DeleteBucket'), Resource: 'arn:aws:s3:::${aws:username}' }),
      [],
    ],
    [
      'TLS-only',
      policy(deny('*', 's3:*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })),
      OWNER_DENIABLE_ACTIONS,
    ],
  ])('answers %s', (_what, text, actions) => {
    expect(deniable(text)).toEqual(actions);
  });
});
