// The condition operators: ONE table, the whole list (IAM User Guide, "IAM JSON policy elements:
// Condition operators", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
// A new operator is a row here and a file in operators/; nothing else branches on operator names.
// The `…IfExists` forms and the ForAllValues:/ForAnyValue: qualifiers are not rows: lib/policy/
// conditions.ts wraps any operator in them. Names are Map entries, compared exactly: IAM refuses
// `stringEquals` ("Invalid Condition type : stringEquals"), and `constructor` is no operator.
import { ARN_OPERATORS } from './operators/arn.ts';
import { BINARY_OPERATOR } from './operators/binary.ts';
import { BOOL_OPERATOR } from './operators/bool.ts';
import { DATE_OPERATORS } from './operators/date.ts';
import { IP_OPERATORS } from './operators/ip.ts';
import { NULL_OPERATOR } from './operators/null.ts';
import { NUMERIC_OPERATORS } from './operators/numeric.ts';
import type { ConditionOperator } from './operators/operator.ts';
import { STRING_OPERATORS } from './operators/string.ts';

export type { ConditionOperator } from './operators/operator.ts';

export const CONDITION_OPERATORS: ReadonlyMap<string, ConditionOperator> = new Map(
  [
    ...STRING_OPERATORS,
    ...NUMERIC_OPERATORS,
    ...DATE_OPERATORS,
    BOOL_OPERATOR,
    BINARY_OPERATOR,
    ...IP_OPERATORS,
    ...ARN_OPERATORS,
    NULL_OPERATOR,
  ].map((operator) => [operator.name, operator]),
);
