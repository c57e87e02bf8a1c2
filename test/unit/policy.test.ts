import { describe, expect, it } from 'vitest';
import {
  actionsDeniableToOwner,
  type EvaluationContext,
  evaluateBucketPolicy,
  parseBucketPolicy,
} from '../../lib/auth/policy.ts';
import { S3Error } from '../../lib/errors.ts';

const BUCKET = 'shared-bucket';
const ARN = `arn:aws:s3:::${BUCKET}`;
const OTHER = '210987654321';
const OWNER = '123456789012';

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

const context = (overrides: Partial<EvaluationContext> = {}): EvaluationContext => ({
  action: 's3:GetEncryptionConfiguration',
  principalAccount: OTHER,
  resource: ARN,
  sourceIp: '10.1.2.3',
  ...overrides,
});

function malformed(text: string): string | undefined {
  try {
    parseBucketPolicy(text, BUCKET);
  } catch (error) {
    if (error instanceof S3Error) return `${error.code}: ${error.message}`;
    throw error;
  }
  return undefined;
}

describe('parseBucketPolicy', () => {
  it.each([
    ['not JSON', '{"Statement": '],
    ['a JSON array', '[]'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
    [
      'an unknown top-level field',
      JSON.stringify({ Statement: [allow('*', 's3:GetEncryptionConfiguration')], Extra: 1 }),
    ],
    [
      'a bad version',
      JSON.stringify({ Version: '2020-01-01', Statement: [allow('*', 's3:GetEncryptionConfiguration')] }),
    ],
    ['an unknown action', policy(allow('*', 's3:GetEncryptionConfig'))],
    ['a non-s3 action', policy(allow('*', 'ec2:RunInstances'))],
    [
      'an unsupported condition key',
      policy(
        allow('*', 's3:GetEncryptionConfiguration', { Condition: { StringEquals: { 'aws:Referer': 'x' } } }),
      ),
    ],
    [
      'an unsupported condition operator',
      policy(
        allow('*', 's3:GetEncryptionConfiguration', {
          Condition: { NumericLessThan: { 'aws:PrincipalAccount': '1' } },
        }),
      ),
    ],
    [
      'NotPrincipal',
      policy({
        ...allow('*', 's3:GetEncryptionConfiguration'),
        Principal: undefined,
        NotPrincipal: { AWS: OTHER },
      }),
    ],
    ['NotAction', policy({ Effect: 'Allow', Principal: '*', NotAction: 's3:GetObject', Resource: ARN })],
    [
      'another bucket as resource',
      policy({ ...allow('*', 's3:GetEncryptionConfiguration'), Resource: 'arn:aws:s3:::other-bucket' }),
    ],
    ['a bad principal', policy(allow({ AWS: 'not-an-account' }, 's3:GetEncryptionConfiguration'))],
    ['a bad effect', policy({ ...allow('*', 's3:GetEncryptionConfiguration'), Effect: 'Maybe' })],
    [
      'an invalid source IP',
      policy(
        allow('*', 's3:GetEncryptionConfiguration', {
          Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } },
        }),
      ),
    ],
    [
      'more than 20 KB',
      policy({ ...allow('*', 's3:GetEncryptionConfiguration'), Sid: 'x'.repeat(21 * 1024) }),
    ],
  ])('refuses a policy with %s as MalformedPolicy', (_what, text) => {
    expect(malformed(text)).toMatch(/^MalformedPolicy: /);
  });

  // Operators and keys are Map entries: names of Object.prototype are unknown like any other.
  it.each([
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    'StringEqualsIfExists',
    'ForAnyValue:StringEquals',
  ])('refuses %s as a condition operator', (operator) => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"${ARN}","Condition":{"${operator}":{"aws:PrincipalAccount":"${OTHER}"}}}]}`;
    expect(malformed(text)).toMatch(/^MalformedPolicy: /);
  });

  it.each(['constructor', '__proto__', 'toString'])('refuses %s as a condition key', (key) => {
    const text = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"${ARN}","Condition":{"StringEquals":{"${key}":"x"}}}]}`;
    expect(malformed(text)).toMatch(/^MalformedPolicy: /);
  });

  it.each([
    ['an empty operator block', { StringEquals: {} }],
    ['an IP operator on a string key', { IpAddress: { 'aws:PrincipalAccount': OTHER } }],
    ['a string operator on the source IP', { StringLike: { 'aws:SourceIp': '10.*' } }],
    ['an empty value list', { StringEquals: { 'aws:PrincipalAccount': [] } }],
    ['a prefix length that is not a number', { IpAddress: { 'aws:SourceIp': '10.0.0.0/' } }],
    ['two prefix lengths', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8/9' } }],
  ])('refuses %s as MalformedPolicy', (_what, condition) => {
    expect(malformed(policy(allow('*', 's3:GetEncryptionConfiguration', { Condition: condition })))).toMatch(
      /^MalformedPolicy: /,
    );
  });

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
      `{"Statement":[{"Effect":"Deny","\u0045ffect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}"}]}`,
    ],
    [
      'in a condition block',
      `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}","Condition":{"StringEquals":{"aws:PrincipalAccount":"1","aws:PrincipalAccount":"2"}}}]}`,
    ],
  ])('refuses a duplicate key %s as MalformedPolicy', (_where, text) => {
    expect(malformed(text)).toMatch(/^MalformedPolicy: /);
  });

  it('accepts the same key in two different objects', () => {
    const text = `{"Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}"},{"Sid":"b","Effect":"Deny","Principal":{"AWS":"${OTHER}"},"Action":"s3:*","Resource":"${ARN}"}]}`;
    expect(malformed(text)).toBeUndefined();
  });

  it('accepts a resource naming objects under a prefix of this bucket', () => {
    expect(
      malformed(policy({ ...allow('*', 's3:GetObject'), Resource: `${ARN}/logs/2025/*` })),
    ).toBeUndefined();
  });

  it.each([
    ['an action value longer than 2,048 characters', policy(allow('*', `s3:${'*'.repeat(2050)}`))],
    [
      'more than 512 values',
      policy(
        allow(
          '*',
          Array.from({ length: 513 }, () => 's3:GetEncryptionConfiguration'),
        ),
      ),
    ],
  ])('refuses %s as MalformedPolicy', (_what, text) => {
    expect(malformed(text)).toMatch(/^MalformedPolicy: /);
  });

  it.each([
    ['an account id', { AWS: OTHER }],
    ['a root ARN', { AWS: `arn:aws:iam::${OTHER}:root` }],
    ['a list of principals', { AWS: [OTHER, '123456789012'] }],
    ['everyone', '*'],
  ])('accepts %s as principal', (_what, principal) => {
    expect(malformed(policy(allow(principal, ['s3:GetEncryptionConfiguration', 's3:Get*'])))).toBeUndefined();
  });

  it('records no deniable action for a policy without Deny', () => {
    expect(
      actionsDeniableToOwner(parseBucketPolicy(policy(allow('*', 's3:*')), BUCKET), OWNER, BUCKET),
    ).toEqual([]);
  });
});

