// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (`${aws:userid}`) are policy text here, not templates.
// Every condition operator of the table (lib/policy/operators.ts), the rules that wrap them (absent
// keys, …IfExists, ForAllValues:/ForAnyValue:, Null; lib/policy/conditions.ts) and policy variables
// (lib/policy/variables.ts), as AWS's IAM User Guide states them: one Allow statement with one
// condition, evaluated against a request context given key by key.
import { BlockList, isIP, isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiLower } from '../../lib/policy/ascii.ts';
import { evaluateBucketPolicy, parseStoredPolicy } from '../../lib/policy/index.ts';
import { readDate } from '../../lib/policy/operators/date.ts';
import { addressWords } from '../../lib/policy/operators/ip.ts';
import { readNumber } from '../../lib/policy/operators/numeric.ts';
import { CONDITION_OPERATORS } from '../../lib/policy/operators.ts';
import { BUCKET_ARN, OTHER_ACCOUNT, POLICY_BUCKET } from '../helpers/policy-request.ts';

type Context = Record<string, string | string[]>;

/** Whether an Allow with `condition` applies to a request whose context is `context`. */
function holds(condition: object, context: Context, version = '2012-10-17'): boolean {
  const text = JSON.stringify({
    Version: version,
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: BUCKET_ARN, Condition: condition },
    ],
  });
  const verdict = evaluateBucketPolicy(parseStoredPolicy(text, POLICY_BUCKET), {
    action: 's3:ListBucket',
    resource: BUCKET_ARN,
    principalAccount: OTHER_ACCOUNT,
    context: new Map(
      Object.entries(context).map(([key, value]) => [
        asciiLower(key),
        Array.isArray(value) ? value : [value],
      ]),
    ),
  });
  return verdict === 'allow';
}

describe('the operator table', () => {
  it('lists every operator of the IAM User Guide, each once', () => {
    expect([...CONDITION_OPERATORS.keys()].sort()).toEqual(
      [
        'StringEquals',
        'StringNotEquals',
        'StringEqualsIgnoreCase',
        'StringNotEqualsIgnoreCase',
        'StringLike',
        'StringNotLike',
        'NumericEquals',
        'NumericNotEquals',
        'NumericLessThan',
        'NumericLessThanEquals',
        'NumericGreaterThan',
        'NumericGreaterThanEquals',
        'DateEquals',
        'DateNotEquals',
        'DateLessThan',
        'DateLessThanEquals',
        'DateGreaterThan',
        'DateGreaterThanEquals',
        'Bool',
        'BinaryEquals',
        'IpAddress',
        'NotIpAddress',
        'ArnEquals',
        'ArnLike',
        'ArnNotEquals',
        'ArnNotLike',
        'Null',
      ].sort(),
    );
  });
});

describe('string operators', () => {
  const ua = { 'aws:UserAgent': 'aws-cli/2.15.0 Python/3.11' };
  it.each([
    [{ StringEquals: { 'aws:UserAgent': 'aws-cli/2.15.0 Python/3.11' } }, true],
    [{ StringEquals: { 'aws:UserAgent': 'AWS-CLI/2.15.0 PYTHON/3.11' } }, false],
    [{ StringEquals: { 'aws:UserAgent': 'aws-cli/*' } }, false],
    [{ StringNotEquals: { 'aws:UserAgent': ['a', 'b'] } }, true],
    [{ StringNotEquals: { 'aws:UserAgent': ['a', 'aws-cli/2.15.0 Python/3.11'] } }, false],
    [{ StringEqualsIgnoreCase: { 'aws:UserAgent': 'AWS-CLI/2.15.0 PYTHON/3.11' } }, true],
    [{ StringNotEqualsIgnoreCase: { 'aws:UserAgent': 'AWS-CLI/2.15.0 PYTHON/3.11' } }, false],
    [{ StringLike: { 'aws:UserAgent': 'aws-cli/*' } }, true],
    [{ StringLike: { 'aws:UserAgent': 'aws-cli/?.15.0*' } }, true],
    [{ StringLike: { 'aws:UserAgent': 'AWS-CLI/*' } }, false],
    [{ StringNotLike: { 'aws:UserAgent': 'boto*' } }, true],
    [{ StringNotLike: { 'aws:UserAgent': ['boto*', '*Python*'] } }, false],
    // Key names are ASCII case-insensitive.
    [{ StringLike: { 'AWS:USERAGENT': 'aws-cli/*' } }, true],
  ])('%j: %s', (condition, expected) => {
    expect(holds(condition, ua)).toBe(expected);
  });

  it('folds ASCII letters only in IgnoreCase', () => {
    expect(holds({ StringEqualsIgnoreCase: { 'aws:UserAgent': 'K' } }, { 'aws:UserAgent': 'k' })).toBe(true);
    expect(holds({ StringEqualsIgnoreCase: { 'aws:UserAgent': '\u212A' } }, { 'aws:UserAgent': 'k' })).toBe(
      false,
    );
    expect(holds({ StringEqualsIgnoreCase: { 'aws:UserAgent': 'É' } }, { 'aws:UserAgent': 'é' })).toBe(false);
  });
});

