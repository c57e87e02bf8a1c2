// One DynamoDB Local for the integration and e2e tests, on a free port, with the table and the
// local identity; plus serverless-offline gateways (aws and obs profiles) for the e2e tests.
import type { TestProject } from 'vitest/node';
import {
  DEFAULT_LOCAL_IDENTITY,
  ensureTable,
  freePort,
  LOCAL_TABLE_NAME,
  type Stoppable,
  seedIdentity,
  startDynamoDbLocal,
  startOffline,
} from '../../scripts/local-stack.ts';
import { SECOND_IDENTITY } from './identities.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
    gateways: { aws: string; obs: string };
  }
}

export default async function setup(project: TestProject) {
  const started: Stoppable[] = [];
  const dynamo = await startDynamoDbLocal();
  started.push(dynamo);
  await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
  await seedIdentity(dynamo.endpoint, LOCAL_TABLE_NAME, DEFAULT_LOCAL_IDENTITY);
  await seedIdentity(dynamo.endpoint, LOCAL_TABLE_NAME, SECOND_IDENTITY);
  const [awsPort, obsPort] = [await freePort(), await freePort()];
  const gateways = await Promise.allSettled([
    startOffline({ port: awsPort, dynamodbEndpoint: dynamo.endpoint }),
    startOffline({ port: obsPort, dynamodbEndpoint: dynamo.endpoint, env: { S3_PROFILE: 'obs' } }),
  ]);
  for (const gateway of gateways) if (gateway.status === 'fulfilled') started.push(gateway.value);
  const failed = gateways.find((gateway) => gateway.status === 'rejected');
  if (failed) {
    for (const part of started.reverse()) await part.stop();
    throw failed.reason;
  }
  const [aws, obs] = gateways.map(
    (gateway) => (gateway as PromiseFulfilledResult<Stoppable & { endpoint: string }>).value,
  );
  if (!aws || !obs) throw new Error('gateways did not start');
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  project.provide('tableName', LOCAL_TABLE_NAME);
  project.provide('gateways', { aws: aws.endpoint, obs: obs.endpoint });
  return async () => {
    for (const part of started.reverse()) await part.stop();
  };
}
