// The admin CLI against DynamoDB Local: accounts, keys, secrets shown once and sealed at rest,
// and a disabled key stops working within the credential cache TTL (1 s here).
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resetConfig } from '../../lib/config.ts';
import { run, UsageError } from '../../scripts/admin.ts';
import { localDynamoClient } from '../../scripts/local-stack.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import { errorCode, send } from '../helpers/invoke.ts';

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
    const accounts = await adminJson<{ accountId: string; name: string }[]>('account', 'list');
    expect(accounts).toContainEqual(expect.objectContaining({ accountId, name: 'team-a' }));
  });

  it('creates a key that signs requests, and shows its secret only at creation', async () => {
    const printed = await admin('key', 'create', '--account', accountId);
    expect(printed.join('\n')).toMatch(/secret access key {2}\S{40}/);
    key = await adminJson('key', 'create', '--account', accountId);
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const listed = (await admin('key', 'list', '--account', accountId)).join('\n');
    expect(listed).toContain(key.accessKeyId);
    expect(listed).not.toContain(key.secretAccessKey);
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
    [['key', 'create', '--account', '000000000000'], /no account/],
    [['key', 'disable'], /ACCESS_KEY_ID/],
    [['key', 'disable', 'AKIANOSUCHKEY0000000'], /no access key/],
    [['bucket', 'explode'], /unknown command/],
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
  });
});
