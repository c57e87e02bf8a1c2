// `npm start`: the whole service on this machine. Starts DynamoDB Local (in memory, or
// `--persist DIR` / LOCAL_PERSIST_DIR to keep data), or uses DYNAMODB_ENDPOINT when set; creates the
// table from the definition serverless.yml deploys; seeds a local account and access key; starts
// serverless-offline on 127.0.0.1; prints what a user needs. Ctrl-C or SIGTERM stops everything.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_STATE_FILE } from './admin.ts';
import { startHistoryStream } from './history-stream.ts';
import {
  DEFAULT_LOCAL_IDENTITY,
  ensureTable,
  LOCAL_REGION,
  LOCAL_TABLE_NAME,
  type Stoppable,
  seedIdentity,
  startDynamoDbLocal,
  startOffline,
} from './local-stack.ts';

const { values } = parseArgs({
  options: { persist: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(`usage: npm start [-- --persist DIR]

environment (defaults in brackets):
  PORT                      gateway port [3000]
  LOCAL_ACCESS_KEY_ID       seeded access key id [${DEFAULT_LOCAL_IDENTITY.accessKeyId}]
  LOCAL_SECRET_ACCESS_KEY   its secret [${DEFAULT_LOCAL_IDENTITY.secretAccessKey}]
  LOCAL_PERSIST_DIR         keep DynamoDB Local's data in this directory [in memory]
  DYNAMODB_ENDPOINT         use this DynamoDB instead of starting DynamoDB Local
  LOCAL_STATE_FILE          where \`npm run admin\` finds this stack [.local/stack.json]
  S3_PROFILE                aws | qstorage | obs [aws]
  S3_UNSET_ENCRYPTION       default | not-found [default]`);
  process.exit(0);
}

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a TCP port number (got "${process.env.PORT}")`);
  process.exit(2);
}
const identity = {
  ...DEFAULT_LOCAL_IDENTITY,
  accessKeyId: process.env.LOCAL_ACCESS_KEY_ID || DEFAULT_LOCAL_IDENTITY.accessKeyId,
  secretAccessKey: process.env.LOCAL_SECRET_ACCESS_KEY || DEFAULT_LOCAL_IDENTITY.secretAccessKey,
};
const persistDir = values.persist ?? process.env.LOCAL_PERSIST_DIR;
// Where `npm run admin` finds this stack; LOCAL_STATE_FILE as admin.ts reads it (a second stack, or a
// test, must not overwrite or delete the state file of the one a developer is running).
const stateFile = process.env.LOCAL_STATE_FILE || LOCAL_STATE_FILE;

const started: Stoppable[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const part of started.reverse()) await part.stop().catch(() => {});
    rmSync(stateFile, { force: true });
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  let dynamodbEndpoint = process.env.DYNAMODB_ENDPOINT;
  if (dynamodbEndpoint) {
    console.log(`Using DynamoDB at ${dynamodbEndpoint}`);
  } else {
    console.log(`Starting DynamoDB Local (${persistDir ? `data in ${persistDir}` : 'in memory'})…`);
    const dynamo = await startDynamoDbLocal(persistDir ? { persistDir } : {});
    started.push(dynamo);
    dynamodbEndpoint = dynamo.endpoint;
  }
  await ensureTable(dynamodbEndpoint, LOCAL_TABLE_NAME);
  await seedIdentity(dynamodbEndpoint, LOCAL_TABLE_NAME, identity);
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ dynamodbEndpoint, tableName: LOCAL_TABLE_NAME }));

  // The stream Lambda's local stand-in: changes reach `npm run admin -- history` (docs/history.md).
  started.push(
    await startHistoryStream({
      endpoint: dynamodbEndpoint,
      tableName: LOCAL_TABLE_NAME,
      onError: console.error,
    }),
  );
  console.log('Starting serverless-offline…');
  const gateway = await startOffline({ port, dynamodbEndpoint, stdio: 'inherit' });
  started.push(gateway);

  const endpoint = `http://localhost:${port}`;
  console.log(`
bucket-encryption-api is running (profile ${process.env.S3_PROFILE || 'aws'}).

  endpoint           ${endpoint}   (virtual-hosted: http://<bucket>.localhost:${port})
  region             ${LOCAL_REGION}
  access key id      ${identity.accessKeyId}
  secret access key  ${identity.secretAccessKey}
  account id         ${identity.accountId}
  DynamoDB           ${dynamodbEndpoint}  table ${LOCAL_TABLE_NAME}

Try it (another terminal):

  export AWS_ACCESS_KEY_ID=${identity.accessKeyId} AWS_SECRET_ACCESS_KEY='${identity.secretAccessKey}' AWS_REGION=${LOCAL_REGION}
  aws --endpoint-url ${endpoint} s3api create-bucket --bucket demo
  aws --endpoint-url ${endpoint} s3api put-bucket-encryption --bucket demo --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/demo"},"BucketKeyEnabled":true}]}'
  aws --endpoint-url ${endpoint} s3api get-bucket-encryption --bucket demo

Accounts and keys: npm run admin -- account create --name team-a   (npm run admin -- --help)
A bucket's change history: npm run admin -- history demo

Ctrl-C stops everything.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}
