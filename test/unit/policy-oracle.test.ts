// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (`${aws:userid}`) are policy text here, not templates.
// An independent oracle for the evaluator: @cloud-copilot/iam-simulate, an implementation of AWS's
// evaluation logic (AGPL-3.0: a devDependency used by this test only, never bundled —
// test/e2e/package.test.ts checks no zip holds it). fast-check generates policies over the whole
// grammar and requests; both decide the bucket policy's verdict for the same request context. Every
// disagreement must fall in a class docs/accounts.md › The oracle lists, with AWS's documentation as
// the reason this service answers as it does; any other fails the test.
import { loadPolicy } from '@cloud-copilot/iam-policy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../lib/errors.ts';
import {
  type BucketPolicy,
  CONTEXT_KEY_NAMES,
  evaluateBucketPolicy,
  type PolicyVerdict,
  parseStoredPolicy,
  type RequestFacts,
  requestContext,
} from '../../lib/policy/index.ts';
import { policyDocument, requestFacts } from '../helpers/policy-arbitraries.ts';
import { BUCKET_ARN, POLICY_BUCKET } from '../helpers/policy-request.ts';

// The simulator's engine, below its public entry (which re-validates context keys per action and
// would drop the ones it thinks an action lacks): the same authorize() its runSimulation calls.
const base = new URL('.', import.meta.resolve('@cloud-copilot/iam-simulate'));
const { authorize } = await import(new URL('core_engine/CoreSimulatorEngine.js', base).href);
const { AwsRequestImpl } = await import(new URL('request/request.js', base).href);
const { RequestContextImpl } = await import(new URL('requestContext.js', base).href);
const { DiscoveryContextKeyConstraints } = await import(
  new URL('context_keys/discoveryContextKeyConstraints.js', base).href
);

// The caller's own permissions: an account's root may do anything in its account (IAM), so identity
// policies never decide here; the bucket policy's verdict is read from the resource analysis.
const ROOT_IDENTITY = [
  loadPolicy(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    { name: 'root' },
  ),
];
const SPELLING = new Map(CONTEXT_KEY_NAMES.map((name) => [name.toLowerCase(), name]));

function oracleVerdict(text: string, facts: RequestFacts): PolicyVerdict {
  const context = requestContext(facts);
  const variables: Record<string, string> = {};
  for (const [key, [value]] of context) if (value !== undefined) variables[SPELLING.get(key) ?? key] = value;
  const request = new AwsRequestImpl(
    `arn:aws:iam::${facts.callerAccount}:root`,
    { resource: BUCKET_ARN, accountId: facts.bucketOwner },
    facts.action,
    new RequestContextImpl(variables),
  );
  const analysis = authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: ROOT_IDENTITY,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(JSON.parse(text), { name: 'bucket' }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
    },
  });
  const result: string = analysis.resourceAnalysis?.result ?? 'NotApplicable';
  if (result === 'ExplicitlyDenied' || result === 'DeniedForAccount') return 'deny';
  if (result === 'Allowed' || result === 'AllowedForAccount') return 'allow';
  return 'none';
}

type Statement = BucketPolicy['statements'][number];
type Condition = Statement['conditions'][number];

/** A Condition element holding `conditions`. */
function conditionElement(
  conditions: readonly Condition[],
): Record<string, Record<string, readonly string[]>> {
  const element: Record<string, Record<string, readonly string[]>> = {};
  for (const condition of conditions) {
    element[condition.operator] = { ...element[condition.operator], [condition.key]: condition.values };
  }
  return element;
}

/** Whether a value reads a policy variable that has no value in this request and no default. */
function hasValuelessVariable(value: string, facts: RequestFacts): boolean {
  const context = requestContext(facts);
  return [...value.matchAll(/\$\{([^}]*)\}/g)].some(([, inner = '']) => {
    if (inner === '*' || inner === '?' || inner === '$' || /, '.*'$/.test(inner)) return false;
    return !context.has(inner.trim().toLowerCase());
  });
}

interface DisagreementClass {
  name: string;
  condition?: (condition: Condition, facts: RequestFacts) => boolean;
  statement?: (statement: Statement, facts: RequestFacts) => boolean;
}

/**
 * The documented disagreements (docs/accounts.md › The oracle). A case is in a class when the class
 * marks some condition or statement of it, and the policy without what it marks gets the same verdict
 * from both: what is left agrees, so the marked part alone made them differ.
 */
