// Numeric operators (IAM User Guide, "Condition operators" › Numeric): integers and decimals, compared
// as numbers. A value that is not a decimal number — in the policy or the request — cannot be compared
// (typedOutcome). No policy variables. The number syntax is checked by a regular expression without
// backtracking before Number() reads it.
import { type CompiledValues, type ConditionOperator, typedOutcome } from './operator.ts';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The number a policy or request value states, or NaN. */
export const readNumber = (value: string): number => (DECIMAL.test(value) ? Number(value) : Number.NaN);

const numericOperator = (
  name: string,
  negated: boolean,
  holds: (request: number, policy: number) => boolean,
): ConditionOperator => ({
  name,
  family: 'numeric',
  negated,
  variables: false,
  compile(values): CompiledValues {
    const numbers = values.map(readNumber);
    return {
      test(requestValue, _context, meter) {
        meter.steps += numbers.length;
        const actual = readNumber(requestValue);
        return typedOutcome(
          negated,
          numbers.map((policy) =>
            Number.isNaN(policy) || Number.isNaN(actual)
              ? 'unreadable'
              : holds(actual, policy)
                ? 'match'
                : 'no-match',
          ),
        );
      },
    };
  },
});

export const NUMERIC_OPERATORS: readonly ConditionOperator[] = [
  numericOperator('NumericEquals', false, (request, policy) => request === policy),
  numericOperator('NumericNotEquals', true, (request, policy) => request === policy),
  numericOperator('NumericLessThan', false, (request, policy) => request < policy),
  numericOperator('NumericLessThanEquals', false, (request, policy) => request <= policy),
  numericOperator('NumericGreaterThan', false, (request, policy) => request > policy),
  numericOperator('NumericGreaterThanEquals', false, (request, policy) => request >= policy),
];
