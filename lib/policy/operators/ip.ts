// IpAddress and NotIpAddress (IAM User Guide, "Condition operators" › IP address): IPv4 and IPv6
// addresses or CIDR ranges ("203.0.113.0/24", "2001:DB8:1234:5678::/64"); an address without a prefix
// means /32 (IPv4) or /128. A value that is not one is refused when the policy is put, with AWS's
// message (docs/accounts.md): so is an IPv6 zone index (`fe80::1%eth0`) — CIDR notation has none, and a
// request's source address never carries one. An IPv4 address is not in an IPv6 range, IPv4-mapped
// (`::ffff:10.0.0.0/104`) included, nor the reverse. No wildcards, no policy variables.
// node:net says what is an address; the prefix comparison is done here on 16-bit words.
import { isIPv4, isIPv6 } from 'node:net';
import { MESSAGES, malformed } from '../messages.ts';
import { type CompiledValues, type ConditionOperator, outcome } from './operator.ts';

/** An address as 16-bit words: 2 for IPv4, 8 for IPv6. */
type Words = readonly number[];

function ipv4Words(address: string): Words {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

function ipv6Words(address: string): Words {
  const hextets = (part: string): number[] => {
    if (part === '') return [];
    const groups = part.split(':');
    const last = groups.at(-1) ?? '';
    // A trailing dotted IPv4 part (`::ffff:10.1.2.3`) is two words.
    const tail = last.includes('.') ? [...ipv4Words(last)] : [];
    if (tail.length) groups.pop();
    return [...groups.map((group) => Number.parseInt(group, 16)), ...tail];
  };
  const double = address.indexOf('::');
  if (double < 0) return hextets(address);
  const head = hextets(address.slice(0, double));
  const rest = hextets(address.slice(double + 2));
  return [...head, ...Array.from({ length: 8 - head.length - rest.length }, () => 0), ...rest];
}

/** The words of an address (IPv4 or IPv6, no zone index), or undefined. */
function addressWords(address: string): Words | undefined {
  if (address.includes('%')) return undefined;
  return isIPv4(address) ? ipv4Words(address) : isIPv6(address) ? ipv6Words(address) : undefined;
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
