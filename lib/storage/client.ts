// The DynamoDB client: created once per container, with explicit timeouts and retries sized to
// fit inside the Lambda timeout (serverless.yml). One call costs at most
// attempts × request timeout + backoff (3 × 1 s + ≤ 150 ms; throttling backs off longer, ≤ 3 s).
// A request may make more than one call, so the stack also gives each invocation a deadline
// (lib/request.ts): an attempt that could not finish before it is not started, and the request
// is answered 503 in S3 XML while the Lambda is still running.
//
// Where invocations share this client (Lambda Managed Instances, and the local gateway:
// scripts/offline-preload.ts), a request may wait for one of the pool's sockets (the SDK's 50), and
// smithy's connection timer runs from the moment the request is created: with 120 concurrent clients
// of the local stack, those waits turned 97% of requests into "did not establish a connection within
// 500 ms" 503s. A larger pool is no cure: 200 connections opened at once to DynamoDB Local overflow
// its accept queue and time out the same way. So there the connection gets the attempt's whole time;
// one invocation at a time (Lambda's standard model) never waits for a socket, and keeps 500 ms to
// tell an endpoint that accepts no connection.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.ts';
import { currentDeadline } from '../request.ts';

export type DynamoClientSettings = Pick<
  Config,
  'dynamodbEndpoint' | 'region' | 'dynamodbRequestTimeoutMs' | 'dynamodbMaxAttempts' | 'maxConcurrency'
>;

/** The error of an attempt not started for lack of time; not retryable, mapped to 503 by storageFailure. */
export const DEADLINE_EXCEEDED = 'StorageDeadlineExceeded';

export function createDynamoClient(settings: DynamoClientSettings): DynamoDBClient {
  const attemptTimeoutMs = settings.dynamodbRequestTimeoutMs;
  const client = new DynamoDBClient({
    region: settings.region,
    maxAttempts: settings.dynamodbMaxAttempts,
    requestHandler: {
      connectionTimeout: settings.maxConcurrency > 1 ? attemptTimeoutMs : Math.min(attemptTimeoutMs, 500),
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and a
      // DynamoDB that accepts connections but never answers holds the request until the Lambda dies.
      requestTimeout: attemptTimeoutMs,
      throwOnRequestTimeout: true,
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
  // Per attempt (finalizeRequest, after the retry middleware's `high` priority, so inside the retry
  // loop): start one only if it can end before the deadline.
  client.middlewareStack.add(
    (next) => async (args) => {
      const deadline = currentDeadline();
      if (deadline !== undefined && Date.now() + attemptTimeoutMs > deadline) {
        throw Object.assign(new Error('no time left for another DynamoDB attempt'), {
          name: DEADLINE_EXCEEDED,
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'storageDeadline' },
  );
  return client;
}
