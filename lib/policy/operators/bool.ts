// Bool (IAM User Guide, "Condition operators" › Boolean): `true` or `false`, ASCII case-insensitive;
// a JSON true/false in the policy reads as its text. Values may hold policy variables (the operators
// page: "You can use a policy variable with the Boolean condition operator").
import { asciiLower } from '../ascii.ts';
import { parseTemplate, resolveText } from '../variables.ts';
import type { ConditionOperator } from './operator.ts';

export const BOOL_OPERATOR: ConditionOperator = {
  name: 'Bool',
  family: 'bool',
  negated: false,
  variables: true,
  compile(values, withVariables) {
    const items = values.map(
      (value) => (withVariables ? parseTemplate(value) : undefined) ?? asciiLower(value),
    );
    return {
      test(requestValue, context, meter) {
        meter.steps += items.length;
        const actual = asciiLower(requestValue);
        if (actual !== 'true' && actual !== 'false') return false;
        return items.some((item) => {
          const text = typeof item === 'string' ? item : resolveText(item, context, 5);
          return text !== undefined && asciiLower(text) === actual;
        });
      },
    };
  },
};
