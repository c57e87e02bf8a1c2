// Accounts and their access keys: the identity items of the table.
// account: pk = ACCOUNT#<id>, sk = ACCOUNT; access key: pk = KEY#<access key id>, sk = KEY.
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { storageFailure } from './errors.ts';

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  accountId: string;
  secretAccessKey: string;
  status: AccessKeyStatus;
  createdAt: string;
}

export interface AccountRecord {
  accountId: string;
  name: string;
  createdAt: string;
}

export interface AccountStore {
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Writes (or overwrites) an access key. */
  putAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;
  putAccount(account: AccountRecord): Promise<void>;
}

export function createAccountStore(client: DynamoDBClient, tableName: string): AccountStore {
  return {
    async getAccessKey(accessKeyId) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `KEY#${accessKeyId}` }, sk: { S: 'KEY' } },
            ConsistentRead: true,
          }),
        );
        if (!Item) return undefined;
        return {
          accessKeyId,
          accountId: Item.accountId?.S ?? '',
          secretAccessKey: Item.secretAccessKey?.S ?? '',
          status: Item.status?.S === 'Active' ? 'Active' : 'Inactive',
          createdAt: Item.createdAt?.S ?? '',
        };
      } catch (error) {
        throw storageFailure(error, 'getAccessKey');
      }
    },

    async putAccessKey(key) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `KEY#${key.accessKeyId}` },
              sk: { S: 'KEY' },
              accountId: { S: key.accountId },
              secretAccessKey: { S: key.secretAccessKey },
              status: { S: key.status },
              createdAt: { S: key.createdAt },
            },
          }),
        );
      } catch (error) {
        throw storageFailure(error, 'putAccessKey');
      }
    },

    async getAccount(accountId) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `ACCOUNT#${accountId}` }, sk: { S: 'ACCOUNT' } },
          }),
        );
        if (!Item) return undefined;
        return { accountId, name: Item.name?.S ?? '', createdAt: Item.createdAt?.S ?? '' };
      } catch (error) {
        throw storageFailure(error, 'getAccount');
      }
    },

    async putAccount(account) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `ACCOUNT#${account.accountId}` },
              sk: { S: 'ACCOUNT' },
              name: { S: account.name },
              createdAt: { S: account.createdAt },
            },
          }),
        );
      } catch (error) {
        throw storageFailure(error, 'putAccount');
      }
    },
  };
}
