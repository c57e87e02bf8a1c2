// The packaged CloudFormation template as CloudFormation would read it: its Conditions evaluated
// (serverless resolves every --param into literals, so each is a comparison of strings), Fn::If
// decided, and only the resources whose Condition holds. The package test and the runtime tests read
// the Lambdas' environment and the stack's resources through it.

export type Json = unknown;
export interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, Json>;
}

/** The template's Conditions, evaluated (they compare only the literal params serverless resolved). */
export function conditions(template: Template): Record<string, boolean> {
  const defined = template.Conditions ?? {};
  const values: Record<string, boolean> = {};
  const evaluate = (expression: Json): boolean | string => {
    // A literal (serverless writes a param that is a whole value as the YAML scalar it was: `false`).
    if (typeof expression !== 'object' || expression === null) return String(expression);
    const [[fn, args]] = Object.entries(expression as Record<string, Json>) as [[string, Json]];
    if (fn === 'Condition') return conditionValue(args as string);
    const list = args as Json[];
    if (fn === 'Fn::Equals') return evaluate(list[0]) === evaluate(list[1]);
    if (fn === 'Fn::Not') return !evaluate(list[0]);
    if (fn === 'Fn::And') return list.every((item) => evaluate(item) === true);
    if (fn === 'Fn::Or') return list.some((item) => evaluate(item) === true);
    throw new Error(`unexpected ${fn} in a condition`);
  };
  const conditionValue = (name: string): boolean => {
    values[name] ??= evaluate(defined[name]) === true;
    return values[name];
  };
  for (const name of Object.keys(defined)) conditionValue(name);
  return values;
}

/** A value with every Fn::If decided, as CloudFormation would. */
export function decided(template: Template, value: Json): Json {
  const known = conditions(template);
  // AWS::NoValue removes the property (or list item) it stands for, as CloudFormation does.
  const NO_VALUE = JSON.stringify({ Ref: 'AWS::NoValue' });
  const absent = (node: Json) => JSON.stringify(node) === NO_VALUE;
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk).filter((item) => !absent(item));
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [first] = entries;
    if (entries.length === 1 && first?.[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = first[1] as [string, Json, Json];
      return walk(known[name] ? whenTrue : whenFalse);
    }
    return Object.fromEntries(
      entries.map(([key, inner]) => [key, walk(inner)] as const).filter(([, inner]) => !absent(inner)),
    );
  };
  return walk(value);
}

/** The resources CloudFormation would create: those without a Condition or whose Condition holds. */
export function created(template: Template): Record<string, Resource> {
  const known = conditions(template);
  return Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => {
        const condition = resource.Condition;
        return condition === undefined || known[condition];
      })
      .map(([name, resource]) => [name, decided(template, resource) as Resource]),
  );
}

/** Each Lambda function's environment variables, Fn::If decided (other intrinsics left as they are). */
export const lambdaEnvironments = (template: Template): Record<string, Record<string, Json>> =>
  Object.fromEntries(
    Object.entries(created(template))
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([name, fn]) => [
        name,
        (fn.Properties.Environment as { Variables: Record<string, Json> }).Variables,
      ]),
  );
