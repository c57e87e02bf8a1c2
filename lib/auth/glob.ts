// IAM wildcard matching (`*` any run, `?` exactly one character) without regular expressions.
// A pattern compiled to a backtracking RegExp costs exponential time on `****…*x` (a policy made
// the Lambda time out); this is the two-pointer glob matcher: on a mismatch it only moves the last
// `*` one character on, never revisits earlier stars. Pure: no AWS, no HTTP.
//
// Work per match, counted in `Meter.steps` (one per loop turn): runs of `*` are collapsed when
// compiled, and a pattern with more literal characters than the value fails before the loop, so a
// pattern that reaches the loop has at most 2·|value|+1 characters and the loop turns at most
// (|value|+1)·(|pattern|+1) ≤ (|value|+1)·(2·|value|+2) times — bounded by the value, whatever the
// pattern's length. The values matched here are short: an action name (≤ 40 characters), this
// bucket's ARN (≤ 76), an account id (12). docs/security.md states the numbers.

/** Counts the loop turns of matching, so tests can bound work by steps, not by time. */
export interface Meter {
  steps: number;
}

export type Matcher = (value: string, meter?: Meter) => boolean;

export const hasWildcard = (pattern: string): boolean => pattern.includes('*') || pattern.includes('?');

/** Compiles an IAM wildcard pattern; case-insensitive when asked (action names). */
export function compileGlob(source: string, caseInsensitive: boolean): Matcher {
  const pattern = (caseInsensitive ? source.toLowerCase() : source).replace(/\*+/g, '*');
  const fold = caseInsensitive ? (value: string) => value.toLowerCase() : (value: string) => value;
  if (!hasWildcard(pattern)) {
    return (value, meter) => {
      if (meter) meter.steps++;
      return fold(value) === pattern;
    };
  }
  // UTF-16 code units throughout, as the loop indexes them.
  let literals = 0;
  for (let index = 0; index < pattern.length; index++) if (pattern[index] !== '*') literals++;
  return (raw, meter) => {
    const value = fold(raw);
    if (meter) meter.steps++;
    // Every character of the pattern but `*` consumes exactly one character of the value.
    if (value.length < literals) return false;
    let p = 0;
    let v = 0;
    let star = -1;
    let resume = 0;
    while (v < value.length) {
      if (meter) meter.steps++;
      const character = pattern[p];
      if (character === '*') {
        star = p++;
        resume = v;
      } else if (character !== undefined && (character === '?' || character === value[v])) {
        p++;
        v++;
      } else if (star >= 0) {
        // Let the last `*` swallow one more character and retry the rest from there.
        p = star + 1;
        v = ++resume;
      } else {
        return false;
      }
    }
    while (pattern[p] === '*') p++;
    return p === pattern.length;
  };
}

/** The most loop turns one match of a value of this length may take (the bound above). */
export const maxGlobSteps = (valueLength: number): number => 1 + (valueLength + 1) * (2 * valueLength + 2);
