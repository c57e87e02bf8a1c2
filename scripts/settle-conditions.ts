// A serverless plugin (serverless.yml `plugins`): settles the template's Conditions before it is saved.
// serverless writes every `${param:…}` into the template as a literal, so each of serverless.yml's
// Conditions (`CreateTable: !Equals ['false', 'false']`, …) compares literals and is already decided
// when the template is packaged. CloudFormation would decide them the same way; settling them here
// leaves the template as CloudFormation would read it: the resources (and outputs) whose condition is
// false removed, every Fn::If replaced by its branch, AWS::NoValue removed. Nothing changes in what is
// deployed, and the template no longer carries an unused branch holding an empty param (an empty
// `certificateArn` under a false `HasDomain`), which template linters (cfn-lint) read as an invalid
// value. A condition that compares anything but literals is left to CloudFormation.

type Json = unknown;
type Template = {
  Conditions?: Record<string, Json>;
  Resources?: Record<string, Record<string, Json> & { Condition?: string; DependsOn?: string | string[] }>;
  Outputs?: Record<string, Record<string, Json> & { Condition?: string }>;
};

const NO_VALUE = JSON.stringify({ Ref: 'AWS::NoValue' });
const isLiteral = (value: Json) => ['string', 'number', 'boolean'].includes(typeof value);

/** Each condition's value, where it compares literals only; undefined for the others. */
export function settledConditions(conditions: Record<string, Json>): Record<string, boolean | undefined> {
  const values: Record<string, boolean | undefined> = {};
  const visiting = new Set<string>();
  const evaluate = (expression: Json): boolean | undefined => {
    if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) return undefined;
    const entries = Object.entries(expression as Record<string, Json>);
    if (entries.length !== 1) return undefined;
    const [[fn, args]] = entries as [[string, Json]];
    if (fn === 'Condition') return typeof args === 'string' ? condition(args) : undefined;
    if (!Array.isArray(args)) return undefined;
    if (fn === 'Fn::Equals') {
      const [a, b] = args;
      return isLiteral(a) && isLiteral(b) ? String(a) === String(b) : undefined;
    }
    const parts = args.map(evaluate);
    if (parts.some((part) => part === undefined)) return undefined;
    if (fn === 'Fn::Not') return !parts[0];
    if (fn === 'Fn::And') return parts.every(Boolean);
    if (fn === 'Fn::Or') return parts.some(Boolean);
    return undefined;
  };
  const condition = (name: string): boolean | undefined => {
    if (name in values) return values[name];
    if (visiting.has(name) || !(name in conditions)) return undefined;
    visiting.add(name);
    values[name] = evaluate(conditions[name]);
    return values[name];
  };
  for (const name of Object.keys(conditions)) condition(name);
  return values;
}

/** Settles `template` in place; returns the logical ids of the resources removed. */
export function settleTemplate(template: Template): string[] {
  const settled = settledConditions(template.Conditions ?? {});
  const known = (name: unknown): name is string => typeof name === 'string' && settled[name] !== undefined;
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk).filter((item) => JSON.stringify(item) !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node as Record<string, Json>);
    const [first] = entries;
    if (entries.length === 1 && first?.[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = first[1] as [unknown, Json, Json];
      if (known(name)) return walk(settled[name] ? whenTrue : whenFalse);
    }
    return Object.fromEntries(
      entries
        .map(([key, inner]) => [key, walk(inner)] as const)
        .filter(([, inner]) => JSON.stringify(inner) !== NO_VALUE),
    );
  };
  const removed: string[] = [];
  for (const section of ['Resources', 'Outputs'] as const) {
    const entries = template[section];
    if (!entries) continue;
    for (const [id, entry] of Object.entries(entries)) {
      const { Condition: name } = entry;
      if (known(name)) {
        if (!settled[name]) {
          delete entries[id];
          if (section === 'Resources') removed.push(id);
          continue;
        }
        delete entry.Condition;
      }
      entries[id] = walk(entry) as typeof entry;
    }
  }
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.DependsOn === undefined) continue;
    const kept = (Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn]).filter(
      (id) => !removed.includes(id),
    );
    if (kept.length > 0) resource.DependsOn = kept;
    else delete resource.DependsOn;
  }
  for (const name of Object.keys(template.Conditions ?? {})) {
    if (known(name)) delete template.Conditions?.[name];
  }
  if (template.Conditions && Object.keys(template.Conditions).length === 0) delete template.Conditions;
  return removed;
}

interface Serverless {
  service: { provider: { compiledCloudFormationTemplate?: Template } };
}

interface Log {
  verbose(message: string): void;
}

export default class SettleConditions {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: Serverless, _options: unknown, { log }: { log: Log }) {
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => {
        const template = serverless.service.provider.compiledCloudFormationTemplate;
        if (!template) return;
        const removed = settleTemplate(template);
        log.verbose(`settle-conditions: ${removed.length} resources whose condition is false left out`);
      },
    };
  }
}
