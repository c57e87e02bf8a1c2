// The integration project's setup: the run's DynamoDB Local (dynamodb-local.ts), nothing else.
import type { TestProject } from 'vitest/node';
import { acquireDynamoDbLocal } from './dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
    /** The serverless-offline gateways; only the e2e project starts them (test/e2e/global-setup.ts). */
    gateways: { aws: string; obs: string };
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await acquireDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  project.provide('tableName', dynamo.tableName);
  return dynamo.release;
}
