// Which table the admin CLI works on, and its AWS clients: the local stack's DynamoDB Local (from the
// state file `npm start` writes), a DynamoDB endpoint and table given on the command line, or a
// deployed stage's table with the operator's AWS credentials. Every client labels the errors it
// throws with its service and where it was sent, so a failure is one line naming both (failures.ts).
import { existsSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { kmsCipher, localCipher, type SecretCipher } from '../../lib/auth/secrets.ts';
import { type AccountStore, createAccountStore } from '../../lib/storage/accounts.ts';
import { type BucketStore, createBucketStore } from '../../lib/storage/buckets.ts';
import { createHistoryStore, type HistoryStore } from '../../lib/storage/history.ts';
import { LOCAL_REGION, localDynamoClient, SERVICE_NAME } from '../local-stack.ts';
import { type FailureLabel, labelFailure } from './failures.ts';
import { LOCAL_STATE_FILE } from './state-file.ts';
import { UsageError } from './usage.ts';

/** The cipher's KMS client is its own (lib/auth/secrets.ts): its failures are labelled here. */
const labelledCipher = (cipher: SecretCipher, label: FailureLabel): SecretCipher => ({
  seal: (secret, accessKeyId) =>
    cipher.seal(secret, accessKeyId).catch((error: unknown) => {
      throw labelFailure(error, label);
    }),
  open: (sealed, accessKeyId) =>
    cipher.open(sealed, accessKeyId).catch((error: unknown) => {
      throw labelFailure(error, label);
    }),
});

type Client = DynamoDBClient | DynamoDBStreamsClient | SQSClient;

/** Labels every error the client throws (credentials, network, service) with where it was going. */
function labelled<C extends Client>(client: C, service: string, endpoint: string): C {
  // The three clients' stacks differ only in their input and output types.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw labelFailure(error, { service, endpoint });
      }
    },
    { step: 'initialize', name: 'adminFailureLabel' },
  );
  return client;
}

export interface Target {
  tableName: string;
  /** `table NAME at URL` / `table NAME in REGION`: for messages. */
  describe: string;
  /** The deployed stage, when the target is one (its region too). */
  stage: { name: string; region: string } | undefined;
  accounts: AccountStore;
  buckets: BucketStore;
  history: HistoryStore;
  cipher: SecretCipher;
  /** The table's stream API (history replay). */
  streams(): DynamoDBStreamsClient;
  /** SQS (history replay); locally at the endpoint of the queue URL it is first given. */
  sqs(queueUrl?: string): SQSClient;
  close(): void;
}

export interface TargetOptions {
  endpoint?: string | undefined;
  table?: string | undefined;
  stage?: string | undefined;
  region?: string | undefined;
}

// A CLI waits longer than a Lambda for an answer, but not forever: a black-holed endpoint fails in
// about 3 × 10 s with a message, not a hang.
const AWS_CLIENT_SETTINGS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
};

/** The endpoint the SDK would use for a service: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, or AWS's own. */
const configuredEndpoint = (env: NodeJS.ProcessEnv, service: string) =>
  env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;

