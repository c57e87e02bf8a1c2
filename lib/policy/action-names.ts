// Which of S3's action names a folded Action pattern matches — PutBucketPolicy's question for every
// distinct pattern of a policy (validate.ts). Matching each of ~180 names on its own cost a few
// operations per name and `*`-segment: 512 distinct `s3:*x*y*z*?` patterns took 3.3–4.7 ms (the
// "distinct actions" row of the cpu bench). Here the names are matched all at once, 32 to a word:
// rows[q] is the set of names (a bitset) the pattern read so far can match up to position q — the
// automaton of the pattern (glob.ts's language) run over every name in parallel. A literal or `?`
// moves each row one position on, masked by the names holding that character there; a `*` lets a
// name stay at any later position (a running OR over the rows, fused with the unit after it; when
// that unit is alone between `*`s only each name's first place for it is kept). The units after the
// last `*` are checked from the names' ends, and names lacking a literal are dropped, before any row.
// Names are laid out longest first, so at position q only the words holding names longer than q are
// read. Work per pattern: at most (units) × (longest name + 1) × (words) word operations, whatever the
// names hold — linear in the pattern, bounded by the table; a pattern with more literal characters
// than the longest name matches nothing and costs nothing; names without a wildcard are one Map
// lookup. The rows after each unit are kept, so a pattern sharing a prefix with the one before it
// (validate.ts matches a policy's patterns sorted) starts where that prefix ends.
// test/unit/policy-properties.test.ts checks it agrees with a reference matcher on generated names
// and patterns, one after another.
import { ANY, type Glob, STAR } from './glob.ts';

/** Sets `index`'s bit in a bitset of 32-bit words. */
const setBit = (bits: Uint32Array, index: number): void => {
  bits[index >> 5] = (bits[index >> 5] ?? 0) | (1 << (index & 31));
};

/** ORs `bit` into `array[at]`. */
const or = (array: Int32Array, at: number, bit: number): void => {
  array[at] = (array[at] ?? 0) | bit;
};

/** Character → column: `a`–`z`, digits, `:` and `-` (what S3's action names are made of); -1 else. */
const COLUMNS = 38;
function column(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 48 + 26;
  if (code === 58) return 36;
  if (code === 45) return 37;
  return -1;
}

/** A set of lowercase names (S3's actions), indexed once to match many folded patterns against. */
export class ActionNames {
  /** Name count; bit i of a result is names[i]. */
  readonly size: number;
  private readonly words: number;
  private readonly longest: number;
  private readonly exact = new Map<string, number[]>();
  /** Slot (position in the longest-first layout) → index in the names as given. */
  private readonly original: Int32Array;
  /** [column][word]: the slots holding that character somewhere (a pre-filter). */
  private readonly holding: Int32Array;
  /** [column][q][word]: the slots holding that character at position q, and q from their end. */
  private readonly equal: Int32Array;
  private readonly fromEnd: Int32Array;
  /** [column][q][word]: the slots holding that character at q or later. */
  private readonly later: Int32Array;
  /** [q][word]: the slots longer than q (what `?` at q may take). */
  private readonly longer: Int32Array;
  /** [q][word]: the slots of length q, and of length ≥ q. */
  private readonly ending: Int32Array;
  private readonly reaching: Int32Array;
  /** Words holding some name longer than q: the rest are zero at q. */
  private readonly wordsAt: Int32Array;
  /**
   * The rows after each unit of the last pattern matched ([unit + 1][q][word]; [0]: every name at 0)
   * with their live range, and the units they were read from: patterns of a policy, sorted
   * (validate.ts), share prefixes (`s3:get*`, `s3:*e*t*`), and a pattern picks up where the last
   * one's rows still hold. The running OR of a `*` is scratch.
   */
  private readonly stack: Int32Array;
  private readonly stackLo: Int32Array;
  private readonly stackHi: Int32Array;
  private lastUnits: readonly number[] = [];
  /** How many of lastUnits the stack's rows stand for. */
  private lastCount = 0;
  private readonly run: Int32Array;
  /** The names a pattern may match at all (its literals, length and tail). */
  private readonly accepted: Int32Array;

