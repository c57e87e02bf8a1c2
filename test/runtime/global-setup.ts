// The runtime tests' world: `serverless package --stage prod` (once per vendor profile, in parallel),
// each function's zip extracted to a task root outside the repository (so nothing but the zip can be
// imported: no node_modules, no runtime SDK), the Lambda environment read from the packaged
// CloudFormation template, a DynamoDB Local holding the table that template names, and a KMS endpoint
// standing in for the stack's SecretsKey; and AWS's runtime interface client, built once per machine
// (runtime-interface-client.ts: it is not an npm dependency of the project).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readZip } from '../../bench/lib/zip.ts';
import {
  ensureTable,
  exitWhenOrphaned,
  type Stoppable,
  startDynamoDbLocal,
} from '../../scripts/local-stack.ts';
import { startKmsEndpoint } from '../helpers/kms-endpoint.ts';
import { packageService } from '../helpers/serverless-package.ts';
import { created, type Json, lambdaEnvironments } from '../helpers/template.ts';
import type { FunctionSpec } from './lambda.ts';
import { runtimeInterfaceClient } from './runtime-interface-client.ts';

export const REGION = 'us-east-1';
/** The custom domain the packages are made for (virtual-hosted addressing: `{bucket}.s3.example.test`). */
export const DOMAIN = 's3.example.test';
const PROFILES = ['aws', 'obs'] as const;
export type Profile = (typeof PROFILES)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: {
      functions: Record<Profile, FunctionSpec[]>;
      dynamodbEndpoint: string;
      kmsEndpoint: string;
      kmsKeyArn: string;
      tableName: string;
      /** aws-lambda-ric's index.mjs (installed outside the repository, see runtime-interface-client.ts). */
      runtimeInterfaceClient: string;
    };
  }
}

/** A template value as CloudFormation would resolve it, for the few intrinsics the environment uses. */
function resolve(value: Json, kmsKeyArn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const json = JSON.stringify(value);
  // SecretsKey is the stack's KMS key: here, the key of the KMS endpoint.
  if (json === JSON.stringify({ 'Fn::GetAtt': ['SecretsKey', 'Arn'] })) return kmsKeyArn;
  throw new Error(`the runtime tests cannot resolve ${json} in a Lambda environment`);
}

export default async function setup(project: TestProject) {
  // `npm test` interrupted: vitest ends when orphaned, its children through their lifelines.
  exitWhenOrphaned();
  const workDir = mkdtempSync(join(tmpdir(), 'runtime-test-'));
  const started: Stoppable[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const [ric, dynamo, kms, ...packages] = await Promise.all([
      runtimeInterfaceClient(),
      startDynamoDbLocal(),
      startKmsEndpoint(REGION),
      ...PROFILES.map((profile) =>
        packageService(workDir, 'prod', {
          name: `prod-${profile}`,
          params: {
            profile,
            domainName: DOMAIN,
            certificateArn:
              'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
          },
        }),
      ),
    ]);
    started.push(dynamo, kms);
    const functions = {} as Record<Profile, FunctionSpec[]>;
    let tableName = '';
    for (const [index, profile] of PROFILES.entries()) {
      const packaged = packages[index];
      if (!packaged) throw new Error(`no package for ${profile}`);
      const environments = lambdaEnvironments(packaged.template);
      functions[profile] = Object.entries(created(packaged.template))
        .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
        .map(([logicalId, resource]) => {
          const name = logicalId.replace(/LambdaFunction$/, '').toLowerCase();
          const taskRoot = join(workDir, `task-${profile}-${name}`);
          for (const entry of readZip(readFileSync(join(packaged.dir, `${name}.zip`)))) {
            mkdirSync(dirname(join(taskRoot, entry.name)), { recursive: true });
            writeFileSync(join(taskRoot, entry.name), entry.data);
          }
          const environment = Object.fromEntries(
            Object.entries(environments[logicalId] ?? {}).map(([variable, value]) => [
              variable,
              resolve(value, kms.keyArn),
            ]),
          );
          tableName = environment.TABLE_NAME ?? tableName;
          return {
            name,
            handler: String(resource.Properties.Handler),
            taskRoot,
            timeoutSeconds: Number(resource.Properties.Timeout),
            memoryMb: Number(resource.Properties.MemorySize),
            environment,
          };
        });
    }
    await ensureTable(dynamo.endpoint, tableName);
    project.provide('runtime', {
      functions,
      dynamodbEndpoint: dynamo.endpoint,
      kmsEndpoint: kms.url,
      kmsKeyArn: kms.keyArn,
      tableName,
      runtimeInterfaceClient: ric,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
