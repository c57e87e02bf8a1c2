// Real S3 clients as processes of their own (boto3, AWS CLI v1 and v2): signing as an identity, with
// nothing of the machine's AWS configuration, one attempt per call (a retry would hide a 5xx), bounded
// in time. A non-zero exit is a result to check, not an exception.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OWNER } from './identities.ts';
import type { Credentials } from './signer.ts';

export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

export const clientEnvironment = (identity: Credentials = OWNER): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: identity.accessKeyId,
  AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  // AWS CLI v2 pages its output through `less` unless told not to.
  AWS_PAGER: '',
  AWS_MAX_ATTEMPTS: '1',
  AWS_RETRY_MODE: 'standard',
  NO_PROXY: '*',
});

/** Runs a client to completion. */
export async function runClient(
  file: string,
  args: string[],
  identity: Credentials = OWNER,
): Promise<ClientRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      env: clientEnvironment(identity),
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
