// The DynamoDB client: created once per container, with explicit timeouts and retries sized to
// fit inside the Lambda timeout (serverless.yml): attempts × request timeout + backoff < timeout.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.ts';

export type DynamoClientSettings = Pick<
  Config,
  'dynamodbEndpoint' | 'region' | 'dynamodbRequestTimeoutMs' | 'dynamodbMaxAttempts'
>;

export function createDynamoClient(settings: DynamoClientSettings): DynamoDBClient {
  return new DynamoDBClient({
    region: settings.region,
    maxAttempts: settings.dynamodbMaxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(settings.dynamodbRequestTimeoutMs, 500),
      requestTimeout: settings.dynamodbRequestTimeoutMs,
    },
    ...(settings.dynamodbEndpoint
      ? {
          endpoint: settings.dynamodbEndpoint,
          // DynamoDB Local accepts any credentials; do not make local users configure AWS ones.
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'local',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'local',
          },
        }
      : {}),
  });
}
