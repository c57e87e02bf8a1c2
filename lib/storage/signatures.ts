// Bodies bound to the V2/OBS signatures they first came with: signature pk = SIGNATURE#<id>,
// sk = SIGNATURE. V2 and OBS signatures do not cover the body unless the request signs a digest of it,
// so the first body a signature arrives with is recorded, and the same signature with any other body is
// refused until it expires (docs/security.md "Replay"). The id is a hash: no signature is stored.
// An item lives as long as its signature can be used (the 15-minute window), then TTL removes it; the
// history's stream filter passes only bucket items, so these never reach it.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE } from './buckets.ts';
import { storageFailure } from './errors.ts';

export interface SignatureStore {
  /**
   * Records that the signature `signatureId` came with the body whose SHA-256 is `bodySha256`, until
   * `expiresAt` (epoch seconds): true when it is the signature's first body or the same one again,
   * false when the signature already came with another body. One conditional PutItem.
   */
  bindBody(signatureId: string, bodySha256: string, expiresAt: number): Promise<boolean>;
}

export function createSignatureStore(client: DynamoDBClient, tableName: string): SignatureStore {
  return {
    async bindBody(signatureId, bodySha256, expiresAt) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `SIGNATURE#${signatureId}` },
              sk: { S: 'SIGNATURE' },
              bodySha256: { S: bodySha256 },
              [TTL_ATTRIBUTE]: { N: String(expiresAt) },
            },
            // The same body again (a client's retry of the request it signed) rewrites the same item.
            ConditionExpression: 'attribute_not_exists(pk) OR bodySha256 = :body',
            ExpressionAttributeValues: { ':body': { S: bodySha256 } },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw storageFailure(error, 'bindBody');
      }
    },
  };
}
