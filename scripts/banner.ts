// What `npm start` prints once the gateway answers (scripts/start.ts). A module of its own so that
// test/e2e/readme.test.ts can hold README's "Run it" example to exactly these commands.
import { resolve } from 'node:path';
import { LOCAL_STATE_FILE } from './admin/state-file.ts';
import { LOCAL_REGION, LOCAL_TABLE_NAME, type LocalIdentity } from './local-stack.ts';

export interface BannerSettings {
  port: number;
  profile: string;
  identity: LocalIdentity;
  /** Where `npm run admin` finds this stack (LOCAL_STATE_FILE); the default when absent. */
  stateFile?: string;
}

/**
 * `npm run admin` as this stack's user types it: a stack with a state file of its own is found only
 * with the same LOCAL_STATE_FILE (scripts/admin/target.ts), so the banner's admin commands carry it.
 */
export function adminCommand(settings: BannerSettings, args: string): string {
  const file = settings.stateFile === undefined ? LOCAL_STATE_FILE : resolve(settings.stateFile);
  const quoted = /^[\w./-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`;
  const own = file === resolve(LOCAL_STATE_FILE) ? '' : `LOCAL_STATE_FILE=${quoted} `;
  return `${own}npm run admin -- ${args}`;
}

/** The banner's example configuration, in the running profile's algorithms. */
export function exampleConfiguration(profile: string): string {
  switch (profile) {
    case 'qstorage':
      return '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"verenc","KMSMasterKeyID":"qkms:demo-key"}}]}';
    case 'obs':
      return '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"kms"}}]}';
    default:
      return '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/demo"},"BucketKeyEnabled":true}]}';
  }
}

/**
 * The commands to paste: the credentials (AWS_DEFAULT_REGION too: AWS CLI v1 reads no AWS_REGION; an
 * empty AWS_SESSION_TOKEN, since a token left in the shell would be sent and refused: InvalidToken), then
 * create a bucket, set its default encryption and read it back with the AWS CLI.
 */
export function bannerCommands({ port, profile, identity }: BannerSettings): string[] {
  const endpoint = `http://localhost:${port}`;
  return [
    `export AWS_ACCESS_KEY_ID=${identity.accessKeyId} AWS_SECRET_ACCESS_KEY='${identity.secretAccessKey}' AWS_REGION=${LOCAL_REGION} AWS_DEFAULT_REGION=${LOCAL_REGION} AWS_SESSION_TOKEN=`,
    `aws --endpoint-url ${endpoint} s3api create-bucket --bucket demo`,
    `aws --endpoint-url ${endpoint} s3api put-bucket-encryption --bucket demo --server-side-encryption-configuration '${exampleConfiguration(profile)}'`,
    `aws --endpoint-url ${endpoint} s3api get-bucket-encryption --bucket demo`,
  ];
}

export function banner(settings: BannerSettings, dynamodbEndpoint: string): string {
  const { port, identity, profile } = settings;
  const endpoint = `http://localhost:${port}`;
  return `
bucket-encryption-api is running (profile ${profile}).

  endpoint           ${endpoint}   (virtual-hosted: http://<bucket>.localhost:${port})
  region             ${LOCAL_REGION}
  access key id      ${identity.accessKeyId}
  secret access key  ${identity.secretAccessKey}
  account id         ${identity.accountId}
  DynamoDB           ${dynamodbEndpoint}  table ${LOCAL_TABLE_NAME}

Try it (another terminal):

${bannerCommands(settings)
  .map((command) => `  ${command}`)
  .join('\n')}

Accounts and keys: ${adminCommand(settings, 'account create --name team-a')}   (npm run admin -- --help)
A bucket's change history: ${adminCommand(settings, 'history demo')}

Ctrl-C stops everything.`;
}
