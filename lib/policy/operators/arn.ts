// ARN operators (IAM User Guide, "Condition operators" › Amazon Resource Name): ArnEquals and ArnLike
// behave identically, as do ArnNotEquals and ArnNotLike. "Each of the six colon-delimited components of
// the ARN is checked separately and each can include" `*` and `?` — a `*` never reaches across a
// colon, except in the last component (the resource), which keeps any colons it holds. A value without
// six components cannot be compared (typedOutcome). Values may hold policy variables (resolved per
// component; a variable without a value makes its value match nothing).
import { type Glob, globOf, matchGlob } from '../glob.ts';
import { parseTemplate, resolveTemplate, type Template } from '../variables.ts';
import { type Comparison, type CompiledValues, type ConditionOperator, typedOutcome } from './operator.ts';

/**
 * The six components of an ARN (the sixth keeps its colons), or undefined. In a policy's value with
 * variables, a colon inside `${…}` (`${aws:PrincipalAccount}`) separates nothing.
 */
export function arnComponents(value: string, withVariables = false): string[] | undefined {
  const components: string[] = [];
  let start = 0;
  let inVariable = false;
  // An opening `${` without a closing brace after it is text (variables.ts reads it so).
  const lastClose = withVariables ? value.lastIndexOf('}') : -1;
  for (let index = 0; index < value.length && components.length < 5; index++) {
    const character = value[index];
    if (character === '$' && value[index + 1] === '{' && index < lastClose) inVariable = true;
    else if (inVariable && character === '}') inVariable = false;
    else if (!inVariable && character === ':') {
      components.push(value.slice(start, index));
      start = index + 1;
    }
  }
  if (components.length < 5) return undefined;
  components.push(value.slice(start));
  return components;
}

type Component = Glob | Template;
const isTemplate = (component: Component): component is Template => 'parts' in component;

const arnOperator = (name: string, negated: boolean): ConditionOperator => ({
  name,
  family: 'arn',
  negated,
  variables: true,
  compile(values, withVariables): CompiledValues {
    const patterns = values.map((value) => {
      const components = arnComponents(value, withVariables);
      return components?.map(
        (text): Component => (withVariables ? parseTemplate(text) : undefined) ?? globOf(text),
      );
    });
    return {
      test(requestValue, context, meter) {
        const actual = arnComponents(requestValue);
        const comparisons = patterns.map((pattern): Comparison => {
          if (!pattern || !actual) return 'unreadable';
          const matched = pattern.every((component, index) => {
            const part = actual[index] ?? '';
            const glob = isTemplate(component)
              ? resolveTemplate(component, context, { wildcards: true, budget: part.length })
              : component;
            return glob !== undefined && matchGlob(glob, part, false, meter);
          });
          return matched ? 'match' : 'no-match';
        });
        return typedOutcome(negated, comparisons);
      },
    };
  },
});

export const ARN_OPERATORS: readonly ConditionOperator[] = [
  arnOperator('ArnEquals', false),
  arnOperator('ArnLike', false),
  arnOperator('ArnNotEquals', true),
  arnOperator('ArnNotLike', true),
];
