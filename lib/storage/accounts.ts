// Accounts and their access keys: the identity items of the table.
// account: pk = ACCOUNT#<id>, sk = ACCOUNT; access key: pk = KEY#<access key id>, sk = KEY.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createAccessKeyReader, keyItemKey } from './access-keys.ts';
import { storageFailure } from './errors.ts';

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  accountId: string;
  /** The secret, sealed (lib/auth/secrets.ts): never stored in plaintext. */
  sealedSecret: string;
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
  /** Writes (or, with `overwrite`, replaces) an access key; false when the id is taken. */
  putAccessKey(key: AccessKeyRecord, options?: { overwrite?: boolean }): Promise<boolean>;
  /** Sets a key's status; false when there is no such key. */
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;
  /** Deletes a key; false when there was none. */
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  /** Every access key (admin listing: a scan), without secrets. */
  listAccessKeys(): Promise<Omit<AccessKeyRecord, 'sealedSecret'>[]>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;
  /** Writes (or, with `overwrite`, replaces) an account; false when the id is taken. */
  putAccount(account: AccountRecord, options?: { overwrite?: boolean }): Promise<boolean>;
  /** Every account (admin listing: a scan). */
  listAccounts(): Promise<AccountRecord[]>;
}

const statusOf = (item: Record<string, AttributeValue>): AccessKeyStatus =>
  item.status?.S === 'Active' ? 'Active' : 'Inactive';

export function createAccountStore(client: DynamoDBClient, tableName: string): AccountStore {
  /** Runs a conditional write; false when its condition failed. */
  async function conditional(operation: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw storageFailure(error, operation);
    }
  }

  async function scan(prefix: string): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': { S: prefix } },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw storageFailure(error, 'scan');
    }
    return items;
  }

  return {
    ...createAccessKeyReader(client, tableName),

    putAccessKey(key, options = {}) {
      return conditional('putAccessKey', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyItemKey(key.accessKeyId),
              accountId: { S: key.accountId },
              sealedSecret: { S: key.sealedSecret },
              status: { S: key.status },
              createdAt: { S: key.createdAt },
            },
            ...(options.overwrite ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        ),
      );
    },

    setAccessKeyStatus(accessKeyId, status) {
      return conditional('setAccessKeyStatus', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyItemKey(accessKeyId),
            UpdateExpression: 'SET #status = :status',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': { S: status } },
          }),
        ),
      );
    },

    deleteAccessKey(accessKeyId) {
      return conditional('deleteAccessKey', () =>
        client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: keyItemKey(accessKeyId),
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      );
    },

    async listAccessKeys() {
      return (await scan('KEY#')).map((item) => ({
        accessKeyId: (item.pk?.S ?? '').slice('KEY#'.length),
        accountId: item.accountId?.S ?? '',
        status: statusOf(item),
        createdAt: item.createdAt?.S ?? '',
      }));
    },

    async getAccount(accountId) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `ACCOUNT#${accountId}` }, sk: { S: 'ACCOUNT' } },
            ConsistentRead: true,
          }),
        );
        if (!Item) return undefined;
        return { accountId, name: Item.name?.S ?? '', createdAt: Item.createdAt?.S ?? '' };
      } catch (error) {
        throw storageFailure(error, 'getAccount');
      }
    },

    putAccount(account, options = {}) {
      return conditional('putAccount', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `ACCOUNT#${account.accountId}` },
              sk: { S: 'ACCOUNT' },
              name: { S: account.name },
              createdAt: { S: account.createdAt },
            },
            ...(options.overwrite ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        ),
      );
    },

    async listAccounts() {
      return (await scan('ACCOUNT#')).map((item) => ({
        accountId: (item.pk?.S ?? '').slice('ACCOUNT#'.length),
        name: item.name?.S ?? '',
        createdAt: item.createdAt?.S ?? '',
      }));
    },
  };
}