const CLASSES: readonly DisagreementClass[] = [
  {
    // IAM User Guide, "Policy variables with no value": "Inverted condition operators like
    // StringNotEquals or StringNotLike do match against a null value". The simulator makes a value
    // whose variable has no value match nothing, for the negated operators too.
    name: 'a negated operator against a variable without a value',
    condition: (condition, facts) =>
      /Not/.test(condition.baseOperator) &&
      condition.values.some((value) => hasValuelessVariable(value, facts)),
  },
  {
    // IAM User Guide, "…IfExists condition operators": "If the key is not present, evaluate the
    // condition element as true" — for every operator but Null. The simulator applies a qualifier's
    // absent-key rule (ForAnyValue: false) before IfExists.
    name: 'ForAnyValue:…IfExists on an absent key',
    condition: (condition, facts) =>
      condition.qualifier === 'ForAnyValue' &&
      condition.ifExists &&
      !requestContext(facts).has(condition.contextKey),
  },
  {
    // IAM User Guide, "Condition operators" › ARN: "You can use a policy variable with the ARN
    // condition operator" — and global keys are named `aws:…`. The simulator splits an ARN value at
    // every colon before reading its variables, cutting `${aws:PrincipalAccount}` in two.
    name: 'an ARN value whose variable is named with a colon',
    condition: (condition) =>
      /^Arn/.test(condition.baseOperator) &&
      condition.values.some((value) => /\$\{[^}]*:[^}]*\}/.test(value)),
  },
  {
    // IAM User Guide, "IP address condition operators": values in "the standard CIDR format"; a /0
    // range holds every address of its family (RFC 4632). The simulator's IPv4 mask is `-1 << 32`,
    // which JavaScript computes as -1 (shift counts are taken mod 32): /0 matches only its own address.
    name: 'an IPv4 /0 range',
    condition: (condition) =>
      condition.baseOperator.endsWith('IpAddress') &&
      condition.values.some((value) => value.includes('.') && value.endsWith('/0')),
  },
  {
    // IAM User Guide, "IP address condition operators": "If you specify an IP address without the
    // associated routing prefix, IAM uses the default prefix value of /32" — a range like any other,
    // which an address of the other family is outside, so NotIpAddress holds for it. The simulator
    // compares a bare address as text and answers NotIpAddress false for the other family.
    name: 'NotIpAddress with a bare address of the other family',
    condition: (condition, facts) => {
      const ipv6 = facts.sourceIp?.includes(':');
      return (
        condition.baseOperator === 'NotIpAddress' &&
        facts.sourceIp !== undefined &&
        condition.values.some((value) => !value.includes('/') && value.includes(':') !== ipv6)
      );
    },
  },
  {
    // IAM User Guide, "Policy variables with no value": "the resource that includes a policy variable
    // with no value will not match any resource" — so a NotResource holding it excludes nothing and
    // the statement applies. The simulator makes the whole statement not apply.
    name: 'NotResource holding a variable without a value',
    statement: (statement, facts) =>
      statement.resources.negated &&
      statement.resources.patterns.some((pattern) => hasValuelessVariable(pattern, facts)),
  },
];

/** The policy's document without what the classes mark. */
function stripped(
  text: string,
  policy: BucketPolicy,
  facts: RequestFacts,
  classes: readonly DisagreementClass[],
): string {
  const written = JSON.parse(text).Statement as Array<Record<string, unknown>>;
  const kept = written.flatMap((statement, index) => {
    const parsed = policy.statements[index];
    if (!parsed || classes.some((klass) => klass.statement?.(parsed, facts))) return [];
    const conditions = parsed.conditions.filter(
      (condition) => !classes.some((klass) => klass.condition?.(condition, facts)),
    );
    const { Condition: _dropped, ...rest } = statement;
    return [{ ...rest, Condition: conditionElement(conditions) }];
  });
  return JSON.stringify({ Version: '2012-10-17', Statement: kept });
}

const marks = (policy: BucketPolicy, facts: RequestFacts, klass: DisagreementClass) =>
  policy.statements.some(
    (statement) =>
      klass.statement?.(statement, facts) ||
      statement.conditions.some((condition) => klass.condition?.(condition, facts)),
  );

describe('the evaluator against iam-simulate', () => {
  it('agrees on every generated case, but for the documented classes', () => {
    const seen = new Map<string, number>();
    let compared = 0;
    let disagreements = 0;
    fc.assert(
      fc.property(policyDocument(), requestFacts(), (text, facts) => {
        let policy: BucketPolicy;
        try {
          policy = parseStoredPolicy(text, POLICY_BUCKET);
        } catch (error) {
          if (error instanceof S3Error) return;
          throw error;
        }
        compared++;
        const request = {
          action: facts.action,
          resource: BUCKET_ARN,
          principalAccount: facts.callerAccount,
          context: requestContext(facts),
        };
        const ours = evaluateBucketPolicy(policy, request);
        const theirs = oracleVerdict(text, facts);
        if (ours === theirs) return;
        // The classes marking this case, stripped together: what is left must agree.
        const marking = CLASSES.filter((klass) => marks(policy, facts, klass));
        const rest = stripped(text, policy, facts, marking);
        const agrees =
          marking.length > 0 &&
          (JSON.parse(rest).Statement.length === 0 ||
            evaluateBucketPolicy(parseStoredPolicy(rest, POLICY_BUCKET), request) ===
              oracleVerdict(rest, facts));
        const known = agrees ? marking.map((klass) => klass.name).join(' + ') : undefined;
        expect(known, `ours ${ours}, iam-simulate ${theirs}: ${text} ${JSON.stringify(facts)}`).toBeDefined();
        if (known) {
          disagreements++;
          for (const klass of marking) seen.set(klass.name, (seen.get(klass.name) ?? 0) + 1);
        }
      }),
      { numRuns: 5000 },
    );
    expect(compared).toBeGreaterThan(4000);
    console.info(
      `oracle: ${compared} cases compared, ${disagreements} disagreements, all documented; cases per class: ${JSON.stringify(Object.fromEntries(seen))}`,
    );
  }, 120_000);
});
