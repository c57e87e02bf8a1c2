// The bounds on a policy's size (docs/security.md › Bounded work): AWS's 20 KB per policy, and ours on
// how many values a policy may name and how long each may be, which bound the work of evaluating it.
import { MESSAGES, malformed } from './messages.ts';

export const MAX_POLICY_BYTES = 20 * 1024;
/** Principal, Action, Resource and condition values: each at most this long (IAM's longest ARN). */
export const MAX_VALUE_LENGTH = 2048;
/** Principal, Action, Resource and condition values (and condition keys) in one policy, all statements together. */
export const MAX_PATTERNS = 512;
/** Loop turns (glob.ts Meter) one evaluation may take: past it, the request is denied (docs/security.md). */
export const MAX_EVALUATION_STEPS = 2_000_000;

/** Counts the values of a policy while it is parsed, against MAX_PATTERNS. */
export class Budget {
  private used = 0;
  take(count: number): void {
    this.used += count;
    if (this.used > MAX_PATTERNS) throw malformed(MESSAGES.tooManyValues(MAX_PATTERNS));
  }
}

/**
 * A policy element's values: one string or a list of them. `invalid` is the message for anything
 * else; `allowEmpty` accepts `[]` and `""` (condition values: `"s3:prefix": ["", "home/"]` is AWS's
 * own example).
 */
export function valueList(
  value: unknown,
  budget: Budget,
  invalid: string,
  options: { allowEmpty?: boolean; scalars?: boolean } = {},
): string[] {
  const list: unknown[] | undefined = Array.isArray(value)
    ? value
    : value === undefined
      ? undefined
      : [value];
  if (!list || (list.length === 0 && !options.allowEmpty)) throw malformed(invalid);
  budget.take(list.length);
  return list.map((item) => {
    // Condition values may be JSON numbers and booleans: they read as their text.
    const text =
      typeof item === 'string'
        ? item
        : options.scalars && (typeof item === 'number' || typeof item === 'boolean')
          ? String(item)
          : undefined;
    if (text === undefined || (text === '' && !options.allowEmpty)) throw malformed(invalid);
    if (text.length > MAX_VALUE_LENGTH) throw malformed(MESSAGES.valueTooLong(MAX_VALUE_LENGTH));
    return text;
  });
}