  constructor(names: readonly string[]) {
    const size = names.length;
    const words = Math.max(1, Math.ceil(size / 32));
    let longest = 0;
    for (const name of names) longest = Math.max(longest, name.length);
    const slots = names
      .map((_, index) => index)
      .sort((a, b) => (names[b]?.length ?? 0) - (names[a]?.length ?? 0));
    this.size = size;
    this.words = words;
    this.longest = longest;
    names.forEach((name, index) => {
      const same = this.exact.get(name);
      if (same) same.push(index);
      else this.exact.set(name, [index]);
    });
    this.original = Int32Array.from(slots);
    this.holding = new Int32Array(COLUMNS * words);
    this.equal = new Int32Array(COLUMNS * longest * words);
    this.fromEnd = new Int32Array(COLUMNS * longest * words);
    this.later = new Int32Array(COLUMNS * longest * words);
    this.longer = new Int32Array(longest * words);
    this.ending = new Int32Array((longest + 1) * words);
    this.reaching = new Int32Array((longest + 1) * words);
    this.wordsAt = new Int32Array(longest + 1);
    // A pattern reaching the automaton has at most `longest` literals, its `*` runs collapsed.
    const depth = 2 * longest + 3;
    this.stack = new Int32Array(depth * (longest + 1) * words);
    this.stackLo = new Int32Array(depth);
    this.stackHi = new Int32Array(depth);
    this.run = new Int32Array(words);
    this.accepted = new Int32Array(words);
    for (let slot = 0; slot < size; slot++) or(this.stack, slot >> 5, 1 << (slot & 31));
    slots.forEach((index, slot) => {
      const name = names[index] ?? '';
      const word = slot >> 5;
      const bit = 1 << (slot & 31);
      or(this.ending, name.length * words + word, bit);
      for (let q = 0; q <= name.length; q++) or(this.reaching, q * words + word, bit);
      for (let q = 0; q < name.length; q++) {
        const code = name.charCodeAt(q);
        or(this.longer, q * words + word, bit);
        const at = column(code);
        if (at < 0) continue;
        or(this.holding, at * words + word, bit);
        or(this.equal, (at * longest + q) * words + word, bit);
        or(this.fromEnd, (at * longest + name.length - 1 - q) * words + word, bit);
        for (let p = 0; p <= q; p++) or(this.later, (at * longest + p) * words + word, bit);
        this.wordsAt[q] = Math.max(this.wordsAt[q] ?? 0, word + 1);
      }
    });
  }

