// `key create|list|disable|enable|delete`: access keys. A secret is shown once, at creation, and
// stored sealed (lib/auth/secrets.ts); a disabled or deleted key stops working within the credential
// cache's TTL (60 s).
import { randomBytes, randomInt } from 'node:crypto';
import type { AccessKeyStatus } from '../../lib/storage/accounts.ts';
import { accountNames, withName } from './output.ts';
import { accountIdOption, type Command, type CommandContext, UsageError } from './usage.ts';

// AWS's shapes: AKIA + 16 base-32 characters, 40-character secrets.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const newAccessKeyId = () => `AKIA${Array.from({ length: 16 }, () => BASE32[randomInt(0, 32)]).join('')}`;
const newSecret = () => randomBytes(30).toString('base64');

export const keyCreate: Command = {
  words: 'key create',
  synopsis: '--account ID',
  summary: 'create an access key for an account; prints the secret once',
  options: ['account'],
  async run({ options, out, target }) {
    const accountId = accountIdOption('account', options.account);
    if (!accountId) throw new UsageError('key create needs --account ID');
    const { accounts, cipher } = target();
    const account = await accounts.getAccount(accountId);
    if (!account) throw new UsageError(`no account ${accountId} (see: npm run admin -- account list)`);
    const accessKeyId = newAccessKeyId();
    const secretAccessKey = newSecret();
    const created = await accounts.putAccessKey({
      accessKeyId,
      accountId,
      sealedSecret: await cipher.seal(secretAccessKey, accessKeyId),
      status: 'Active',
      createdAt: new Date().toISOString(),
    });
    if (!created) throw new Error('access key id collision; try again');
    out.result(
      [
        `created access key for account ${withName(accountId, account.name)}`,
        `  access key id      ${accessKeyId}`,
        `  secret access key  ${secretAccessKey}`,
        'The secret is shown only now.',
      ],
      { accessKeyId, secretAccessKey, accountId, accountName: account.name },
    );
  },
};

export const keyList: Command = {
  words: 'key list',
  synopsis: '[--account ID]',
  summary: "list access keys, oldest first (never secrets); --account: one account's",
  options: ['account'],
  async run({ options, out, target }) {
    const account = accountIdOption('account', options.account);
    const { accounts } = target();
    const keys = (await accounts.listAccessKeys())
      .filter((key) => account === undefined || key.accountId === account)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const nameOf = accountNames(accounts);
    const named = await Promise.all(
      keys.map(async (key) => ({ ...key, accountName: (await nameOf(key.accountId)) ?? null })),
    );
    out.list({
      key: 'accessKeys',
      items: named,
      header: ['ACCESS KEY ID', 'ACCOUNT', 'STATUS', 'CREATED'],
      row: (key) => [
        key.accessKeyId,
        withName(key.accountId, key.accountName ?? undefined),
        key.status,
        key.createdAt,
      ],
      empty: '(no keys)',
    });
  },
};

async function setStatus(context: CommandContext, status: AccessKeyStatus): Promise<void> {
  const [accessKeyId] = context.args;
  if (!accessKeyId)
    throw new UsageError(`key ${status === 'Active' ? 'enable' : 'disable'} needs ACCESS_KEY_ID`);
  if (!(await context.target().accounts.setAccessKeyStatus(accessKeyId, status)))
    throw new UsageError(`no access key ${accessKeyId}`);
  context.out.result(
    `access key ${accessKeyId} is now ${status}${status === 'Inactive' ? ' (cached credentials expire within 60 s)' : ''}`,
    { accessKeyId, status },
  );
}

export const keyDisable: Command = {
  words: 'key disable',
  synopsis: 'ACCESS_KEY_ID',
  summary: 'stop a key from working (within the credential cache TTL, 60 s)',
  options: [],
  run: (context) => setStatus(context, 'Inactive'),
};

export const keyEnable: Command = {
  words: 'key enable',
  synopsis: 'ACCESS_KEY_ID',
  summary: 'let a disabled key work again',
  options: [],
  run: (context) => setStatus(context, 'Active'),
};

export const keyDelete: Command = {
  words: 'key delete',
  synopsis: 'ACCESS_KEY_ID',
  summary: 'delete a key for good',
  options: [],
  async run({ args, out, target }) {
    const [accessKeyId] = args;
    if (!accessKeyId) throw new UsageError('key delete needs ACCESS_KEY_ID');
    if (!(await target().accounts.deleteAccessKey(accessKeyId)))
      throw new UsageError(`no access key ${accessKeyId}`);
    out.result(`deleted access key ${accessKeyId}`, { accessKeyId, deleted: true });
  },
};
