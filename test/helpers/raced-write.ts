// A policy-checked write racing a change: the second account's PutEncryptionConfiguration through
// authorizedWrite (lib/auth/authorize.ts), with a change made after its policy was evaluated and before
// its conditional write lands, as a concurrent request would make it. Shared by the tests of a policy
// changed in between (authorization.test.ts) and of Block Public Access turned on in between
// (public-policies.test.ts).
import { authorizedWrite } from '../../lib/auth/authorize.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import { setConfiguration, type WriteGuard } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { SECOND_IDENTITY } from './identities.ts';

/**
 * The second account writes an aws:kms configuration to `bucket`; `between` runs once, on the first
 * policy-checked attempt, before that attempt's write. Resolves with the outcome ('written', or the
 * S3 error code) and the guard of every attempt, in order.
 */
export async function racedEncryptionWrite(
  bucket: string,
  between: () => Promise<void>,
): Promise<{ outcome: string; guards: WriteGuard[] }> {
  const buckets = storage().buckets;
  const guards: WriteGuard[] = [];
  let changed = false;
  const request = {
    method: 'PUT',
    headers: {},
    effectiveHeaders: {},
    query: [],
    rawQueryString: '',
    sourceIp: '127.0.0.1',
    bucket,
    caller: { accountId: SECOND_IDENTITY.accountId, accessKeyId: SECOND_IDENTITY.accessKeyId },
  };
  const outcome = await authorizedWrite(
    request,
    's3:PutEncryptionConfiguration',
    async (guard) => {
      guards.push(guard);
      if ('policyRevision' in guard && !changed) {
        changed = true;
        await between();
      }
      return buckets.updateBucket(
        bucket,
        guard,
        setConfiguration(encryptionCodec, {
          sseAlgorithm: 'aws:kms',
          kmsMasterKeyId: 'alias/raced',
          bucketKeyEnabled: false,
          updatedAt: new Date().toISOString(),
          updatedBy: SECOND_IDENTITY.accountId,
        }),
      );
    },
    buckets.getBucket,
  ).then(
    () => 'written',
    (error: { code?: string }) => error.code ?? 'thrown',
  );
  return { outcome, guards };
}
