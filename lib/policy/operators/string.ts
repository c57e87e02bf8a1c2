// String operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase,
// StringLike, StringNotLike (IAM User Guide, "Condition operators" › String). Equals compares exactly
// (`*` is a character); Like has `*` and `?` wildcards, matched in bounded work (glob.ts). IgnoreCase
// folds ASCII letters only (ascii.ts). Values may hold policy variables.
import { asciiLower } from '../ascii.ts';
import { type Glob, globOf, matchGlob } from '../glob.ts';
import { parseTemplate, resolveTemplate, resolveText, type Template } from '../variables.ts';
import { type CompiledValues, type ConditionOperator, outcome } from './operator.ts';

function equalsValues(
  values: readonly string[],
  withVariables: boolean,
  negated: boolean,
  fold: boolean,
): CompiledValues {
  const fixed = new Set<string>();
  const templates: Template[] = [];
  for (const value of values) {
    const template = withVariables ? parseTemplate(value) : undefined;
    if (template) templates.push(template);
    else fixed.add(fold ? asciiLower(value) : value);
  }
  return {
    test(requestValue, context, meter) {
      meter.steps++;
      const actual = fold ? asciiLower(requestValue) : requestValue;
      let matched = fixed.has(actual);
      for (let index = 0; !matched && index < templates.length; index++) {
        const template = templates[index];
        const text = template && resolveText(template, context, actual.length);
        meter.steps++;
        matched = text !== undefined && (fold ? asciiLower(text) : text) === actual;
      }
      return outcome(negated, matched);
    },
  };
}

function likeValues(values: readonly string[], withVariables: boolean, negated: boolean): CompiledValues {
  const globs: Glob[] = [];
  const templates: Template[] = [];
  for (const value of values) {
    const template = withVariables ? parseTemplate(value) : undefined;
    if (template) templates.push(template);
    else globs.push(globOf(value));
  }
  return {
    test(requestValue, context, meter) {
      let matched = globs.some((glob) => matchGlob(glob, requestValue, false, meter));
      for (let index = 0; !matched && index < templates.length; index++) {
        const template = templates[index];
        const glob =
          template && resolveTemplate(template, context, { wildcards: true, budget: requestValue.length });
        matched = glob !== undefined && matchGlob(glob, requestValue, false, meter);
      }
      return outcome(negated, matched);
    },
  };
}

const stringOperator = (
  name: string,
  negated: boolean,
  compile: (values: readonly string[], withVariables: boolean) => CompiledValues,
): ConditionOperator => ({ name, family: 'string', negated, variables: true, compile });

export const STRING_OPERATORS: readonly ConditionOperator[] = [
  stringOperator('StringEquals', false, (values, vars) => equalsValues(values, vars, false, false)),
  stringOperator('StringNotEquals', true, (values, vars) => equalsValues(values, vars, true, false)),
  stringOperator('StringEqualsIgnoreCase', false, (values, vars) => equalsValues(values, vars, false, true)),
  stringOperator('StringNotEqualsIgnoreCase', true, (values, vars) => equalsValues(values, vars, true, true)),
  stringOperator('StringLike', false, (values, vars) => likeValues(values, vars, false)),
  stringOperator('StringNotLike', true, (values, vars) => likeValues(values, vars, true)),
];
