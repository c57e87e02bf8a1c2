// The e2e project's setup: the run's DynamoDB Local (shared with the integration project when both
// run) and serverless-offline gateways on free ports, one per profile the e2e tests speak (aws, obs).
// Like DynamoDB Local, the gateways stop by themselves if vitest is interrupted before its teardown
// (their lifelines: scripts/local-stack.ts spawnChild).
import type { TestProject } from 'vitest/node';
import { type Stoppable, startOffline } from '../../scripts/local-stack.ts';
import { acquireDynamoDbLocal } from '../helpers/dynamodb-local.ts';

export default async function setup(project: TestProject) {
  const dynamo = await acquireDynamoDbLocal();
  // No port given: each picks a free one, and another if that one is taken before it listens.
  const gateways = await Promise.allSettled([
    startOffline({ dynamodbEndpoint: dynamo.endpoint }),
    startOffline({ dynamodbEndpoint: dynamo.endpoint, env: { S3_PROFILE: 'obs' } }),
  ]);
  const started: Stoppable[] = [];
  for (const gateway of gateways) if (gateway.status === 'fulfilled') started.push(gateway.value);
  const stop = async () => {
    for (const part of started.reverse()) await part.stop();
    await dynamo.release();
  };
  const failed = gateways.find((gateway) => gateway.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const [aws, obs] = gateways.map(
    (gateway) => (gateway as PromiseFulfilledResult<Stoppable & { endpoint: string }>).value,
  );
  if (!aws || !obs) throw new Error('gateways did not start');
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  project.provide('tableName', dynamo.tableName);
  project.provide('gateways', { aws: aws.endpoint, obs: obs.endpoint });
  return stop;
}
