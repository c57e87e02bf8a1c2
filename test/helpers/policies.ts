// Bucket policies for the tests, built the one way (statement order as IAM's examples write it).
import { SECOND_IDENTITY } from './identities.ts';

export const statement = (
  effect: 'Allow' | 'Deny',
  principal: unknown,
  action: string | string[],
  bucket: string,
) => ({
  Effect: effect,
  Principal: principal,
  Action: action,
  Resource: `arn:aws:s3:::${bucket}`,
});

export const policyOf = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** The statement that lets the second identity's account do `action` on `bucket`. */
export const allowSecondAccount = (bucket: string, action = 's3:GetEncryptionConfiguration') =>
  statement('Allow', { AWS: SECOND_IDENTITY.accountId }, action, bucket);

/** A policy that lets the second identity's account do `action` on `bucket`, and nothing else. */
export const secondAccountPolicy = (bucket: string, action?: string) =>
  policyOf(allowSecondAccount(bucket, action));
