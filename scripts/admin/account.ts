// `account create`, `account list`: the accounts that own buckets and hold access keys (docs/accounts.md).
import { randomInt } from 'node:crypto';
import { type Command, UsageError } from './usage.ts';

// AWS's shape: 12 digits, the first not 0.
const newAccountId = () =>
  String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(0, 10)).join('');

export const accountCreate: Command = {
  words: 'account create',
  synopsis: '--name NAME',
  summary: 'create an account; prints its id',
  options: ['name'],
  async run({ options, out, target }) {
    const name = options.name?.trim();
    if (!name) throw new UsageError('account create needs --name NAME');
    const account = { accountId: newAccountId(), name, createdAt: new Date().toISOString() };
    if (!(await target().accounts.putAccount(account))) throw new Error('account id collision; try again');
    out.result(`created account ${account.accountId} (${name})`, account);
  },
};

export const accountList: Command = {
  words: 'account list',
  synopsis: '',
  summary: 'list accounts, oldest first',
  options: [],
  async run({ out, target }) {
    const accounts = (await target().accounts.listAccounts()).sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
    out.list({
      key: 'accounts',
      items: accounts,
      header: ['ACCOUNT ID', 'NAME', 'CREATED'],
      row: (account) => [account.accountId, account.name, account.createdAt],
      empty: '(no accounts)',
    });
  },
};
