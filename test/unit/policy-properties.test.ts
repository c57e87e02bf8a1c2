// Properties of the policy language with fast-check, over the whole grammar (test/helpers/
// policy-arbitraries.ts): wildcard matching agrees with a reference matcher and its work, counted in
// steps (never time), is bounded by the length of the value alone; parsing any text throws nothing but
// MalformedPolicy; evaluation stays within a step bound; and the owner's Deny precomputation is
// conservative — every Deny the evaluator applies to the owner's request is in its list. The long
// properties take a minute's timeout: a bound on a hung run, not a speed assertion (they assert work
// in steps).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../lib/errors.ts';
import { ActionNames } from '../../lib/policy/action-names.ts';
import {
  compileGlob,
  globOf,
  type Meter,
  matchesSomeExtension,
  maxGlobSteps,
} from '../../lib/policy/glob.ts';
import {
  actionsDeniableToOwner,
  evaluateBucketPolicy,
  OWNER_DENIABLE_ACTIONS,
  type PolicyRequest,
  parseStoredPolicy,
  type RequestFacts,
  requestContext,
} from '../../lib/policy/index.ts';
import { S3_ACTION_LIST } from '../../lib/policy/s3-table.ts';
import { parseBucketPolicy } from '../../lib/policy/validate.ts';
import { policyDocument, requestFacts, statementOf } from '../helpers/policy-arbitraries.ts';
import { BUCKET_ARN, OWNER_ACCOUNT, POLICY_BUCKET } from '../helpers/policy-request.ts';

const BUCKET = POLICY_BUCKET;

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

