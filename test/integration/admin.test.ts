// The admin CLI against DynamoDB Local: accounts, keys, secrets shown once and sealed at rest, a
// disabled key stops working within the credential cache TTL (1 s here); its usage, its output (one
// JSON document per command, tables with headers), and its one-line failures against AWS.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resetConfig } from '../../lib/config.ts';
import { run, UsageError } from '../../scripts/admin.ts';
import { freePort, localDynamoClient } from '../../scripts/local-stack.ts';
import { runAdminProcess } from '../helpers/admin-cli.ts';
import { OWNER, uniqueBucket } from '../helpers/identities.ts';
import { errorCode, send } from '../helpers/invoke.ts';
import {
  JsonProtocolError,
  type JsonProtocolServer,
  startJsonProtocolServer,
} from '../helpers/json-protocol.ts';

const env = () => ({ DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'), TABLE_NAME: inject('tableName') });

async function admin(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await run(argv, env(), (line) => lines.push(line));
  return lines;
}
const adminJson = async <T>(...argv: string[]): Promise<T> =>
  JSON.parse((await admin(...argv, '--json')).join('\n')) as T;

beforeAll(() => {
  process.env.CREDENTIAL_CACHE_TTL_SECONDS = '1';
  resetConfig();
});

describe('admin CLI', () => {
  let accountId: string;
  let key: { accessKeyId: string; secretAccessKey: string };

  it('creates an account and lists it', async () => {
    ({ accountId } = await adminJson<{ accountId: string }>('account', 'create', '--name', 'team-a'));
    expect(accountId).toMatch(/^[1-9]\d{11}$/);
    const { accounts } = await adminJson<{ accounts: { accountId: string; name: string }[] }>(
      'account',
      'list',
    );
    expect(accounts).toContainEqual(expect.objectContaining({ accountId, name: 'team-a' }));
    const table = await admin('account', 'list');
    expect(table[0]).toMatch(/^ACCOUNT ID +NAME +CREATED$/);
    expect(table).toContainEqual(expect.stringMatching(new RegExp(`^${accountId} +team-a +\\d{4}-`)));
  });

  it('creates a key that signs requests, and shows its secret only at creation', async () => {
    const printed = await admin('key', 'create', '--account', accountId);
    expect(printed.join('\n')).toMatch(/secret access key {2}\S{40}/);
    key = await adminJson('key', 'create', '--account', accountId);
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const listed = await admin('key', 'list', '--account', accountId);
    expect(listed[0]).toMatch(/^ACCESS KEY ID +ACCOUNT +STATUS +CREATED$/);
    expect(listed).toContainEqual(
      expect.stringMatching(new RegExp(`^${key.accessKeyId} +${accountId} \\(team-a\\) +Active +`)),
    );
    expect(listed.join('\n')).not.toContain(key.secretAccessKey);
    const { accessKeys } = await adminJson<{ accessKeys: Record<string, unknown>[] }>(
      'key',
      'list',
      '--account',
      accountId,
    );
    expect(accessKeys).toHaveLength(2);
    expect(accessKeys).toContainEqual({
      accessKeyId: key.accessKeyId,
      accountId,
      accountName: 'team-a',
      status: 'Active',
      createdAt: expect.any(String),
    });
    const created = await send({ method: 'PUT', path: `/${uniqueBucket('adm')}`, identity: key });
    expect(created.statusCode).toBe(200);
  });

  it('stores the secret sealed, never in plaintext', async () => {
    const client = localDynamoClient(inject('dynamodbEndpoint'));
    const { Items = [] } = await client.send(new ScanCommand({ TableName: inject('tableName') }));
    client.destroy();
    const item = Items.find((entry) => entry.pk?.S === `KEY#${key.accessKeyId}`);
    expect(item?.sealedSecret?.S).toMatch(/^local:v1:/);
    expect(JSON.stringify(Items)).not.toContain(key.secretAccessKey);
  });

  it('stops a disabled key within the cache TTL and lets it work again once enabled', async () => {
    expect((await send({ method: 'GET', path: '/', identity: key })).statusCode).toBe(200);
    await admin('key', 'disable', key.accessKeyId);
    await new Promise((done) => setTimeout(done, 1_100));
    const refused = await send({ method: 'GET', path: '/', identity: key });
    expect(errorCode(refused)).toBe('InvalidAccessKeyId');
    await admin('key', 'enable', key.accessKeyId);
    await new Promise((done) => setTimeout(done, 2_100)); // past the brief negative cache
    expect((await send({ method: 'GET', path: '/', identity: key })).statusCode).toBe(200);
  });

  it('deletes a key for good', async () => {
    await admin('key', 'delete', key.accessKeyId);
    await new Promise((done) => setTimeout(done, 1_100));
    expect(errorCode(await send({ method: 'GET', path: '/', identity: key }))).toBe('InvalidAccessKeyId');
  });

  it.each([
    [['account', 'create'], /--name/],
    [['key', 'create'], /--account/],
    [
      ['key', 'create', '--account', '000000000000'],
      /^no account 000000000000 \(see: npm run admin -- account list\)$/,
    ],
    [['key', 'create', '--account', 'abc'], /^--account must be a 12-digit account id \(got "abc"\)/],
    [['key', 'list', '--account', '1'], /^--account must be a 12-digit account id/],
    [['key', 'disable'], /ACCESS_KEY_ID/],
    [['key', 'disable', 'AKIANOSUCHKEY0000000'], /no access key/],
    [['bucket', 'explode'], /unknown command/],
    [['key', 'explode'], /unknown command "key explode"/],
    [['key', 'list', '--name', 'x'], /key list does not take --name/],
    [['account', 'list', 'extra', '--since', 'x'], /does not take --since/],
  ])('refuses %j with a clear message', async (argv, message) => {
    const error = await admin(...argv).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses to guess a target', async () => {
    const error = await run(
      ['account', 'list'],
      { LOCAL_STATE_FILE: '/nonexistent/stack.json' },
      () => {},
    ).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toMatch(/npm start|--endpoint|--stage/);
    // It names the file it looked in, and the variable that points at another stack's.
    expect((error as Error).message).toMatch(
      /^no target: no running stack in \/nonexistent\/stack\.json \(.*LOCAL_STATE_FILE/,
    );
  });

  it('names the missing table when given an endpoint alone', async () => {
    const error = await run(['account', 'list', '--endpoint', 'http://127.0.0.1:1'], {}, () => {}).catch(
      (thrown: unknown) => thrown,
    );
    expect((error as Error).message).toMatch(/^no target: http:\/\/127\.0\.0\.1:1 needs --table NAME/);
  });
});

describe('admin CLI usage', () => {
  it.each([
    [['--help'], /^usage: npm run admin -- <command> /, /history replay/],
    [[], /^usage: npm run admin -- <command> /, /key disable ACCESS_KEY_ID/],
    [['key'], /^usage: npm run admin -- key <command> /, /key create --account ID/],
    [['key', '--help'], /^usage: npm run admin -- key <command> /, /key delete ACCESS_KEY_ID/],
    [['key', 'create', '--help'], /^usage: npm run admin -- key create --account ID\n/, /--account ID/],
    [['history', '--help'], /^usage: npm run admin -- history BUCKET /, /--owner ID +only the lives/],
    [['history', 'replay', '--help'], /^usage: npm run admin -- history replay /, /--queue URL/],
  ])('prints the usage for %j', async (argv, first, also) => {
    const printed = (await admin(...argv)).join('\n');
    expect(printed).toMatch(first);
    expect(printed).toMatch(also);
  });

  it("prints one command's usage, not every command's", async () => {
    const printed = (await admin('history', '--help')).join('\n');
    expect(printed).not.toContain('key create');
    expect(printed).toContain('--account ID');
  });
});

// The admin CLI against AWS (`--stage`): each failure is one line on stderr that says which, exit
// status 1, no stack trace — run as a process of its own with nothing but what each case gives it.
describe('admin CLI against a stage that fails', () => {
  let home: string;
  let denying: JsonProtocolServer;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'admin-home-')); // no ~/.aws
    // DynamoDB answering AccessDeniedException in its JSON 1.0 protocol, as IAM's refusal reads.
    denying = await startJsonProtocolServer({
      targetPrefix: 'DynamoDB_20120810',
      jsonVersion: '1.0',
      serve(operation) {
        throw new JsonProtocolError(
          400,
          'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
          `User: arn:aws:iam::123456789012:user/operator is not authorized to perform: dynamodb:${operation} on resource: arn:aws:dynamodb:us-east-1:123456789012:table/bucket-encryption-api-prod because no identity-based policy allows the dynamodb:${operation} action`,
        );
      },
    });
  });
  afterAll(async () => {
    await denying?.stop();
  });

  const credentials = { AWS_ACCESS_KEY_ID: 'AKIAOPERATOR00000000', AWS_SECRET_ACCESS_KEY: 'operator-secret' };

  it.each([
    ['no credentials', () => ({}), /^error: no AWS credentials for DynamoDB .*AWS_PROFILE/],
    [
      'a stage not deployed (no such table)',
      () => ({ ...credentials, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint') }),
      /^error: table bucket-encryption-api-prod not found in eu-west-1: is stage "prod" deployed in that region\?/,
    ],
    [
      'an unreachable endpoint',
      async () => ({ ...credentials, AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await freePort()}` }),
      /^error: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED/,
    ],
    [
      'access denied',
      () => ({ ...credentials, AWS_ENDPOINT_URL_DYNAMODB: denying.url }),
      /^error: access denied by DynamoDB: User: arn:aws:iam::123456789012:user\/operator is not authorized to perform: dynamodb:(Scan|GetItem) /,
    ],
  ])('says %s in one line, exit status 1', async (_, environment, message) => {
    const env = { HOME: home, ...(await environment()) };
    // A list (Scan), and a history with --json (GetItem, Query): nothing on stdout, not half a document.
    for (const command of [
      ['account', 'list'],
      ['history', 'demo', '--json'],
    ]) {
      const result = await runAdminProcess(['--stage', 'prod', '--region', 'eu-west-1', ...command], env);
      expect(result).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(message) });
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+|"stack"|internal error/i);
    }
  });

  it("names KMS when sealing a new key's secret fails, and writes no key", async () => {
    // Stage `dev` is the test table (bucket-encryption-api-dev); its KMS cannot be reached.
    const kms = `http://127.0.0.1:${await freePort()}`;
    const env = {
      HOME: home,
      ...credentials,
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
      AWS_ENDPOINT_URL_KMS: kms,
    };
    const keysBefore = (await adminJson<{ accessKeys: unknown[] }>('key', 'list')).accessKeys.length;
    const result = await runAdminProcess(
      ['--stage', 'dev', 'key', 'create', '--account', OWNER.accountId],
      env,
    );
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: cannot reach KMS at ${kms} (ECONNREFUSED ${kms.slice('http://'.length)})\n`,
    });
    expect((await adminJson<{ accessKeys: unknown[] }>('key', 'list')).accessKeys).toHaveLength(keysBefore);
  });

  it('refuses a bad option with status 2 and one line', async () => {
    const result = await runAdminProcess(['key', 'list', '--since', 'x'], { HOME: home });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: key list does not take --since (see: npm run admin -- key list --help)\n',
    });
  });
});
