// The one param table (lib/deploy-params.ts): serverless.yml's defaults, the README's table and the
// checks the packaging plugin runs agree with it. (test/e2e/package.test.ts packages the bad cases for
// real; here every rule and companion is checked quickly.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEPLOY_PARAMS,
  DYNAMODB_REQUEST_TIMEOUT_MAX_MS,
  defaultsProblems,
  paramProblems,
} from '../../lib/deploy-params.ts';
import { RESPONSE_MARGIN_MS } from '../../lib/http/stack.ts';
import { ROOT } from '../../scripts/local-stack.ts';
import { cliParams } from '../../scripts/validate-params.ts';

const TARGET = { service: 'bucket-encryption-api', stage: 'prod', region: 'us-east-1' };
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-4909-8807-060504030201';
const STREAM =
  'arn:aws:dynamodb:us-east-1:123456789012:table/bucket-encryption-api-prod/stream/2026-11-01T00:00:00.000';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** serverless.yml's `params:` block (plain scalars only), by stage. */
function serverlessParams(): Record<string, Record<string, string>> {
  const text = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
  const block = /^params:\n((?:(?: {2}.*)?\n)+)/m.exec(text)?.[1] ?? '';
  const stages: Record<string, Record<string, string>> = {};
  let stage = '';
  for (const line of block.split('\n')) {
    const stageLine = /^ {2}(\w+):\s*$/.exec(line);
    if (stageLine) {
      stage = stageLine[1] ?? '';
      stages[stage] = {};
    }
    const param = /^ {4}(\w+):\s*(.*?)\s*$/.exec(line);
    if (param && stage)
      stages[stage] = { ...stages[stage], [param[1] ?? '']: (param[2] ?? '').replace(/^'(.*)'$/, '$1') };
  }
  return stages;
}

