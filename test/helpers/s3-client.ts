// The SDK v3 S3 client as the e2e tests use it: path-style, one attempt (a retry would hide a 5xx).
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { OWNER } from './identities.ts';
import type { Credentials } from './signer.ts';

/** A client signing as `identity`, against the aws-profile gateway unless told another endpoint. */
export const s3Client = (identity: Credentials = OWNER, endpoint = inject('gateways').aws) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
    },
    maxAttempts: 1,
  });

/** The S3 error a call failed with (its name and status); fails the test if it succeeded or threw anything else. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException)
      return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected the call to fail');
}
