// The hostile policies of the cpu bench (test/fixtures/policies/hostile.ts): each within AWS's 20 KB and
// the 512-value limit, accepted by PutBucketPolicy's parser, and evaluated within the step bound —
// steps, not time, so the test holds on a loaded machine; the bench times them (docs/security.md ›
// Bounded work).
import { describe, expect, it } from 'vitest';
import {
  evaluateBucketPolicy,
  MAX_EVALUATION_STEPS,
  type Meter,
  parseStoredPolicy,
} from '../../lib/policy/index.ts';
import { parseBucketPolicy } from '../../lib/policy/validate.ts';
import { HOSTILE_POLICIES } from '../fixtures/policies/hostile.ts';
import { policyRequest } from '../helpers/policy-request.ts';

const BUCKET = 'amzn-s3-demo-bucket';

describe('the hostile policies', () => {
  it.each(HOSTILE_POLICIES.map(({ name, text }) => [name, text(BUCKET)] as const))(
    '%s: accepted, under 20 KB, and evaluated in bounded steps',
    (_name, text) => {
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(20 * 1024);
      expect(Buffer.byteLength(text)).toBeGreaterThan(7 * 1024);
      parseBucketPolicy(text, BUCKET);
      const policy = parseStoredPolicy(text, BUCKET);
      const meter: Meter = { steps: 0 };
      evaluateBucketPolicy(
        policy,
        policyRequest({ userAgent: 'aws-sdk-js/3.1162.0 ua/2.1 os/linux', referer: 'https://example.com/' }),
        meter,
      );
      // Far below the budget past which a request is denied (a hostile policy alone never gets there).
      expect(meter.steps).toBeLessThan(MAX_EVALUATION_STEPS / 10);
    },
  );
});