describe('glob matching', () => {
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

  it("matches sets of names, S3's among them, through their index (action-names.ts) as the reference does", () => {
    /** The indices of `names` the index says `pattern` matches. */
    const matched = (index: ActionNames, pattern: string): number[] => {
      const bits = new Uint32Array(Math.ceil(index.size / 32) + 1);
      index.match(globOf(pattern, true), bits);
      return Array.from({ length: index.size }, (_, at) => at).filter(
        (at) => ((bits[at >> 5] ?? 0) >>> (at & 31)) & 1,
      );
    };
    const expected = (names: readonly string[], pattern: string): number[] =>
      names.flatMap((name, at) => (referenceMatch(pattern, name) ? [at] : []));
    // Sets of names over a small alphabet (more than 32, so several words), so that matches,
    // near-misses, repeats and names of every length are frequent; patterns with other characters,
    // upper case (folded) and wildcards.
    const names = fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ':', '3', '-'), maxLength: 30 }), {
      minLength: 1,
      maxLength: 70,
    });
    const patterns = fc.string({
      unit: fc.constantFrom('a', 'b', 'B', ':', '3', '-', 'z', '_', '*', '?'),
      maxLength: 24,
    });
    // A one-unit segment keeps each name's first place only (a `*` follows it): `*a*b*` must not
    // lend those rows to `*ab*`, which needs every place of `a`.
    const lone = new ActionNames(['baab']);
    expect(matched(lone, '*a*b*')).toEqual([0]);
    expect(matched(lone, '*ab*')).toEqual([0]);
    // Pairs sharing a prefix, one after the other: the second may pick up the first one's rows.
    const pairs = fc.array(
      fc.tuple(patterns, patterns, patterns).map(([prefix, a, b]) => [prefix + a, prefix + b]),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(names, pairs, (list, paired) => {
        const tried = paired.flat();
        const index = new ActionNames(list);
        // In the order given, then sorted (one index: each match may pick up the last one's rows).
        for (const pattern of [...tried, ...tried.map((text) => text.toLowerCase()).sort()]) {
          expect(matched(index, pattern), pattern).toEqual(expected(list, pattern.toLowerCase()));
        }
      }),
      { numRuns: 1000 },
    );
    // S3's own names against generated patterns, as PutBucketPolicy asks.
    const s3Names = S3_ACTION_LIST.map((action) => action.name.toLowerCase());
    const s3Index = new ActionNames(s3Names);
    const s3Patterns = fc
      .array(
        fc.constantFrom(
          's3:',
          'get',
          'put',
          'object',
          'bucket',
          'e',
          't',
          'o',
          '*',
          '?',
          '??',
          'x',
          'Policy',
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(s3Patterns, (pattern) => {
        expect(matched(s3Index, pattern), pattern).toEqual(expected(s3Names, pattern.toLowerCase()));
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it("PutBucketPolicy accepts a policy's Action patterns exactly when each names an S3 action", () => {
    // Through the whole path (sorting, the shared-prefix resume, the bitsets): each statement's
    // patterns, over letters S3's names hold and wildcards, against the reference matcher.
    const onBucketOrObjects = S3_ACTION_LIST.filter((action) => action.resources !== 0).map((action) =>
      action.name.toLowerCase(),
    );
    const allNames = S3_ACTION_LIST.map((action) => action.name.toLowerCase());
    // Mostly `*`s around a few of S3's syllables, so that many policies pass and many do not.
    const pattern = fc
      .tuple(
        fc.array(
          fc.constantFrom('*', '*', '*', '*?', 'get', 'put', 'Bucket', 'object', 'e', 't', 'o', 'q', '?'),
          { minLength: 1, maxLength: 5 },
        ),
        fc.constantFrom('*', '*', ''),
      )
      .map(([parts, end]) => `s3:${parts.join('')}${end}`);
    // Alone, those made a policy PutBucketPolicy accepts in ≈ 8% of cases (233 of 3,000, measured): 300
    // runs saw 20 or fewer accepted ones in about a quarter of the seeds, and the check below failed
    // (18, in a CI run). Half the patterns are now S3's own names, whole or cut short by a `*`: 50-65
    // accepted of 300 in three runs, so both outcomes are common whatever the seed.
    const named = fc
      .constantFrom(...S3_ACTION_LIST.map((action) => action.name.replace(/^s3:/, '')))
      .chain((name) =>
        fc.nat(name.length).map((cut) => (cut === name.length ? `s3:${name}` : `s3:${name.slice(0, cut)}*`)),
      );
    const patternOrName = fc.oneof(pattern, named);
    const statements = fc.array(fc.uniqueArray(patternOrName, { minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 2,
    });
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(statements, (actionLists) => {
        const text = JSON.stringify({
          Version: '2012-10-17',
          Statement: actionLists.map((actions) => ({
            Effect: 'Deny',
            Principal: '*',
            Action: actions,
            Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          })),
        });
        const names = (text: string, list: readonly string[]) =>
          list.some((name) => referenceMatch(text.toLowerCase(), name));
        // AWS's first refusal in the policy's order: a pattern naming nothing, else a statement
        // whose patterns each name only actions on neither the bucket nor its objects.
        let refusal: string | undefined;
        for (const actions of actionLists) {
          if (actions.some((text) => !names(text, allNames))) refusal = 'Policy has invalid action';
          else if (actions.some((text) => !names(text, onBucketOrObjects)))
            refusal = 'Action does not apply to any resource(s) in statement';
          if (refusal) break;
        }
        let message: string | undefined;
        try {
          parseBucketPolicy(text, BUCKET);
        } catch (error) {
          expect(error).toBeInstanceOf(S3Error);
          message = (error as S3Error).message;
        }
        expect(message).toBe(refusal);
        seen[refusal ? 'refused' : 'accepted']++;
      }),
      { numRuns: 300 },
    );
    // Both outcomes were exercised.
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  }, 60_000);

  it('tells whether a pattern matches some extension of a prefix, as an automaton does', () => {
    /** The pattern positions reachable after reading `prefix` (any left can still match something). */
    function reachable(pattern: string, prefix: string): Set<number> {
      const close = (states: Set<number>) => {
        for (const state of states) if (pattern[state] === '*') states.add(state + 1);
        return states;
      };
      let states = close(new Set([0]));
      for (const character of prefix) {
        const next = new Set<number>();
        for (const state of states) {
          const unit = pattern[state];
          if (unit === '*') next.add(state);
          else if (unit === '?' || unit === character) next.add(state + 1);
        }
        states = close(next);
      }
      return states;
    }
    fc.assert(
      fc.property(patternOf, valueText, (pattern, prefix) => {
        expect(matchesSomeExtension(globOf(pattern), prefix)).toBe(reachable(pattern, prefix).size > 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes a bounded number of steps on the patterns that made a backtracking RegExp take seconds', () => {
    for (const stars of [22, 30, 1000]) {
      const meter: Meter = { steps: 0 };
      expect(compileGlob(`${'*'.repeat(stars)}x`, false)('123456789012', meter)).toBe(false);
      expect(meter.steps).toBeLessThanOrEqual(maxGlobSteps(12));
      const alternatingMeter: Meter = { steps: 0 };
      expect(compileGlob(`${'a*'.repeat(stars)}b`, false)('a'.repeat(76), alternatingMeter)).toBe(false);
      expect(alternatingMeter.steps).toBeLessThanOrEqual(maxGlobSteps(76));
    }
  });

  it('folds ASCII only when matching action names without regard to case', () => {
    expect(compileGlob('S3:get*CONFIGURATION', true)('s3:GetEncryptionConfiguration')).toBe(true);
    expect(compileGlob('s3:Get*', false)('s3:getBucketPolicy')).toBe(false);
    // KELVIN SIGN (U+212A) lowers to `k` in Unicode; it is not the letter K here.
    expect(compileGlob('s3:DeleteBuc\u212Aet', true)('s3:DeleteBucket')).toBe(false);
    expect(compileGlob('s3:DELETEBUCKET', true)('s3:DeleteBucket')).toBe(true);
  });
});

// Anything at all, policies with names of Object.prototype where operators and keys go, and cut-off
// valid policies.
const hostileName = fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '');
const hostilePolicy = fc
  .tuple(hostileName, fc.constantFrom('aws:PrincipalAccount', '__proto__', 'constructor'), fc.json())
  .map(
    ([operator, key, value]) =>
      `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"${BUCKET_ARN}","Condition":{"${operator}":{"${key}":${value}}}}]}`,
  );
const anyText = fc.oneof(
  fc.json(),
  fc.string(),
  hostilePolicy,
  policyDocument().map((text) => text.slice(0, -3)),
  policyDocument(fc.constantFrom('2012-10-17', '2008-10-17', undefined, '2020-01-01')),
);

/** Strings in a JSON document: an upper bound on the patterns and values a parsed policy holds. */
function stringsIn(value: unknown): number {
  if (typeof value === 'string') return 1;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + stringsIn(item), 0);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).reduce((sum: number, item) => sum + stringsIn(item), 0);
  return 0;
}

/** The stored form of a generated policy; undefined when the grammar refuses it (e.g. a `${…}` that is text before 2012-10-17). */
function storedOrRefused(text: string) {
  try {
    return parseStoredPolicy(text, BUCKET);
  } catch (error) {
    if (error instanceof S3Error && error.code === 'MalformedPolicy') return undefined;
    throw error;
  }
}

const toRequest = (facts: RequestFacts): PolicyRequest => ({
  action: facts.action,
  resource: BUCKET_ARN,
  principalAccount: facts.callerAccount,
  context: requestContext(facts),
});

describe('parsing and evaluating the whole grammar', () => {
  it('throws nothing but MalformedPolicy for any text, and evaluates whatever parses', () => {
    fc.assert(
      fc.property(anyText, requestFacts(), (text, facts) => {
        let policy: ReturnType<typeof parseBucketPolicy>;
        try {
          policy = parseBucketPolicy(text, BUCKET);
        } catch (error) {
          expect(error).toBeInstanceOf(S3Error);
          expect((error as S3Error).code).toBe('MalformedPolicy');
          return;
        }
        expect(['allow', 'deny', 'none']).toContain(evaluateBucketPolicy(policy, toRequest(facts)));
      }),
      { numRuns: 1500 },
    );
  }, 60_000);

  it('evaluates within the step bound', () => {
    fc.assert(
      fc.property(policyDocument(), requestFacts(), (text, facts) => {
        const policy = storedOrRefused(text);
        if (!policy) return;
        const request = toRequest(facts);
        const meter: Meter = { steps: 0 };
        evaluateBucketPolicy(policy, request, meter);
        // One step per statement, and per value at most one glob's bound for the longest value a
        // pattern meets (an ARN, a context value), plus one step per resolved variable.
        const longest = Math.max(
          BUCKET_ARN.length,
          ...[...request.context.values()].flat().map((value) => value.length),
        );
        const bound = policy.statements.length + stringsIn(JSON.parse(text)) * (maxGlobSteps(longest) + 8);
        expect(meter.steps).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 1500 },
    );
  }, 60_000);

  it('never misses a Deny the owner could meet: actionsDeniableToOwner is conservative', () => {
    let denied = 0;
    fc.assert(
      fc.property(
        policyDocument(fc.constantFrom('2012-10-17', '2008-10-17')),
        requestFacts(fc.constant(OWNER_ACCOUNT)),
        (text, facts) => {
          const policy = storedOrRefused(text);
          if (!policy) return;
          const deniable = actionsDeniableToOwner(policy, OWNER_ACCOUNT, BUCKET);
          for (const action of OWNER_DENIABLE_ACTIONS) {
            const request = toRequest({
              ...facts,
              action,
              listing: facts.listing && action === 's3:ListBucket',
            });
            if (evaluateBucketPolicy(policy, request) === 'deny') {
              denied++;
              expect(deniable).toContain(action);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
    // The property was exercised, not vacuous.
    expect(denied).toBeGreaterThan(100);
  }, 60_000);

  it("keeps a single statement's structure readable as data", () => {
    fc.assert(
      fc.property(statementOf, (statement) => {
        const text = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
        const [parsed] = parseStoredPolicy(text, BUCKET).statements;
        const written = statement as Record<string, unknown>;
        expect(parsed?.effect).toBe(written.Effect);
        expect(parsed?.principal.negated).toBe('NotPrincipal' in written);
        expect(parsed?.actions.negated).toBe('NotAction' in written);
        expect(parsed?.resources.negated).toBe('NotResource' in written);
        const condition = (written.Condition ?? {}) as Record<string, Record<string, string[]>>;
        expect(parsed?.conditions.map(({ operator, key, values }) => [operator, key, values])).toEqual(
          Object.entries(condition).flatMap(([operator, block]) =>
            Object.entries(block).map(([key, values]) => [operator, key, values]),
          ),
        );
      }),
      { numRuns: 500 },
    );
  });
});
