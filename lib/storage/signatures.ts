// The bodies V2/OBS signatures came with: pk = SIGNATURE#<id>, sk = SIGNATURE. V2 and OBS signatures
// do not cover the body unless the request signs a digest of it, so lib/auth/v2.ts records, per
// signature, when it was first used and the bodies it came with, and refuses a body it has not come with
// once the signature has been in use for a few seconds (docs/security.md "Replay"). The id is a hash:
// no signature is stored. An item lives as long as its signature can be used (the 15-minute window),
// then TTL removes it; the history's stream filter passes only bucket items, so these never reach it.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE } from './buckets.ts';
import { storageFailure } from './errors.ts';

/** A V2/OBS write's body, bound to its signature (lib/auth/v2.ts decides, this module stores). */
export interface BodyBindingRecord {
  /** Which signed request: SHA-256 of the scheme, the access key id and the signature. */
  signatureId: string;
  bodySha256: string;
  /** When this request was received (epoch ms, the service's clock). */
  seenAt: number;
  /** A body the signature has not come with is accepted only if its first use was after this (epoch ms). */
  otherBodiesSince: number;
  /** At most this many bodies per signature (a bound on the record). */
  maxBodies: number;
  /** Epoch seconds after which no request can carry the signature (its 15-minute window); TTL removes the item after. */
  expiresAt: number;
}

export interface SignatureStore {
  /**
   * Records that a signature came with this body: true when it is a body the signature already came
   * with, or the signature's first use is recent enough (`otherBodiesSince`) and it has room for
   * another; false otherwise, and nothing changes. One conditional UpdateItem.
   */
  bindBody(binding: BodyBindingRecord): Promise<boolean>;
}

export function createSignatureStore(client: DynamoDBClient, tableName: string): SignatureStore {
  return {
    async bindBody({ signatureId, bodySha256, seenAt, otherBodiesSince, maxBodies, expiresAt }) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: `SIGNATURE#${signatureId}` }, sk: { S: 'SIGNATURE' } },
            UpdateExpression:
              'SET firstSeenAt = if_not_exists(firstSeenAt, :seen), #ttl = :expires ADD bodies :bodies',
            ConditionExpression:
              'attribute_not_exists(pk) OR contains(bodies, :body) OR (firstSeenAt > :since AND size(bodies) < :max)',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':seen': { N: String(seenAt) },
              ':expires': { N: String(expiresAt) },
              ':bodies': { SS: [bodySha256] },
              ':body': { S: bodySha256 },
              ':since': { N: String(otherBodiesSince) },
              ':max': { N: String(maxBodies) },
            },
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
