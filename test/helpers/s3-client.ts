// The SDK v3 S3 client as the e2e tests use it: path-style, one attempt (a retry would hide a 5xx).
import { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { OWNER } from './identities.ts';
import type { Credentials } from './signer.ts';

/** A client signing as `identity`, against the aws-profile gateway unless told another endpoint. */
export const s3Client = (identity: Credentials = OWNER, endpoint = inject('gateways').aws) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey },
    maxAttempts: 1,
  });
