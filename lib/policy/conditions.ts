// The Condition element: operators (the table in operators.ts) wrapped, never branched on, by the
// rules every operator shares (IAM User Guide, "Condition operators" and "Creating a condition with
// multiple keys or values"):
//   - Null asks only whether the key is present;
//   - a key absent from the request: `…IfExists` holds; `ForAllValues:` holds; `ForAnyValue:` does not;
//     otherwise only a negated operator holds ("If the policy condition requires that the key is not
//     matched … and the right key is not present, the condition is true");
//   - `ForAllValues:`: every request value passes; `ForAnyValue:`: some does; with neither, the key's
//     one value must (a key with several values needs a qualifier).
// Operators and keys of a block are ANDed; a key's values ORed (negated operators: none may match).
// An empty block (`"Condition": {}`, `{"StringEquals": {}}`) is the empty AND: it holds.
// Key names are ASCII case-insensitive (ascii.ts); operator names are exact (IAM refuses `stringEquals`).
import { asciiLower } from './ascii.ts';
import type { RequestContext } from './context.ts';
import type { Meter } from './glob.ts';
import { type Budget, valueList } from './limits.ts';
import { MESSAGES, malformed } from './messages.ts';
import { nullHolds } from './operators/null.ts';
import type { CompiledValues } from './operators/operator.ts';
import { CONDITION_OPERATORS, type ConditionOperator } from './operators.ts';

export type Qualifier = 'ForAllValues' | 'ForAnyValue';

/** One key of a condition block, as data (what a reader of the policy sees) and compiled. */
export interface Condition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The operator it wraps, e.g. `StringLike`. */
  readonly baseOperator: string;
  readonly qualifier: Qualifier | undefined;
  readonly ifExists: boolean;
  /** The key as written, e.g. `aws:SourceIp`. */
  readonly key: string;
  /** The key ASCII-lowercased, as the request context names it. */
  readonly contextKey: string;
  readonly values: readonly string[];
  holds(context: RequestContext, meter: Meter): boolean;
}

const QUALIFIERS: ReadonlyMap<string, Qualifier> = new Map([
  ['ForAllValues:', 'ForAllValues'],
  ['ForAnyValue:', 'ForAnyValue'],
]);
const IF_EXISTS = 'IfExists';

/** An operator name as written, read into the operator it wraps; undefined when it names none. */
export function readOperatorName(
  name: string,
): { operator: ConditionOperator; qualifier: Qualifier | undefined; ifExists: boolean } | undefined {
  const colon = name.indexOf(':');
  const qualifier = colon < 0 ? undefined : QUALIFIERS.get(name.slice(0, colon + 1));
  if (colon >= 0 && !qualifier) return undefined;
  let base = colon < 0 ? name : name.slice(colon + 1);
  const ifExists = base.endsWith(IF_EXISTS);
  if (ifExists) base = base.slice(0, -IF_EXISTS.length);
  const operator = CONDITION_OPERATORS.get(base);
  // "You can add IfExists to the end of any condition operator name except the Null condition."
  if (!operator || (ifExists && operator.family === 'null')) return undefined;
  return { operator, qualifier, ifExists };
}

function compileCondition(
  name: string,
  key: string,
  values: readonly string[],
  withVariables: boolean,
): Condition {
  const read = readOperatorName(name);
  if (!read) throw malformed(MESSAGES.conditionType(name));
  const { operator, qualifier, ifExists } = read;
  const compiled: CompiledValues = operator.compile(values, withVariables && operator.variables);
  const contextKey = asciiLower(key);
  return {
    operator: name,
    baseOperator: operator.name,
    qualifier,
    ifExists,
    key,
    contextKey,
    values,
    holds(context, meter) {
      const actual = context.get(contextKey);
      if (operator.family === 'null') return nullHolds(values, actual !== undefined);
      if (actual === undefined) {
        if (ifExists || qualifier === 'ForAllValues') return true;
        return qualifier === undefined && operator.negated;
      }
      if (qualifier === 'ForAllValues') return actual.every((value) => compiled.test(value, context, meter));
      if (qualifier === 'ForAnyValue') return actual.some((value) => compiled.test(value, context, meter));
      const [only] = actual;
      return actual.length === 1 && only !== undefined && compiled.test(only, context, meter);
    },
  };
}

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A statement's Condition element as conditions; throws MalformedPolicy. */
export function parseConditions(value: unknown, budget: Budget, withVariables: boolean): Condition[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw malformed(MESSAGES.element('condition'));
  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!readOperatorName(operator)) throw malformed(MESSAGES.conditionType(operator));
    if (!isObject(block)) throw malformed(MESSAGES.element('condition'));
    for (const [key, raw] of Object.entries(block)) {
      budget.take(1);
      const values = valueList(raw, budget, MESSAGES.element('condition value'), {
        allowEmpty: true,
        scalars: true,
      });
      conditions.push(compileCondition(operator, key, values, withVariables));
    }
  }
  return conditions;
}