describe('numeric operators', () => {
  const age = { 's3:signatureAge': '600000' };
  it.each([
    [{ NumericEquals: { 's3:signatureAge': '600000' } }, true],
    [{ NumericEquals: { 's3:signatureAge': '600000.0' } }, true],
    [{ NumericNotEquals: { 's3:signatureAge': '600000' } }, false],
    [{ NumericLessThan: { 's3:signatureAge': '600001' } }, true],
    [{ NumericLessThan: { 's3:signatureAge': '600000' } }, false],
    [{ NumericLessThanEquals: { 's3:signatureAge': '600000' } }, true],
    [{ NumericGreaterThan: { 's3:signatureAge': '599999.5' } }, true],
    [{ NumericGreaterThanEquals: { 's3:signatureAge': '600000' } }, true],
    [{ NumericGreaterThanEquals: { 's3:signatureAge': 600001 } }, false],
    // A value that is not a number cannot be compared: neither the operator nor its negation holds.
    [{ NumericLessThan: { 's3:signatureAge': 'lots' } }, false],
    [{ NumericNotEquals: { 's3:signatureAge': 'lots' } }, false],
    [{ NumericNotEquals: { 's3:signatureAge': ['1', 'lots'] } }, false],
    [{ NumericNotEquals: { 's3:signatureAge': ['1', '2'] } }, true],
    [{ NumericLessThan: { 's3:signatureAge': '${s3:signatureAge}' } }, false],
  ])('%j: %s', (condition, expected) => {
    expect(holds(condition, age)).toBe(expected);
  });

  it('reads decimal numbers only, by a linear scan', () => {
    expect(readNumber('1.2')).toBe(1.2);
    expect(readNumber('-3')).toBe(-3);
    expect(readNumber('.5')).toBe(0.5);
    expect(readNumber('1e3')).toBeNaN();
    expect(readNumber('0x10')).toBeNaN();
    expect(readNumber(' 1')).toBeNaN();
    expect(readNumber('9'.repeat(2000))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('date operators', () => {
  const now = { 'aws:CurrentTime': '2026-06-01T12:00:00.000Z', 'aws:EpochTime': '1780315200' };
  it.each([
    [{ DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, true],
    [{ DateLessThan: { 'aws:CurrentTime': '2026-06-01' } }, false],
    [{ DateEquals: { 'aws:CurrentTime': '2026-06-01T12:00:00Z' } }, true],
    [{ DateEquals: { 'aws:CurrentTime': '2026-06-01T14:00:00+02:00' } }, true],
    [{ DateNotEquals: { 'aws:CurrentTime': '2026-06-01T12:00:01Z' } }, true],
    [{ DateLessThanEquals: { 'aws:CurrentTime': '1780315200' } }, true],
    [{ DateGreaterThanEquals: { 'aws:EpochTime': '1780315200' } }, true],
    [{ DateGreaterThan: { 'aws:EpochTime': '2026-06-01T11:59:59Z' } }, true],
    [{ DateGreaterThan: { 'aws:CurrentTime': 'yesterday' } }, false],
    [{ DateNotEquals: { 'aws:CurrentTime': 'yesterday' } }, false],
  ])('%j: %s', (condition, expected) => {
    expect(holds(condition, now)).toBe(expected);
  });

  it('reads the W3C profiles of ISO 8601 and epoch seconds, nothing else', () => {
    expect(readDate('2026')).toBe(2026 * 1000);
    expect(readDate('2026-06')).toBe(Date.UTC(2026, 5, 1));
    expect(readDate('2026-06-01T12:00Z')).toBe(Date.UTC(2026, 5, 1, 12));
    expect(readDate('2026-06-01T12:00:00.5Z')).toBe(Date.UTC(2026, 5, 1, 12, 0, 0, 500));
    expect(readDate('2026-13-01')).toBeNaN();
    expect(readDate('2026-02-30')).toBeNaN();
    expect(readDate('2026-06-01T24:00:00Z')).toBeNaN();
    expect(readDate('2026-06-01T12:00:00')).toBeNaN();
    expect(readDate(`${'2'.repeat(2000)}-01-01`)).toBeNaN();
  });
});

describe('Bool and BinaryEquals', () => {
  it.each([
    [{ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, true],
    [{ Bool: { 'aws:SecureTransport': 'TRUE' } }, { 'aws:SecureTransport': 'true' }, true],
    [{ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'false' }, true],
    [{ Bool: { 'aws:SecureTransport': 'yes' } }, { 'aws:SecureTransport': 'true' }, false],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, {}, false],
    [{ BinaryEquals: { 'aws:UserAgent': 'QmluYXJ5' } }, { 'aws:UserAgent': 'QmluYXJ5' }, true],
    [{ BinaryEquals: { 'aws:UserAgent': 'QmluYXJ5' } }, {}, false],
  ])('%j with %j: %s', (condition, context, expected) => {
    expect(holds(condition, context)).toBe(expected);
  });
});

describe('IP address operators', () => {
  it.each([
    ['10.1.2.3', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, true],
    ['10.1.2.3', { IpAddress: { 'aws:SourceIp': '10.1.2.3' } }, true],
    ['10.1.2.3', { IpAddress: { 'aws:SourceIp': ['192.168.0.0/16', '10.1.2.2/31'] } }, true],
    ['10.1.2.3', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, false],
    ['2001:db8::5', { IpAddress: { 'aws:SourceIp': '2001:DB8::/32' } }, true],
    ['2001:db8::5', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, false],
    ['10.1.2.3', { IpAddress: { 'aws:SourceIp': '::/0' } }, false],
    // IPv4-mapped IPv6 is IPv6: an IPv4 request is not in it.
    ['10.1.2.3', { IpAddress: { 'aws:SourceIp': '::ffff:10.0.0.0/104' } }, false],
    ['::ffff:10.1.2.3', { IpAddress: { 'aws:SourceIp': '::ffff:10.0.0.0/104' } }, true],
    ['10.1.2.3', { NotIpAddress: { 'aws:SourceIp': '::/0' } }, true],
  ])('%s against %j: %s', (address, condition, expected) => {
    expect(holds(condition, { 'aws:SourceIp': address })).toBe(expected);
  });

  // The address scanner (lib/policy/operators/ip.ts) against Node's own definition of an address, and
  // its words against the address's canonical form: on generated near-addresses and on edge cases.
  const wordsOf = (address: string): number[] => {
    if (isIPv4(address)) {
      const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    }
    // SocketAddress gives no words; a BlockList answers membership: compare by /128 ranges instead.
    return [];
  };
  const sameAddress = (a: string, b: string): boolean => {
    const list = new BlockList();
    list.addAddress(a, isIPv4(a) ? 'ipv4' : 'ipv6');
    return list.check(b, isIPv4(b) ? 'ipv4' : 'ipv6');
  };
  const EDGES = [
    '',
    '.',
    ':',
    '::',
    ':::',
    '::1',
    '1::',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::',
    '::1:2:3:4:5:6:7',
    '1::2::3',
    '12345::',
    'g::',
    '::ffff:1.2.3.4',
    '::1.2.3.4',
    '1:2:3:4:5:6:1.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5::1.2.3.4',
    '::1.2.3',
    '::01.2.3.4',
    '1.2.3.4',
    '01.2.3.4',
    '1.2.3.04',
    '255.255.255.255',
    '256.1.1.1',
    '1.2.3.4.',
    '.1.2.3.4',
    '1..2.3',
    '1.2.3',
    'fe80::1%eth0',
    '1:',
    ':1',
    '1:2',
    'FFFF::',
    'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255',
    '0:0:0:0:0:0:0:0',
  ];
  const nearAddress = fc
    .array(fc.constantFrom('0', '1', '9', 'a', 'F', 'g', ':', '.', '25', '255', '256', '%'), {
      maxLength: 24,
    })
    .map((parts) => parts.join(''));
  it('reads exactly what node:net calls an address (no zone index), to the same words', () => {
    const check = (text: string) => {
      const words = addressWords(text);
      const isAddress = isIP(text) !== 0 && !text.includes('%');
      expect(words !== undefined, text).toBe(isAddress);
      if (!words) return;
      expect(words.length, text).toBe(isIPv4(text) ? 2 : 8);
      if (isIPv4(text)) expect(words, text).toEqual(wordsOf(text));
      else {
        const hex = words.map((word) => word.toString(16)).join(':');
        expect(sameAddress(text, hex), `${text} → ${hex}`).toBe(true);
      }
    };
    for (const text of EDGES) check(text);
    fc.assert(
      fc.property(nearAddress, (text) => check(text)),
      { numRuns: 20_000 },
    );
  });
});

describe('ARN operators', () => {
  const arn = {
    'aws:PrincipalArn': 'arn:aws:iam::210987654321:root',
    'aws:SourceArn': 'arn:aws:logs:us-east-1:210987654321:log-group:a:b',
  };
  it.each([
    [{ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::210987654321:root' } }, true],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }, true],
    [{ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }, true],
    // A `*` stays within its component: it does not reach across colons, except in the resource.
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:*:root' } }, false],
    [{ StringLike: { 'aws:PrincipalArn': 'arn:aws:*:root' } }, true],
    [{ ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:log-group:*' } }, true],
    [{ ArnNotLike: { 'aws:SourceArn': 'arn:aws:logs:*:111122223333:*' } }, true],
    [{ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::210987654321:root' } }, false],
    [{ ArnLike: { 'aws:PrincipalArn': 'not-an-arn' } }, false],
    [{ ArnNotLike: { 'aws:PrincipalArn': 'not-an-arn' } }, false],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:root' } }, true],
  ])('%j: %s', (condition, expected) => {
    expect(holds(condition, { ...arn, 'aws:PrincipalAccount': '210987654321' })).toBe(expected);
  });
});

describe('absent keys, …IfExists, qualifiers and Null', () => {
  it.each([
    // A positive operator does not hold on an absent key; a negated one does; …IfExists does.
    [{ StringEquals: { 's3:x-amz-server-side-encryption': 'AES256' } }, false],
    [{ StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } }, true],
    [{ StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' } }, true],
    [{ StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' } }, true],
    [{ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, true],
    [{ NumericLessThan: { 's3:TlsVersion': '1.2' } }, false],
    [{ NumericLessThanIfExists: { 's3:TlsVersion': '1.2' } }, true],
    [{ ArnNotLike: { 'aws:SourceArn': 'arn:*' } }, true],
    [{ DateNotEquals: { 'aws:TokenIssueTime': '2026-01-01' } }, true],
    // ForAllValues holds on no values; ForAnyValue does not; …IfExists holds either way.
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }, true],
    [{ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, false],
    [{ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } }, false],
    [{ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'a' } }, true],
    [{ Null: { 's3:x-amz-server-side-encryption': 'true' } }, true],
    [{ Null: { 's3:x-amz-server-side-encryption': 'false' } }, false],
    [{ Null: { 's3:x-amz-server-side-encryption': ['false', 'TRUE'] } }, true],
  ])('with the key absent, %j: %s', (condition, expected) => {
    expect(holds(condition, {})).toBe(expected);
  });

  it.each([
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, ['a', 'b'], true],
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, ['a', 'b'], false],
    [{ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['b'] } }, ['a', 'b'], true],
    [{ 'ForAnyValue:StringLike': { 'aws:TagKeys': ['c*'] } }, ['a', 'b'], false],
    [{ 'ForAllValues:StringNotLike': { 'aws:TagKeys': ['c*'] } }, ['a', 'b'], true],
    [{ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a'] } }, ['a', 'b'], true],
    // Without a qualifier, a key of several values matches nothing.
    [{ StringEquals: { 'aws:TagKeys': ['a', 'b'] } }, ['a', 'b'], false],
    [{ Null: { 'aws:TagKeys': 'false' } }, ['a', 'b'], true],
  ])('with several values, %j on %j: %s', (condition, values, expected) => {
    expect(holds(condition, { 'aws:TagKeys': values })).toBe(expected);
  });

  it('ANDs operators and keys, ORs values', () => {
    const context = { 'aws:UserAgent': 'cli', 'aws:SourceIp': '10.1.2.3' };
    expect(
      holds(
        { StringEquals: { 'aws:UserAgent': ['x', 'cli'] }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        context,
      ),
    ).toBe(true);
    expect(holds({ StringEquals: { 'aws:UserAgent': 'cli', 'aws:SourceIp': '10.1.2.3' } }, context)).toBe(
      true,
    );
    expect(
      holds(
        { StringEquals: { 'aws:UserAgent': 'cli' }, IpAddress: { 'aws:SourceIp': '192.168.0.0/16' } },
        context,
      ),
    ).toBe(false);
  });
});

describe('policy variables', () => {
  const context = {
    'aws:PrincipalAccount': '210987654321',
    'aws:userid': '210987654321',
    's3:prefix': 'home/210987654321/x',
  };
  it.each([
    [{ StringLike: { 's3:prefix': 'home/${aws:userid}/*' } }, true],
    [{ StringLike: { 's3:prefix': 'home/${AWS:USERID}/*' } }, true],
    [{ StringEquals: { 'aws:userid': '${aws:PrincipalAccount}' } }, true],
    // No value: the text matches nothing — and the negated operators match it (IAM User Guide,
    // "Policy variables with no value").
    [{ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }, false],
    [{ StringNotLike: { 's3:prefix': 'home/${aws:username}/*' } }, true],
    [{ StringNotEquals: { 'aws:userid': '${aws:username}' } }, true],
    // A default stands in.
    [{ StringLike: { 's3:prefix': "home/${aws:username, '210987654321'}/*" } }, true],
    // ${*} ${?} ${$} are the characters themselves, not wildcards.
    [{ StringLike: { 's3:prefix': 'home/${*}' } }, false],
    [{ StringEquals: { 'aws:userid': '${?}' } }, false],
    // A variable's value is literal text.
    [{ StringLike: { 'aws:userid': '${s3:prefix}' } }, false],
  ])('%j: %s', (condition, expected) => {
    expect(holds(condition, context)).toBe(expected);
  });

  it('matches ${*} against a star', () => {
    expect(holds({ StringLike: { 's3:prefix': 'a${*}b' } }, { 's3:prefix': 'a*b' })).toBe(true);
    expect(holds({ StringLike: { 's3:prefix': 'a${*}b' } }, { 's3:prefix': 'axb' })).toBe(false);
    expect(holds({ StringEquals: { 's3:prefix': '${$}{x}' } }, { 's3:prefix': '${x}' })).toBe(true);
  });

  it('reads `${…}` as text before the 2012-10-17 language', () => {
    expect(holds({ StringEquals: { 'aws:userid': '${aws:PrincipalAccount}' } }, context, '2008-10-17')).toBe(
      false,
    );
    expect(
      holds(
        { StringEquals: { 'aws:userid': '${aws:PrincipalAccount}' } },
        { 'aws:userid': '${aws:PrincipalAccount}' },
        '2008-10-17',
      ),
    ).toBe(true);
  });

  it('substitutes variables in a resource, and a resource whose variable has no value matches nothing', () => {
    const policy = (resource: string) =>
      parseStoredPolicy(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: resource }],
        }),
        POLICY_BUCKET,
      );
    const request = (context: Context) => ({
      action: 's3:ListBucket',
      resource: BUCKET_ARN,
      principalAccount: OTHER_ACCOUNT,
      context: new Map(Object.entries(context).map(([key, value]) => [asciiLower(key), [value as string]])),
    });
    expect(
      evaluateBucketPolicy(
        policy('arn:aws:s3:::amzn-s3-demo-${aws:username}'),
        request({ 'aws:username': 'bucket' }),
      ),
    ).toBe('allow');
    expect(evaluateBucketPolicy(policy('arn:aws:s3:::amzn-s3-demo-${aws:username}'), request({}))).toBe(
      'none',
    );
    expect(
      evaluateBucketPolicy(policy("arn:aws:s3:::amzn-s3-demo-${aws:username, 'bucket'}"), request({})),
    ).toBe('allow');
  });
});
