// Which of S3's action names a folded Action pattern matches — PutBucketPolicy's question for every
// distinct pattern of a policy (validate.ts). Matching each of ~180 names with the general matcher
// (glob.ts) walks the names' whole length per pattern: 500 distinct `s3:*x*y*z*?` patterns took 20 ms.
// Here the names are indexed once (for each name and position, where each character next occurs); a
// pattern is planned once (its head, its tail, the segments between its `*`s); then per name the head
// and tail are compared in place and each segment jumps to its first literal's next occurrence — the
// leftmost placement, which leaves the most room for the segments after it, so taking it never misses
// a match. test/unit/policy-properties.test.ts checks it agrees with matchGlob on generated patterns.
import { ANY, type Glob, STAR } from './glob.ts';

/** Character → column: `a`–`z`, digits, `:` and `-` (what S3's action names are made of). */
const COLUMNS = 38;
function column(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 48 + 26;
  if (code === 58) return 36;
  if (code === 45) return 37;
  return -1;
}

export interface IndexedName {
  readonly text: string;
  /** next[position * COLUMNS + column]: the first index ≥ position holding that character, or -1. */
  readonly next: Int16Array;
}

/** A lowercase name, indexed. */
export function indexName(text: string): IndexedName {
  const next = new Int16Array((text.length + 1) * COLUMNS).fill(-1);
  for (let position = text.length - 1; position >= 0; position--) {
    next.copyWithin(position * COLUMNS, (position + 1) * COLUMNS, (position + 2) * COLUMNS);
    const at = column(text.charCodeAt(position));
    if (at >= 0) next[position * COLUMNS + at] = position;
  }
  return { text, next };
}

/** A folded glob, planned for matching names. */
export interface NamePlan {
  readonly units: readonly number[];
  readonly literals: number;
  /** Units before the first `*` (all of them when there is none). */
  readonly head: number;
  /** Units after the last `*`; -1 when there is no `*`. */
  readonly tail: number;
  /**
   * The segments between `*`s, four numbers each: the first unit, the size, the offset of the first
   * literal, its column (-1: only `?`s; -2: a character no name holds).
   */
  readonly segments: Int32Array;
}

export function planGlob(glob: Glob): NamePlan {
  const { units } = glob;
  let head = 0;
  while (head < units.length && units[head] !== STAR) head++;
  if (head === units.length) {
    return { units, literals: glob.literals, head, tail: -1, segments: new Int32Array(0) };
  }
  let end = units.length;
  while (units[end - 1] !== STAR) end--;
  const segments: number[] = [];
  for (let i = head; i < end; ) {
    if (units[i] === STAR) {
      i++;
      continue;
    }
    let j = i;
    while (units[j] !== STAR) j++;
    let first = i;
    while (first < j && units[first] === ANY) first++;
    const at = first === j ? -1 : column(units[first] ?? 0);
    segments.push(i, j - i, first - i, first === j ? -1 : at < 0 ? -2 : at);
    i = j;
  }
  return {
    units,
    literals: glob.literals,
    head,
    tail: units.length - end,
    segments: Int32Array.from(segments),
  };
}

/** Whether the planned glob matches the indexed (lowercase) name. */
export function planMatchesName(plan: NamePlan, name: IndexedName): boolean {
  const { units, head, tail, segments } = plan;
  const { text, next } = name;
  const length = text.length;
  if (length < plan.literals) return false;
  for (let p = 0; p < head; p++) {
    const unit = units[p];
    if (unit !== ANY && unit !== text.charCodeAt(p)) return false;
  }
  if (tail < 0) return length === head;
  const textEnd = length - tail;
  const tailFrom = units.length - tail;
  for (let k = 0; k < tail; k++) {
    const unit = units[tailFrom + k];
    if (unit !== ANY && unit !== text.charCodeAt(textEnd + k)) return false;
  }
  let position = head;
  for (let s = 0; s < segments.length; s += 4) {
    const from = segments[s] ?? 0;
    const size = segments[s + 1] ?? 0;
    const offset = segments[s + 2] ?? 0;
    const at = segments[s + 3] ?? -2;
    if (at === -2) return false;
    if (at === -1) {
      position += size;
      if (position > textEnd) return false;
      continue;
    }
    for (let probe = position + offset; ; ) {
      const found = probe <= length ? (next[probe * COLUMNS + at] ?? -1) : -1;
      const candidate = found - offset;
      if (found < 0 || candidate + size > textEnd) return false;
      let k = 0;
      while (k < size) {
        const unit = units[from + k];
        if (unit !== ANY && unit !== text.charCodeAt(candidate + k)) break;
        k++;
      }
      if (k === size) {
        position = candidate + size;
        break;
      }
      probe = found + 1;
    }
  }
  return true;
}
