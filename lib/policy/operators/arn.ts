// ARN operators (IAM User Guide, "Condition operators" › Amazon Resource Name): ArnEquals and ArnLike
// behave identically, as do ArnNotEquals and ArnNotLike. "Each of the six colon-delimited components of
// the ARN is checked separately and each can include" `*` and `?` — a `*` never reaches across a
// colon, except in the last component (the resource), which keeps any colons it holds. A value without
// six components matches nothing. Values may hold policy variables (resolved per component).
import { type Glob, globOf, matchGlob } from '../glob.ts';
import { parseTemplate, resolveTemplate, type Template } from '../variables.ts';
import { type CompiledValues, type ConditionOperator, outcome } from './operator.ts';

/** The six components of an ARN (the sixth keeps its colons), or undefined. */
export function arnComponents(value: string): string[] | undefined {
  const components: string[] = [];
  let start = 0;
  for (let index = 0; index < 5; index++) {
    const colon = value.indexOf(':', start);
    if (colon < 0) return undefined;
    components.push(value.slice(start, colon));
    start = colon + 1;
  }
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
    const patterns = values.flatMap((value) => {
      const components = arnComponents(value);
      if (!components) return [];
      return [
        components.map(
          (text): Component => (withVariables ? parseTemplate(text) : undefined) ?? globOf(text),
        ),
      ];
    });
    return {
      test(requestValue, context, meter) {
        const actual = arnComponents(requestValue);
        const matched =
          actual !== undefined &&
          patterns.some((pattern) =>
            pattern.every((component, index) => {
              const part = actual[index] ?? '';
              const glob = isTemplate(component)
                ? resolveTemplate(component, context, { wildcards: true, budget: part.length })
                : component;
              return glob !== undefined && matchGlob(glob, part, false, meter);
            }),
          );
        return outcome(negated, matched);
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
