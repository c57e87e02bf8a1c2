// IpAddress and NotIpAddress (IAM User Guide, "Condition operators" › IP address): IPv4 and IPv6
// addresses or CIDR ranges ("203.0.113.0/24", "2001:DB8:1234:5678::/64"); an address without a prefix
// means /32 (IPv4) or /128. A value that is not one is refused when the policy is put, with AWS's
// message (docs/accounts.md): so is an IPv6 zone index (`fe80::1%eth0`) — CIDR notation has none, and a
// request's source address never carries one. An IPv4 address is not in an IPv6 range, IPv4-mapped
// (`::ffff:10.0.0.0/104`) included, nor the reverse. No wildcards, no policy variables.
// Addresses are read by a scanner of their own, to 16-bit words (Node's isIPv4/isIPv6 are regular
// expressions, and splitting allocates: a 512-range policy was mostly that); test/unit/
// policy-operators.test.ts checks it agrees with node:net on generated text.
import { MESSAGES, malformed } from '../messages.ts';
import { type CompiledValues, type ConditionOperator, outcome } from './operator.ts';

/** An address as 16-bit words: 2 for IPv4, 8 for IPv6. */
type Words = readonly number[];

const DOT = 46;
const COLON = 58;
const isDigit = (code: number) => code >= 48 && code <= 57;

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Dotted IPv4 in text[start, end) — four decimal parts 0–255 without leading zeros, as node:net's
 * isIPv4 — as two words written to `out` at `at`; false when it is not one.
 */
function scanIPv4(text: string, start: number, end: number, out: number[], at: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  let high = 0;
  for (let index = start; index <= end; index++) {
    const code = index < end ? text.charCodeAt(index) : DOT;
    if (isDigit(code)) {
      if (digits === 1 && value === 0) return false; // a leading zero
      value = value * 10 + code - 48;
      if (++digits > 3 || value > 255) return false;
    } else if (code === DOT) {
      if (digits === 0 || part === 4) return false;
      if (part % 2 === 0) high = value;
      else out[at + (part >> 1)] = (high << 8) | value;
      part++;
      value = 0;
      digits = 0;
    } else return false;
  }
  return part === 4;
}

/** IPv6 (`::` once at most, a dotted IPv4 tail) as eight words; undefined when it is not one. */
function scanIPv6(text: string): Words | undefined {
  const end = text.length;
  const words: number[] = [];
  let gap = -1;
  let index = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return undefined;
    gap = 0;
    index = 2;
    if (index === end) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  while (index < end) {
    let value = 0;
    let digits = 0;
    let stop = index;
    while (stop < end && hexValue(text.charCodeAt(stop)) >= 0 && digits < 5) {
      value = value * 16 + hexValue(text.charCodeAt(stop));
      stop++;
      digits++;
    }
    if (stop < end && text.charCodeAt(stop) === DOT) {
      // The dotted IPv4 tail: the rest of the text, two words.
      if (words.length > 6 || (gap < 0 && words.length !== 6)) return undefined;
      words.push(0, 0);
      if (!scanIPv4(text, index, end, words, words.length - 2)) return undefined;
      index = end;
      break;
    }
    if (digits === 0 || digits > 4 || words.length === 8) return undefined;
    words.push(value);
    index = stop;
    if (index === end) break;
    if (text.charCodeAt(index) !== COLON) return undefined;
    index++;
    if (text.charCodeAt(index) === COLON) {
      if (gap >= 0) return undefined;
      gap = words.length;
      index++;
      if (index === end) break;
    } else if (index === end) return undefined; // a trailing single colon
  }
  if (gap < 0) return words.length === 8 ? words : undefined;
  // `::` stands for at least one zero word.
  if (words.length > 7) return undefined;
  words.splice(gap, 0, ...new Array<number>(8 - words.length).fill(0));
  return words;
}

/** The words of an address (IPv4 or IPv6, no zone index), or undefined. */
export function addressWords(address: string): Words | undefined {
  if (address.includes(':')) return scanIPv6(address);
  const words = [0, 0];
  return scanIPv4(address, 0, address.length, words, 0) ? words : undefined;
}

const PREFIX = /^\d{1,3}$/;

/** `value` as a range (the address's words and the prefix length), or undefined when it is not an address or CIDR range. */
export function readAddressRange(value: string): { words: Words; bits: number } | undefined {
  const slash = value.indexOf('/');
  const words = addressWords(slash < 0 ? value : value.slice(0, slash));
  const prefix = slash < 0 ? undefined : value.slice(slash + 1);
  if (!words || (prefix !== undefined && !PREFIX.test(prefix))) return undefined;
  const bits = prefix === undefined ? words.length * 16 : Number(prefix);
  return bits > words.length * 16 ? undefined : { words, bits };
}

function inRange(address: Words, range: { words: Words; bits: number }): boolean {
  if (address.length !== range.words.length) return false;
  let bits = range.bits;
  for (let index = 0; bits > 0; index++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((address[index] ?? 0) & mask) !== ((range.words[index] ?? 0) & mask)) return false;
  }
  return true;
}

const ipOperator = (name: string, negated: boolean): ConditionOperator => ({
  name,
  family: 'ip',
  negated,
  variables: false,
  compile(values): CompiledValues {
    const ranges = values.map((value) => {
      const range = readAddressRange(value);
      if (!range) throw malformed(MESSAGES.ipAddress);
      return range;
    });
    // The request's address is read once however many statements test it.
    let lastValue: string | undefined;
    let lastWords: Words | undefined;
    return {
      test(requestValue, _context, meter) {
        meter.steps += ranges.length;
        if (requestValue !== lastValue) {
          lastValue = requestValue;
          lastWords = addressWords(requestValue);
        }
        const address = lastWords;
        return outcome(negated, address !== undefined && ranges.some((range) => inRange(address, range)));
      },
    };
  },
});

export const IP_OPERATORS: readonly ConditionOperator[] = [
  ipOperator('IpAddress', false),
  ipOperator('NotIpAddress', true),
];
