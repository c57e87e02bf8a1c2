// What every condition operator is (STYLE.md, "A language as a table"): a name, whether it is a
// negated (`Not…`) operator, whether its values may hold policy variables, and how it compiles the
// policy's values into a test of one request value. Which operators exist is the table in
// lib/policy/operators.ts; the qualifiers (ForAllValues:, ForAnyValue:), `…IfExists` and the
// absent-key rules wrap any operator there (lib/policy/conditions.ts) — no operator knows of them.
import type { RequestContext } from '../context.ts';
import type { Meter } from '../glob.ts';

/** The policy's values for one key, compiled. */
export interface CompiledValues {
  /**
   * Whether one request value satisfies the operator: for a positive operator, some policy value
   * matches it; for a negated one, none does. A policy value whose variable has no value matches
   * nothing (so a negated operator holds for it: IAM User Guide, "Policy variables with no value");
   * for the typed operators, see typedOutcome.
   */
  test(requestValue: string, context: RequestContext, meter: Meter): boolean;
}

export interface ConditionOperator {
  /** AWS's name, e.g. `StringEquals`. */
  readonly name: string;
  readonly family: 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
  /** Matches when the key is absent (IAM: "If the policy condition requires that the key is not matched"). */
  readonly negated: boolean;
  /** Whether its values may hold policy variables (String, ARN, Bool: IAM User Guide, "Condition operators"). */
  readonly variables: boolean;
  /** Throws MalformedPolicy for values AWS refuses (an IP operator's values that are not addresses). */
  compile(values: readonly string[], withVariables: boolean): CompiledValues;
}

/** Positive: some policy value matches; negated: none does. */
export const outcome = (negated: boolean, matched: boolean): boolean => (negated ? !matched : matched);

/** One comparison of a typed operator: the values compared, or one of them not of the type at all. */
export type Comparison = 'match' | 'no-match' | 'unreadable';

/**
 * Typed operators (Numeric, Date, ARN): positive, some comparison matched; negated, every comparison
 * was made and none matched — a value that is not a number, date or ARN (in the policy or the
 * request) makes a negated operator not hold rather than hold by default (docs/accounts.md › Values
 * an operator cannot read).
 */
export const typedOutcome = (negated: boolean, comparisons: readonly Comparison[]): boolean =>
  negated ? comparisons.every((comparison) => comparison === 'no-match') : comparisons.includes('match');
