// IAM wildcard matching (`*` any run, `?` exactly one character) without regular expressions.
// A pattern compiled to a backtracking RegExp costs exponential time on `****…*x` (a policy made
// the Lambda time out); this is the two-pointer glob matcher: on a mismatch it only moves the last
// `*` one character on, never revisits earlier stars. Pure: no AWS, no HTTP.
//
// A pattern is compiled once into code units, with STAR and ANY for the wildcards, so text that must
// stay literal — a policy variable's value, `${*}` — sits beside wildcards without escaping.
//
// Work per match, counted in `Meter.steps` (one per loop turn): runs of `*` are collapsed when
// compiled, and a pattern with more literal characters than the value fails before the loop, so a
// pattern that reaches the loop has at most 2·|value|+1 units and the loop turns at most
// (|value|+1)·(|pattern|+1) ≤ (|value|+1)·(2·|value|+2) times — bounded by the value, whatever the
// pattern's length. A meter may carry a limit: past it, matching throws PolicyWorkExceeded (the
// evaluation's budget, docs/security.md › Bounded work).
import { asciiLowerCode } from './ascii.ts';

/** Counts the loop turns of matching, so tests can bound work by steps, not by time. */
export interface Meter {
  steps: number;
  /** When set, matching throws PolicyWorkExceeded once `steps` passes it. */
  limit?: number;
}

/** An evaluation that ran past its meter's limit: the caller answers as for a Deny. */
export class PolicyWorkExceeded extends Error {
  override name = 'PolicyWorkExceeded';
}

export const STAR = -1;
export const ANY = -2;

/** A compiled pattern: code units, STAR and ANY (runs of STAR collapsed); `literals` counts the rest. */
export interface Glob {
  readonly units: readonly number[];
  readonly literals: number;
  /** Whether any unit is a wildcard. */
  readonly wild: boolean;
}

/** Builds a Glob from pieces: wildcard text (`*`, `?` special) and literal text (nothing special). */
export class GlobBuilder {
  private readonly units: number[] = [];
  private literals = 0;
  private wild = false;
  private readonly fold: boolean;

  constructor(fold: boolean) {
    this.fold = fold;
  }

  pattern(text: string): this {
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code === 42) this.star();
      else if (code === 63) {
        this.units.push(ANY);
        this.wild = true;
        this.literals++;
      } else this.unit(code);
    }
    return this;
  }

  literal(text: string): this {
    for (let index = 0; index < text.length; index++) this.unit(text.charCodeAt(index));
    return this;
  }

  star(): this {
    if (this.units.at(-1) !== STAR) this.units.push(STAR);
    this.wild = true;
    return this;
  }

  /** Literal characters so far (a pattern with more than the value has cannot match it). */
  get length(): number {
    return this.literals;
  }

  build(): Glob {
    return { units: this.units, literals: this.literals, wild: this.wild };
  }

  private unit(code: number): void {
    this.units.push(this.fold ? asciiLowerCode(code) : code);
    this.literals++;
  }
}

/** The pattern's text with `*` and `?` as wildcards. */
export const globOf = (text: string, fold = false): Glob => new GlobBuilder(fold).pattern(text).build();

const count = (meter: Meter | undefined): void => {
  if (meter && ++meter.steps > (meter.limit ?? Number.POSITIVE_INFINITY)) throw new PolicyWorkExceeded();
};

/** Whether `value` matches `glob` (ASCII case-insensitively when `fold`: the glob was built folded). */
export function matchGlob(glob: Glob, value: string, fold: boolean, meter?: Meter): boolean {
  const { units } = glob;
  count(meter);
  // Every unit but STAR consumes exactly one character of the value.
  if (value.length < glob.literals) return false;
  if (!glob.wild && value.length !== glob.literals) return false;
  // The units after the last `*` match the value's last characters one for one: compare them first,
  // from the end. (Left to the loop below, a tail that fails at the end would be retried from every
  // position the `*` could take: `s3:*???` against 200 action names was 28 million turns.)
  let end = units.length;
  let valueEnd = value.length;
  while (end > 0 && units[end - 1] !== STAR) {
    count(meter);
    if (valueEnd === 0) return false;
    const unit = units[end - 1];
    const code = fold ? asciiLowerCode(value.charCodeAt(valueEnd - 1)) : value.charCodeAt(valueEnd - 1);
    if (unit !== ANY && unit !== code) return false;
    end--;
    valueEnd--;
  }
  // No `*` at all: the whole pattern was the tail.
  if (end === 0) return valueEnd === 0;
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < valueEnd) {
    count(meter);
    const unit = p < end ? units[p] : undefined;
    if (unit === STAR) {
      star = p++;
      resume = v;
      continue;
    }
    const code = fold ? asciiLowerCode(value.charCodeAt(v)) : value.charCodeAt(v);
    if (unit !== undefined && (unit === ANY || unit === code)) {
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
  while (p < end && units[p] === STAR) p++;
  return p === end;
}

/**
 * Whether some string starting with `prefix` matches `glob`: its units before the first `*` match the
 * prefix's head, and the `*` (if the prefix is longer) takes the rest. Used to tell whether a Resource
 * can name objects of a bucket (`arn:aws:s3:::bucket/…`).
 */
export function matchesSomeExtension(glob: Glob, prefix: string): boolean {
  const { units } = glob;
  for (let index = 0; index < prefix.length; index++) {
    const unit = units[index];
    if (unit === STAR) return true;
    if (unit === undefined || (unit !== ANY && unit !== prefix.charCodeAt(index))) return false;
  }
  return true;
}

export type Matcher = (value: string, meter?: Meter) => boolean;

export const hasWildcard = (pattern: string): boolean => pattern.includes('*') || pattern.includes('?');

/** Compiles an IAM wildcard pattern; ASCII case-insensitive when asked (action names). */
export function compileGlob(source: string, caseInsensitive: boolean): Matcher {
  const glob = globOf(source, caseInsensitive);
  return (value, meter) => matchGlob(glob, value, caseInsensitive, meter);
}

/** The most loop turns one match of a value of this length may take (the bound above). */
export const maxGlobSteps = (valueLength: number): number => 1 + (valueLength + 1) * (2 * valueLength + 2);
