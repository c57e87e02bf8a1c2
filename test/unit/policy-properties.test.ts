// Properties of the policy language with fast-check: wildcard matching agrees with a reference
// matcher and its work, counted in steps (never time), is bounded by the length of the value alone;
// parsing any text and evaluating what parses throw nothing but S3 errors, within a step bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, type Meter, maxGlobSteps } from '../../lib/auth/glob.ts';
import {
  actionsDeniableToOwner,
  evaluateBucketPolicy,
  OWNER_DENIABLE_ACTIONS,
  POLICY_ACTIONS,
  parseBucketPolicy,
  type S3Action,
} from '../../lib/auth/policy.ts';
import { S3Error } from '../../lib/errors.ts';

const BUCKET = 'prop-bucket';
const ARN = `arn:aws:s3:::${BUCKET}`;
const ACTIONS: S3Action[] = [...OWNER_DENIABLE_ACTIONS, ...POLICY_ACTIONS];

/** Reference: dynamic programming over (pattern prefix, value prefix), obviously correct and slow. */
function referenceMatch(pattern: string, value: string): boolean {
  let row = Array.from({ length: value.length + 1 }, (_, index) => index === 0);
  for (const character of pattern) {
    const next = Array.from({ length: value.length + 1 }, () => false);
    if (character === '*') {
      for (let index = 0; index <= value.length; index++)
        next[index] = (row[index] ?? false) || (index > 0 && (next[index - 1] ?? false));
    } else {
      for (let index = 1; index <= value.length; index++)
        next[index] = (row[index - 1] ?? false) && (character === '?' || character === value[index - 1]);
    }
    row = next;
  }
  return row[value.length] ?? false;
}

const patternOf = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 40 });
const valueText = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 30 });

describe('compileGlob', () => {
  it('agrees with the reference matcher and stays within its step bound', () => {
    fc.assert(
      fc.property(patternOf, valueText, (pattern, value) => {
        const meter: Meter = { steps: 0 };
        expect(compileGlob(pattern, false)(value, meter)).toBe(referenceMatch(pattern, value));
        expect(meter.steps).toBeLessThanOrEqual(maxGlobSteps(value.length));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a bounded number of steps on the patterns that made a backtracking RegExp take seconds', () => {
    for (const stars of [22, 30, 1000]) {
      const meter: Meter = { steps: 0 };
      const pattern = `${'*'.repeat(stars)}x`;
      expect(compileGlob(pattern, false)('123456789012', meter)).toBe(false);
      expect(meter.steps).toBeLessThanOrEqual(maxGlobSteps(12));
      const alternating = `${'a*'.repeat(stars)}b`;
      const longValue = 'a'.repeat(76);
      const alternatingMeter: Meter = { steps: 0 };
      expect(compileGlob(alternating, false)(longValue, alternatingMeter)).toBe(false);
      expect(alternatingMeter.steps).toBeLessThanOrEqual(maxGlobSteps(76));
    }
  });

  it('matches action names without regard to case', () => {
    expect(compileGlob('S3:get*CONFIGURATION', true)('s3:GetEncryptionConfiguration')).toBe(true);
    expect(compileGlob('s3:Get*', false)('s3:getBucketPolicy')).toBe(false);
  });
});

// A wildcard pattern that still matches `text`: characters kept, replaced by `?` or `*`, or preceded by `*`.
const wildcardOf = (text: string) =>
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

// Valid policies (so evaluation is exercised), with hostile wildcards where the language allows them.
const actionPattern = fc.oneof(
  fc
    .constantFrom(...ACTIONS, 's3:GetObject')
    .chain((action) => wildcardOf(action.slice(3)))
    .map((name) => `s3:${name}`),
  fc.constantFrom('*', 's3:*', `s3:${'*'.repeat(40)}t`, 's3:*e*e*e*e*'),
);
const resourcePattern = fc.oneof(
  wildcardOf(BUCKET).map((name) => `arn:aws:s3:::${name}`),
  fc
    .constantFrom('*', 'logs/x', 'a/b/c')
    .chain(wildcardOf)
    .map((key) => `arn:aws:s3:::${BUCKET}/${key}`),
);
const accountPattern = fc.oneof(
  fc.constantFrom('210987654321', '123456789012').chain(wildcardOf),
  fc.integer({ min: 1, max: 60 }).map((stars) => `${'*'.repeat(stars)}x`),
  fc.string({ unit: fc.constantFrom('1', '2', '*', '?'), maxLength: 40 }).filter((text) => text !== ''),
);
const stringCondition = fc.record({
  operator: fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'),
  values: fc.array(accountPattern, { minLength: 1, maxLength: 3 }),
});
const ipCondition = fc.record({
  operator: fc.constantFrom('IpAddress', 'NotIpAddress'),
  values: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.1.1', '::1/128', '0.0.0.0/0'), {
    minLength: 1,
    maxLength: 3,
  }),
});
const condition = fc
  .tuple(fc.option(stringCondition, { nil: undefined }), fc.option(ipCondition, { nil: undefined }))
  .map(([string, ip]) => ({
    ...(string ? { [string.operator]: { 'aws:PrincipalAccount': string.values } } : {}),
    ...(ip ? { [ip.operator]: { 'aws:SourceIp': ip.values } } : {}),
  }));
const statement = fc.record(
  {
    Sid: fc.string({ maxLength: 5 }),
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.oneof(
      fc.constant('*'),
      fc.record({ AWS: fc.constantFrom('*', '210987654321', 'arn:aws:iam::123456789012:root') }),
    ),
    Action: fc.array(actionPattern, { minLength: 1, maxLength: 4 }),
    Resource: fc.array(resourcePattern, { minLength: 1, maxLength: 3 }),
    Condition: condition,
  },
  { requiredKeys: ['Effect', 'Principal', 'Action', 'Resource'] },
);
const validPolicy = fc
  .array(statement, { minLength: 1, maxLength: 8 })
  .map((statements) => JSON.stringify({ Version: '2012-10-17', Statement: statements }));

// Anything at all, and policies with names of Object.prototype where operators and keys go.
const hostileName = fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '');
const hostilePolicy = fc
  .tuple(hostileName, fc.constantFrom('aws:PrincipalAccount', '__proto__', 'constructor'), fc.json())
  .map(
    ([operator, key, value]) =>
      `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${ARN}","Condition":{"${operator}":{"${key}":${value}}}}]}`,
  );
