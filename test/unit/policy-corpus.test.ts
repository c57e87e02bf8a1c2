// The corpus of real bucket policies (test/fixtures/policies/cases.json): those AWS accepts — its
// documentation's examples, what Terraform and the CDK generate, the delivery policies of AWS's
// services — are accepted; those AWS refuses are refused with AWS's message. Each case names its
// source. Those marked `public` are the ones S3 Block Public Access counts as public (each checked by
// hand against the User Guide's rule: a grant to everyone with no fixed limiting condition), and no
// other. test/integration/policy-fixtures.test.ts puts the accepted ones through the handlers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../lib/errors.ts';
import { isPublicPolicy } from '../../lib/policy/index.ts';
import { parseBucketPolicy } from '../../lib/policy/validate.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/policies');
const BUCKET = 'amzn-s3-demo-bucket';

interface Cases {
  accepted: Array<{ file: string; source: string; common?: boolean; public?: boolean; note?: string }>;
  refused: Array<{ file: string; message: string; source: string }>;
}
const cases = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as Cases;
const text = (file: string) => readFileSync(join(FIXTURES, file));

describe('the corpus of real policies', () => {
  it('holds at least 60 policies AWS accepts, the 11 common ones of issue 18 among them, each with its source', () => {
    expect(cases.accepted.length).toBeGreaterThanOrEqual(60);
    expect(cases.accepted.filter((entry) => entry.common)).toHaveLength(11);
    for (const entry of [...cases.accepted, ...cases.refused]) expect(entry.source).toMatch(/^https:\/\//);
  });

  it.each(cases.accepted.map((entry) => [entry.file, entry]))('accepts %s', (file) => {
    const body = text(file);
    const policy = parseBucketPolicy(body, BUCKET);
    expect(policy.text).toBe(body.toString('utf8'));
  });

  it.each(cases.accepted.map((entry) => [entry.file, entry.public === true]))(
    'counts %s as public: %s',
    (file, expected) => {
      expect(isPublicPolicy(parseBucketPolicy(text(file), BUCKET))).toBe(expected);
    },
  );

  it('holds public policies and policies that are not, the grants to everyone limited by a fixed key among the latter', () => {
    expect(cases.accepted.filter((entry) => entry.public).length).toBeGreaterThanOrEqual(4);
    for (const file of ['accepted/organization-fence.json', 'accepted/access-point-delegation.json']) {
      expect(cases.accepted.find((entry) => entry.file === file)?.public).toBeUndefined();
    }
  });

  it.each(cases.refused.map((entry) => [entry.file, entry.message]))('refuses %s: %s', (file, message) => {
    let refusal: unknown;
    try {
      parseBucketPolicy(text(file), BUCKET);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(S3Error);
    expect((refusal as S3Error).code).toBe('MalformedPolicy');
    expect((refusal as S3Error).message).toBe(message);
  });
});
