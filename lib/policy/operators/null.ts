// Null (IAM User Guide, "Condition operators" › Null check): `true` holds when the key is absent,
// `false` when it is present (ASCII case-insensitive). It tests presence only, so lib/policy/
// conditions.ts asks it before any other rule; it takes no …IfExists form and no policy variables.
import { asciiLower } from '../ascii.ts';
import type { ConditionOperator } from './operator.ts';

/** Whether a Null condition with these values holds, the key being present or not. */
export const nullHolds = (values: readonly string[], present: boolean): boolean =>
  values.some((value) => asciiLower(value) === (present ? 'false' : 'true'));

export const NULL_OPERATOR: ConditionOperator = {
  name: 'Null',
  family: 'null',
  negated: false,
  variables: false,
  compile(values) {
    return { test: () => nullHolds(values, true) };
  },
};