const anyText = fc.oneof(
  fc.json(),
  fc.string(),
  hostilePolicy,
  validPolicy.map((text) => text.slice(0, -3)),
);

const context = fc.record({
  action: fc.constantFrom(...ACTIONS),
  principalAccount: fc.constantFrom('210987654321', '123456789012', '333344445555'),
  resource: fc.constant(ARN),
  sourceIp: fc.constantFrom('10.1.2.3', '192.168.0.1', '::1', undefined),
});

/** Strings in a JSON document: an upper bound on the patterns a parsed policy holds. */
function stringsIn(value: unknown): number {
  if (typeof value === 'string') return 1;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + stringsIn(item), 0);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).reduce((sum: number, item) => sum + stringsIn(item), 0);
  return 0;
}

describe('parseBucketPolicy and evaluateBucketPolicy', () => {
  it('parse valid policies and evaluate them within the step bound', () => {
    fc.assert(
      fc.property(validPolicy, context, (text, request) => {
        const policy = parseBucketPolicy(text, BUCKET);
        const meter: Meter = { steps: 0 };
        expect(['allow', 'deny', 'none']).toContain(evaluateBucketPolicy(policy, request, meter));
        // One step per statement, and at most one glob's bound per value in the policy, the longest
        // value matched being the bucket's ARN.
        const bound = policy.statements.length + stringsIn(JSON.parse(text)) * maxGlobSteps(ARN.length);
        expect(meter.steps).toBeLessThanOrEqual(bound);
        expect(() => actionsDeniableToOwner(policy, '123456789012', BUCKET)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('throw nothing but MalformedPolicy for any text, and evaluate whatever parses', () => {
    fc.assert(
      fc.property(anyText, context, (text, request) => {
        let policy: ReturnType<typeof parseBucketPolicy>;
        try {
          policy = parseBucketPolicy(text, BUCKET);
        } catch (error) {
          expect(error).toBeInstanceOf(S3Error);
          expect((error as S3Error).code).toBe('MalformedPolicy');
          return;
        }
        expect(['allow', 'deny', 'none']).toContain(evaluateBucketPolicy(policy, request));
      }),
      { numRuns: 1500 },
    );
  });

  it('evaluates a policy full of hostile wildcards within the bound', () => {
    const hostile = `${'*'.repeat(30)}x`;
    const text = JSON.stringify({
      Statement: Array.from({ length: 40 }, () => ({
        Effect: 'Deny',
        Principal: '*',
        Action: `s3:${'*e'.repeat(3)}*`,
        Resource: `arn:aws:s3:::${'*?'.repeat(10)}*`,
        Condition: { StringLike: { 'aws:PrincipalAccount': [hostile, hostile] } },
      })),
    });
    const policy = parseBucketPolicy(text, BUCKET);
    const meter: Meter = { steps: 0 };
    evaluateBucketPolicy(
      policy,
      {
        action: 's3:GetEncryptionConfiguration',
        principalAccount: '210987654321',
        resource: ARN,
        sourceIp: undefined,
      },
      meter,
    );
    expect(meter.steps).toBeGreaterThan(0);
    expect(meter.steps).toBeLessThanOrEqual(40 * (1 + 4 * maxGlobSteps(ARN.length)));
  });
});