function stageTarget(stage: string, options: TargetOptions, env: NodeJS.ProcessEnv): Target {
  if (!/^[a-zA-Z0-9-]+$/.test(stage))
    throw new UsageError(`--stage must be letters, digits and dashes (got "${stage}")`);
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const tableName = `${SERVICE_NAME}-${stage}`;
  const where = (service: string, host: string) => {
    const endpoint = configuredEndpoint(env, service);
    return { endpoint, described: endpoint ?? `https://${host}.${region}.amazonaws.com` };
  };
  const dynamoEndpoint = where('DYNAMODB', 'dynamodb');
  const dynamo = labelled(
    new DynamoDBClient({ region, endpoint: dynamoEndpoint.endpoint, ...AWS_CLIENT_SETTINGS }),
    'DynamoDB',
    dynamoEndpoint.described,
  );
  let streams: DynamoDBStreamsClient | undefined;
  let sqs: SQSClient | undefined;
  return {
    tableName,
    describe: `table ${tableName} in ${region}`,
    stage: { name: stage, region },
    accounts: createAccountStore(dynamo, tableName),
    buckets: createBucketStore(dynamo, tableName),
    history: createHistoryStore(dynamo, tableName),
    cipher: labelledCipher(kmsCipher({ region, keyId: `alias/${SERVICE_NAME}-${stage}-secrets` }), {
      service: 'KMS',
      endpoint: where('KMS', 'kms').described,
    }),
    streams() {
      const at = where('DYNAMODB_STREAMS', 'streams.dynamodb');
      streams ??= labelled(
        new DynamoDBStreamsClient({ region, endpoint: at.endpoint, ...AWS_CLIENT_SETTINGS }),
        'DynamoDB Streams',
        at.described,
      );
      return streams;
    },
    sqs() {
      const at = where('SQS', 'sqs');
      sqs ??= labelled(
        new SQSClient({ region, endpoint: at.endpoint, ...AWS_CLIENT_SETTINGS }),
        'SQS',
        at.described,
      );
      return sqs;
    },
    close() {
      dynamo.destroy();
      streams?.destroy();
      sqs?.destroy();
    },
  };
}

function localTarget(options: TargetOptions, env: NodeJS.ProcessEnv): Target {
  let endpoint = options.endpoint ?? env.DYNAMODB_ENDPOINT;
  let tableName = options.table ?? env.TABLE_NAME;
  // As scripts/start.ts reads it: an empty LOCAL_STATE_FILE is the default.
  const stateFile = env.LOCAL_STATE_FILE || LOCAL_STATE_FILE;
  if (!endpoint && existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      dynamodbEndpoint?: string;
      tableName?: string;
    };
    endpoint = state.dynamodbEndpoint;
    tableName ??= state.tableName;
  }
  if (!endpoint) {
    throw new UsageError(
      `no target: no running stack in ${stateFile} (a stack started with LOCAL_STATE_FILE is found with the same LOCAL_STATE_FILE): start one with \`npm start\`, or pass --endpoint URL --table NAME, or --stage STAGE`,
    );
  }
  if (!tableName) throw new UsageError(`no target: ${endpoint} needs --table NAME`);
  const at = endpoint;
  const dynamo = labelled(localDynamoClient(at), 'DynamoDB', at);
  // DynamoDB Local serves its streams on the same endpoint; it takes any credentials.
  const local = { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  let streams: DynamoDBStreamsClient | undefined;
  let sqs: SQSClient | undefined;
  return {
    tableName,
    describe: `table ${tableName} at ${at}`,
    stage: undefined,
    accounts: createAccountStore(dynamo, tableName),
    buckets: createBucketStore(dynamo, tableName),
    history: createHistoryStore(dynamo, tableName),
    cipher: localCipher(env.LOCAL_SECRETS_KEY || undefined),
    streams() {
      streams ??= labelled(
        new DynamoDBStreamsClient({ ...local, endpoint: at, maxAttempts: 2 }),
        'DynamoDB Streams',
        at,
      );
      return streams;
    },
    sqs(queueUrl) {
      // No SQS runs locally: the queue URL given names the endpoint.
      const at = configuredEndpoint(env, 'SQS') ?? (queueUrl ? new URL(queueUrl).origin : undefined);
      sqs ??= labelled(new SQSClient({ ...local, endpoint: at, maxAttempts: 2 }), 'SQS', at ?? 'AWS');
      return sqs;
    },
    close() {
      dynamo.destroy();
      streams?.destroy();
      sqs?.destroy();
    },
  };
}

export function selectTarget(options: TargetOptions, env: NodeJS.ProcessEnv): Target {
  if (options.stage !== undefined) {
    if (options.endpoint !== undefined || options.table !== undefined)
      throw new UsageError(
        '--stage names a deployed table; --endpoint and --table name another: give one or the other',
      );
    return stageTarget(options.stage, options, env);
  }
  return localTarget(options, env);
}