  /** Sets in `bits` the index of every name the folded glob matches. */
  match(glob: Glob, bits: Uint32Array): void {
    const { units, literals } = glob;
    if (!glob.wild) {
      for (const index of this.exact.get(String.fromCharCode(...units)) ?? []) setBit(bits, index);
      return;
    }
    const { words, longest, equal, longer, wordsAt, run } = this;
    if (literals > longest) return;
    const { stack, stackLo, stackHi } = this;
    const height = (longest + 1) * words;
    // The units after the last `*` match a name's last characters one for one: they are checked
    // here, from the end, for all names at once; the automaton below reads the units before them.
    let end = units.length;
    let tail = 0;
    if (units.includes(STAR)) {
      while (units[end - 1] !== STAR) end--;
      tail = units.length - end;
    }
    // The names that may match at all: long enough, holding every literal somewhere, whose tail
    // matches (applied at the end, so that the rows before it serve every pattern with that prefix).
    const candidates = this.accepted;
    for (let w = 0; w < words; w++) candidates[w] = this.reaching[literals * words + w] ?? 0;
    for (let u = 0; u < units.length; u++) {
      const unit = units[u] ?? STAR;
      if (unit < 0) continue;
      const at = column(unit);
      if (at < 0) return;
      for (let w = 0; w < words; w++)
        candidates[w] = (candidates[w] ?? 0) & (this.holding[at * words + w] ?? 0);
    }
    for (let j = 0; j < tail; j++) {
      const unit = units[units.length - 1 - j] ?? ANY;
      if (unit === ANY) continue;
      const from = (column(unit) * longest + j) * words;
      for (let w = 0; w < words; w++) candidates[w] = (candidates[w] ?? 0) & (this.fromEnd[from + w] ?? 0);
    }
    let any = 0;
    for (let w = 0; w < words; w++) any |= candidates[w] ?? 0;
    if (!any) return;
    const accepted = candidates;
    // Resume after the last unit u of the shared prefix whose rows stand (the unit after it shared
    // too: a one-unit segment's rows depend on the `*` that follows it).
    const last = this.lastUnits;
    let shared = 0;
    while (shared < end && shared < this.lastCount && units[shared] === last[shared]) shared++;
    let resume = shared - 2;
    while (resume >= 0 && units[resume] === STAR) resume--;
    const slot = Math.max(0, resume + 1);
    let rows = slot * height;
    let lo = stackLo[slot] ?? 0;
    let hi = stackHi[slot] ?? 0;
    let star = false;
    this.lastUnits = units;
    this.lastCount = slot;
    for (let u = slot; u < end; u++) {
      const unit = units[u] ?? STAR;
      if (unit === STAR) {
        star = true;
        continue;
      }
      let mask = longer;
      let ahead = longer;
      let base = 0;
      if (unit !== ANY) {
        const at = column(unit);
        if (at < 0) return;
        mask = equal;
        ahead = this.later;
        base = at * longest * words;
      }
      // A `*` before this unit: a name at q may be at any later position too (running OR).
      let top = star ? longest - 1 : Math.min(hi, longest - 1);
      const next = (u + 1) * height;
      any = 0;
      if (star && units[u + 1] === STAR) {
        // A one-unit segment between `*`s: only each name's first place for it matters (the `*`
        // after it reaches every later one), so a name leaves the run once placed, or once the unit
        // cannot occur in it any more; the pass ends when the run is empty and no row is left.
        run.fill(0);
        for (let q = lo; q <= top; q++) {
          const active = wordsAt[q] ?? 0;
          const from = q * words;
          const to = from + words;
          const at = base + from;
          let left = 0;
          for (let w = 0; w < active; w++) {
            const reached =
              ((run[w] ?? 0) | (q <= hi ? (stack[rows + from + w] ?? 0) : 0)) & (ahead[at + w] ?? 0);
            const value = reached & (mask[at + w] ?? 0);
            run[w] = reached & ~value;
            left |= reached & ~value;
            stack[next + to + w] = value;
            any |= value;
          }
          for (let w = active; w < words; w++) stack[next + to + w] = 0;
          if (left === 0 && q >= hi) top = q;
        }
      } else if (star) {
        run.fill(0);
        for (let q = lo; q <= top; q++) {
          const active = wordsAt[q] ?? 0;
          const from = q * words;
          const to = from + words;
          const at = base + from;
          if (q <= hi) {
            for (let w = 0; w < active; w++) {
              const reached = (run[w] ?? 0) | (stack[rows + from + w] ?? 0);
              run[w] = reached;
              const value = reached & (mask[at + w] ?? 0);
              stack[next + to + w] = value;
              any |= value;
            }
          } else {
            for (let w = 0; w < active; w++) {
              const value = (run[w] ?? 0) & (mask[at + w] ?? 0);
              stack[next + to + w] = value;
              any |= value;
            }
          }
          for (let w = active; w < words; w++) stack[next + to + w] = 0;
        }
      } else {
        for (let q = lo; q <= top; q++) {
          const active = wordsAt[q] ?? 0;
          const from = q * words;
          const to = from + words;
          const at = base + from;
          for (let w = 0; w < active; w++) {
            const value = (stack[rows + from + w] ?? 0) & (mask[at + w] ?? 0);
            stack[next + to + w] = value;
            any |= value;
          }
          for (let w = active; w < words; w++) stack[next + to + w] = 0;
        }
      }
      if (!any) return;
      lo++;
      hi = top + 1;
      star = false;
      rows = next;
      while (lo < hi && isZero(stack, rows + lo * words, words)) lo++;
      while (hi > lo && isZero(stack, rows + hi * words, words)) hi--;
      stackLo[u + 1] = lo;
      stackHi[u + 1] = hi;
      this.lastCount = u + 1;
    }
    this.lastCount = end;
    // Matched: a name whose row ends where it does — or, after a final `*`, anywhere up to where its
    // tail begins.
    const ends = star ? this.reaching : this.ending;
    const shift = star ? tail : 0;
    const found = this.run;
    found.fill(0);
    for (let q = lo; q <= hi && q + shift <= longest; q++) {
      for (let w = 0; w < words; w++)
        found[w] =
          (found[w] ?? 0) | ((stack[rows + q * words + w] ?? 0) & (ends[(q + shift) * words + w] ?? 0));
    }
    for (let w = 0; w < words; w++) {
      let value = (found[w] ?? 0) & (accepted[w] ?? 0);
      while (value !== 0) {
        const low = value & -value;
        setBit(bits, this.original[w * 32 + 31 - Math.clz32(low)] ?? 0);
        value ^= low;
      }
    }
  }
}

function isZero(rows: Int32Array, from: number, words: number): boolean {
  for (let w = 0; w < words; w++) if (rows[from + w] !== 0) return false;
  return true;
}
