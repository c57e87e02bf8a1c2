// Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the three that stand
// for a character `${*}`, `${?}`, `${$}` (IAM User Guide, "IAM policy elements: Variables and tags":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html). Recognised only
// in policies of Version 2012-10-17 (otherwise `${…}` is literal text), in Resource and NotResource
// and in the values of the String, ARN and Bool operators. A variable's value is literal text (a `*`
// in it matches only `*`); a variable whose key the request does not carry, without a default, has no
// value: the text holding it matches nothing — and the negated operators match it (conditions.ts).
import { asciiLower } from './ascii.ts';
import type { RequestContext } from './context.ts';
import { type Glob, GlobBuilder } from './glob.ts';

export type TemplatePart =
  /** Text with `*` and `?` as wildcards (where the operator has them). */
  | { kind: 'text'; text: string }
  /** `${*}`, `${?}`, `${$}`: the character itself. */
  | { kind: 'character'; text: string }
  | {
      kind: 'variable';
      /** The key, ASCII-lowercased. */
      key: string;
      defaultValue: string | undefined;
    };

/** A string holding policy variables, split into its parts. */
export interface Template {
  readonly parts: readonly TemplatePart[];
  /** The keys it reads, ASCII-lowercased. */
  readonly keys: readonly string[];
}

const CHARACTERS: ReadonlySet<string> = new Set(['*', '?', '$']);

/** The template of `value`, or undefined when it holds no `${…}` (the common case: no work). */
export function parseTemplate(value: string): Template | undefined {
  if (!value.includes('${')) return undefined;
  const parts: TemplatePart[] = [];
  const keys: string[] = [];
  let text = '';
  let index = 0;
  while (index < value.length) {
    const start = value.indexOf('${', index);
    const end = start < 0 ? -1 : value.indexOf('}', start + 2);
    if (start < 0 || end < 0) {
      text += value.slice(index);
      break;
    }
    text += value.slice(index, start);
    if (text) parts.push({ kind: 'text', text });
    text = '';
    const inner = value.slice(start + 2, end);
    if (CHARACTERS.has(inner)) parts.push({ kind: 'character', text: inner });
    else {
      // `name, 'default'` — AWS's form: a comma and a space, the default in single quotes.
      const comma = inner.indexOf(", '");
      const quoted = comma >= 0 && inner.endsWith("'") && inner.length >= comma + 4;
      const key = asciiLower((quoted ? inner.slice(0, comma) : inner).trim());
      parts.push({ kind: 'variable', key, defaultValue: quoted ? inner.slice(comma + 3, -1) : undefined });
      keys.push(key);
    }
    index = end + 1;
  }
  if (text) parts.push({ kind: 'text', text });
  return { parts, keys };
}

/** A variable's value in this request: its key's single value, else its default, else none. */
export function variableValue(
  part: { key: string; defaultValue: string | undefined },
  context: RequestContext,
): string | undefined {
  const values = context.get(part.key);
  // Only a single-valued key can stand in a string (the User Guide: "You can't use a multivalued
  // condition key as a variable").
  if (values?.length === 1) return values[0];
  return part.defaultValue;
}

/**
 * The template as a glob for this request, or undefined when a variable has no value. `wildcards`:
 * whether its text's `*` and `?` are wildcards (StringLike, ARN, Resource) or literal (StringEquals).
 * Stops once it holds more literal characters than `budget` (it could not match a value that short).
 */
export function resolveTemplate(
  template: Template,
  context: RequestContext,
  options: { wildcards: boolean; fold?: boolean; budget?: number },
): Glob | undefined {
  const builder = new GlobBuilder(options.fold ?? false);
  for (const part of template.parts) {
    if (part.kind === 'variable') {
      const value = variableValue(part, context);
      if (value === undefined) return undefined;
      builder.literal(value);
    } else if (part.kind === 'character' || !options.wildcards) builder.literal(part.text);
    else builder.pattern(part.text);
    if (options.budget !== undefined && builder.length > options.budget) break;
  }
  return builder.build();
}

/** The template with each variable as `*` (what it could become): to check what a Resource can name. */
export function templateShape(template: Template): Glob {
  const builder = new GlobBuilder(false);
  for (const part of template.parts) {
    if (part.kind === 'variable') builder.star();
    else if (part.kind === 'character') builder.literal(part.text);
    else builder.pattern(part.text);
  }
  return builder.build();
}

/** The template's text with variables resolved (the values of operators without wildcards), or undefined. */
export function resolveText(
  template: Template,
  context: RequestContext,
  budget?: number,
): string | undefined {
  let text = '';
  for (const part of template.parts) {
    if (part.kind === 'variable') {
      const value = variableValue(part, context);
      if (value === undefined) return undefined;
      text += value;
    } else text += part.text;
    if (budget !== undefined && text.length > budget) break;
  }
  return text;
}
