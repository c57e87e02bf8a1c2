// The e2e project's setup: the run's DynamoDB Local (shared with the integration project when both
// run) and serverless-offline gateways on free ports, one per profile the e2e tests speak (aws, obs).
// The aws gateway's stdout (its Lambdas' log lines) is also written to a file the tests can read
// (`gatewayLog`): what a developer sees in `npm start`'s terminal.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Like DynamoDB Local, the gateways stop by themselves if vitest is interrupted before its teardown
// (their lifelines: scripts/local-stack.ts spawnChild).
import type { TestProject } from 'vitest/node';
import { type Stoppable, startOffline } from '../../scripts/local-stack.ts';
import { acquireDynamoDbLocal } from '../helpers/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file the aws gateway's stdout is appended to. */
    gatewayLog: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await acquireDynamoDbLocal();
  const logDir = mkdtempSync(join(tmpdir(), 'e2e-gateway-log-'));
  const gatewayLog = join(logDir, 'aws.log');
  // No port given: each picks a free one, and another if that one is taken before it listens.
  // A gateway that ends during the run fails every test after it with ECONNREFUSED; say when and how
  // it ended (once, in 41 failures of a run under two busy loops, nothing else said so).
  const died = (name: string) => (exited: string) =>
    console.error(
      `[e2e setup] the ${name} gateway ended during the run (${exited}) at ${new Date().toISOString()}`,
    );
  const gateways = await Promise.allSettled([
    startOffline({
      dynamodbEndpoint: dynamo.endpoint,
      onStdout: (chunk) => appendFileSync(gatewayLog, chunk),
      onExit: died('aws'),
    }),
    startOffline({ dynamodbEndpoint: dynamo.endpoint, env: { S3_PROFILE: 'obs' }, onExit: died('obs') }),
  ]);
  const started: Stoppable[] = [];
  for (const gateway of gateways) if (gateway.status === 'fulfilled') started.push(gateway.value);
  const stop = async () => {
    for (const part of started.reverse()) await part.stop();
    await dynamo.release();
    rmSync(logDir, { recursive: true, force: true });
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
  project.provide('gatewayLog', gatewayLog);
  return stop;
}
