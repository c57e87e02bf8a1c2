// The access-key lookup the Lambdas make (one GetItem of `KEY#<id>`), apart from the admin CLI's
// account and key management (accounts.ts): a Lambda bundle then holds the commands it sends and no
// other (no DeleteItem, no Scan), which test/e2e/package.test.ts compares with its role.
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AccessKeyRecord } from './accounts.ts';
import { storageFailure } from './errors.ts';

export interface AccessKeyReader {
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
}

export const keyItemKey = (accessKeyId: string) => ({ pk: { S: `KEY#${accessKeyId}` }, sk: { S: 'KEY' } });

export function createAccessKeyReader(client: DynamoDBClient, tableName: string): AccessKeyReader {
  return {
    async getAccessKey(accessKeyId) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: tableName, Key: keyItemKey(accessKeyId), ConsistentRead: true }),
        );
        if (!Item) return undefined;
        return {
          accessKeyId,
          accountId: Item.accountId?.S ?? '',
          sealedSecret: Item.sealedSecret?.S ?? '',
          status: Item.status?.S === 'Active' ? 'Active' : 'Inactive',
          createdAt: Item.createdAt?.S ?? '',
        };
      } catch (error) {
        throw storageFailure(error, 'getAccessKey');
      }
    },
  };
}
