// BinaryEquals (IAM User Guide, "Condition operators" › Binary): the key's bytes against the policy's
// base64 text, compared as base64 text. No policy variables. No key this service fills is binary, so
// it matches only through …IfExists on an absent key.
import type { ConditionOperator } from './operator.ts';

export const BINARY_OPERATOR: ConditionOperator = {
  name: 'BinaryEquals',
  family: 'binary',
  negated: false,
  variables: false,
  compile(values) {
    const set = new Set(values);
    return {
      test(requestValue, _context, meter) {
        meter.steps++;
        return set.has(requestValue);
      },
    };
  },
};