describe('actionsDeniableToOwner', () => {
  const deniable = (text: string) => actionsDeniableToOwner(parseBucketPolicy(text, BUCKET), OWNER, BUCKET);

  it.each([
    ['a Deny naming another account', policy(deny({ AWS: OTHER }, 's3:*')), []],
    [
      'a Deny to everyone',
      policy(deny('*', 's3:PutEncryptionConfiguration')),
      ['s3:PutEncryptionConfiguration'],
    ],
    ['a Deny naming the owner', policy(deny({ AWS: OWNER }, 's3:Delete*')), ['s3:DeleteBucket']],
    ['a Deny of the policy actions only (the owner is exempt)', policy(deny('*', 's3:*BucketPolicy')), []],
    [
      'a Deny to everyone but the owner',
      policy(deny('*', 's3:*', { Condition: { StringNotEquals: { 'aws:PrincipalAccount': OWNER } } })),
      [],
    ],
    [
      'a Deny to the owner by condition',
      policy(deny('*', 's3:ListBucket', { Condition: { StringLike: { 'aws:PrincipalAccount': '1234*' } } })),
      ['s3:ListBucket'],
    ],
    [
      'a Deny outside an address range (could hold for the owner)',
      policy(
        deny('*', 's3:GetEncryptionConfiguration', {
          Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        }),
      ),
      ['s3:GetEncryptionConfiguration'],
    ],
    ['a Deny on objects only', policy({ ...deny('*', 's3:*'), Resource: `${ARN}/*` }), []],
  ])('answers %s', (_what, text, actions) => {
    expect(deniable(text)).toEqual(actions);
  });
});

describe('evaluateBucketPolicy', () => {
  const evaluate = (text: string, overrides: Partial<EvaluationContext> = {}) =>
    evaluateBucketPolicy(parseBucketPolicy(text, BUCKET), context(overrides));

  it.each([
    ['an Allow naming the account', policy(allow({ AWS: OTHER }, 's3:GetEncryptionConfiguration')), 'allow'],
    [
      'an Allow naming the root ARN',
      policy(allow({ AWS: `arn:aws:iam::${OTHER}:root` }, 's3:GetEncryptionConfiguration')),
      'allow',
    ],
    ['an Allow to everyone', policy(allow('*', 's3:GetEncryptionConfiguration')), 'allow'],
    ['a wildcard action', policy(allow({ AWS: OTHER }, 's3:Get*')), 'allow'],
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
      'a matching PrincipalAccount condition',
      policy(allow('*', 's3:*', { Condition: { StringEquals: { 'aws:PrincipalAccount': OTHER } } })),
      'allow',
    ],
    [
      'a failing PrincipalAccount condition',
      policy(allow('*', 's3:*', { Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } } })),
      'none',
    ],
    [
      'a matching SourceIp condition',
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
  ])('answers %s with %s', (_what, text, verdict) => {
    expect(evaluate(text)).toBe(verdict);
  });

  it('matches the resource of the bucket only, not its objects-only statements', () => {
    const objectsOnly = policy({ ...allow({ AWS: OTHER }, 's3:*'), Resource: `${ARN}/*` });
    expect(evaluate(objectsOnly)).toBe('none');
  });
});