/** README "Deploy it": the param table's rows, as `[name, default, doc]`. */
function readmeRows(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('| param | default | what it does |');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  return table
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(2, -2)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('the deploy param table', () => {
  it('returns serverless.yml params.default equal to the table, key for key', () => {
    const { default: defaults = {} } = serverlessParams();
    expect(defaults).toEqual(
      Object.fromEntries(Object.entries(DEPLOY_PARAMS).map(([name, row]) => [name, row.default])),
    );
    expect(defaultsProblems(defaults)).toEqual([]);
  });

  it('returns the README table with one row per param: its name, its default and its doc', () => {
    expect(readmeRows()).toEqual(
      Object.entries(DEPLOY_PARAMS).map(([name, row]) => [
        `\`${name}\``,
        row.default === '' ? 'empty' : `\`${row.default}\``,
        row.doc,
      ]),
    );
  });

  it('returns a problem for a default serverless.yml disagrees on, lacks, or has without a row', () => {
    const { default: defaults = {} } = serverlessParams();
    const { tracing: _tracing, ...withoutTracing } = defaults;
    expect(defaultsProblems({ ...withoutTracing, profile: 'obs', extra: 'x' })).toEqual([
      'serverless.yml params.default.profile is "obs" but lib/deploy-params.ts says "aws"',
      'serverless.yml params.default has no tracing (lib/deploy-params.ts: "false")',
      'serverless.yml params.default.extra has no row in lib/deploy-params.ts',
    ]);
  });
});

describe('dynamodbRequestTimeoutMs', () => {
  it("bounds an attempt so that a call's 3 attempts and backoff end 250 ms before the routes' shortest timeout", () => {
    const serverless = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
    const shortest = Math.min(
      ...[...serverless.matchAll(/^\s+timeout: (\d+)$/gm)].map((match) => Number(match[1])),
    );
    expect(shortest).toBe(6);
    // The margin the request deadline keeps (lib/http/stack.ts), not a copy of it: the bound follows it.
    const end = shortest * 1000 - RESPONSE_MARGIN_MS;
    expect(RESPONSE_MARGIN_MS).toBe(250);
    expect(3 * DYNAMODB_REQUEST_TIMEOUT_MAX_MS + 50 + 100).toBeLessThanOrEqual(end);
    expect(3 * (DYNAMODB_REQUEST_TIMEOUT_MAX_MS + 1) + 50 + 100).toBeGreaterThan(end);
  });
});

describe('paramProblems', () => {
  it.each([
    ['the defaults', {}],
    ['every profile', { profile: 'obs', unsetEncryption: 'not-found', obsDomain: 'example.org' }],
    [
      'a domain with its certificate and zone',
      { domainName: 's3.example.com', certificateArn: CERT, hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
    ],
    [
      'a redeploy onto the retained table',
      { adoptTable: 'true', tableStreamArn: STREAM, secretsKeyArn: KEY },
    ],
    ['a key alone (a new table sealed by an existing key)', { secretsKeyArn: KEY }],
    [
      'operations params',
      {
        alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops',
        tracing: 'true',
        accessLogRetentionDays: '365',
      },
    ],
    ['an e-mail for the alarms', { alarmEmail: 'ops@example.com' }],
    ['a log level in lower case', { logLevel: 'debug' }],
    ['a fractional rate', { throttlingRateLimit: '2.5', throttlingBurstLimit: '5' }],
    ['an event bus', { eventBus: 'audit' }],
    ['the longest DynamoDB attempt', { dynamodbRequestTimeoutMs: '1866' }],
  ])('returns no problem for %s', (_case, given) => {
    expect(paramProblems(given, TARGET)).toEqual([]);
  });

  it.each([
    [{ profile: 'minio' }, '--param profile must be one of aws, qstorage, obs (got "minio")'],
    [{ unsetEncryption: 'nope' }, '--param unsetEncryption must be one of default, not-found (got "nope")'],
    [{ historyRetentionDays: '0' }, '--param historyRetentionDays must be a positive integer (got "0")'],
    [{ historyRetentionDays: '1.5' }, '--param historyRetentionDays must be a positive integer (got "1.5")'],
    [{ adoptTable: 'False' }, '--param adoptTable must be true or false (got "False")'],
    [{ deletionProtection: 'yes' }, '--param deletionProtection must be true or false (got "yes")'],
    [{ tracing: '1' }, '--param tracing must be true or false (got "1")'],
    [{ throttlingRateLimit: '-1' }, '--param throttlingRateLimit must be a positive number (got "-1")'],
    [
      { dynamodbRequestTimeoutMs: '1867' },
      '--param dynamodbRequestTimeoutMs must be a positive integer up to 1866 (got "1867")',
    ],
    [
      { dynamodbRequestTimeoutMs: '100000' },
      '--param dynamodbRequestTimeoutMs must be a positive integer up to 1866 (got "100000")',
    ],
    [
      { logLevel: 'LOUD' },
      '--param logLevel must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT (got "LOUD")',
    ],
    [
      { domainName: 'https://s3.example.com' },
      expect.stringMatching(/^--param domainName must be a domain name/),
    ],
    [
      { hostedZoneId: 'zone' },
      expect.stringMatching(/^--param hostedZoneId must be a Route 53 hosted zone id/),
    ],
    [{ eventBus: 'a bus' }, expect.stringMatching(/^--param eventBus must be an EventBridge bus name/)],
    [{ alarmEmail: 'ops' }, '--param alarmEmail must be an e-mail address (got "ops")'],
    [
      { secretsKeyArn: 'alias/secrets' },
      expect.stringMatching(/^--param secretsKeyArn must be a KMS key ARN/),
    ],
    [{ profil: 'obs' }, '--param profil is not a param of this service: did you mean profile?'],
    [
      { tableName: 'x' },
      expect.stringMatching(/^--param tableName is not a param of this service: the params are profile, /),
    ],
    [
      { domainName: 's3.example.com' },
      "--param certificateArn is needed with domainName: an ACM certificate in the stack's region covering domainName and *.domainName",
    ],
    [{ certificateArn: CERT }, expect.stringMatching(/^--param certificateArn is used only with domainName/)],
    [
      { hostedZoneId: 'Z0123456789' },
      expect.stringMatching(/^--param hostedZoneId is used only with domainName/),
    ],
    [
      { domainName: 's3.example.com', certificateArn: CERT.replace('us-east-1', 'eu-west-1') },
      "--param certificateArn must be a certificate in us-east-1, the stack's region (got one in eu-west-1)",
    ],
    [
      { adoptTable: 'true', secretsKeyArn: KEY },
      expect.stringMatching(/^--param tableStreamArn is needed with adoptTable=true/),
    ],
    [
      { adoptTable: 'true', tableStreamArn: STREAM },
      expect.stringMatching(/^--param secretsKeyArn is needed with adoptTable=true/),
    ],
    [
      { tableStreamArn: STREAM },
      expect.stringMatching(/^--param tableStreamArn is used only with adoptTable=true/),
    ],
    [
      { adoptTable: 'true', secretsKeyArn: KEY, tableStreamArn: STREAM.replace('-prod/', '-dev/') },
      '--param tableStreamArn must be a stream of the table bucket-encryption-api-prod, the one this stage adopts (got table bucket-encryption-api-dev)',
    ],
    [
      { secretsKeyArn: KEY.replace('us-east-1', 'eu-west-1') },
      "--param secretsKeyArn must be a key in us-east-1, the stack's region (got eu-west-1)",
    ],
    [
      { alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops', alarmEmail: 'ops@example.com' },
      expect.stringMatching(/^--param alarmTopicArn and alarmEmail exclude each other/),
    ],
  ])('returns exactly one problem for %j: %s', (given, problem) => {
    expect(paramProblems(given, TARGET)).toEqual([problem]);
  });

  it('returns a problem for a serverless.yml stage section naming an unknown param, and uses its values', () => {
    expect(paramProblems({}, TARGET, { deletionProtecion: false })).toEqual([
      'serverless.yml params.prod: deletionProtecion is not a param of this service: did you mean deletionProtection?',
    ]);
    expect(paramProblems({}, TARGET, { deletionProtection: 'False' })).toEqual([
      '--param deletionProtection must be true or false (got "False")',
    ]);
    expect(paramProblems({}, TARGET, { deletionProtection: false })).toEqual([]);
  });

  it('returns a --param over the stage section, as osls resolves them', () => {
    expect(paramProblems({ deletionProtection: 'true' }, TARGET, { deletionProtection: 'nope' })).toEqual([]);
  });
});

describe('cliParams', () => {
  it('returns --param values by name as osls reads them (the first = splits, trailing space trimmed)', () => {
    expect(cliParams(['profile=obs', 'eventBus=a=b ', 'empty='])).toEqual({
      profile: 'obs',
      eventBus: 'a=b',
    });
  });
});
