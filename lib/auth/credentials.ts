// Access-key secrets, cached in the Lambda container so steady-state calls make no extra
// request (neither DynamoDB nor KMS). A disabled or deleted key stops working within the TTL
// (CREDENTIAL_CACHE_TTL_SECONDS, 60 s by default). Unknown keys are remembered briefly too, so a
// flood of made-up key ids cannot turn into a flood of reads.
import type { AccountStore } from '../storage/accounts.ts';
import { storageFailure } from '../storage/errors.ts';
import type { SecretCipher } from './secrets.ts';

export interface SigningSecret {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

const NEGATIVE_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

export interface CredentialCache {
  lookup(accessKeyId: string): Promise<SigningSecret | undefined>;
  clear(): void;
}

export function createCredentialCache(
  accounts: () => AccountStore,
  cipher: () => SecretCipher,
  ttlMs: number,
  now: () => number = Date.now,
): CredentialCache {
  const entries = new Map<string, { secret: SigningSecret | undefined; expiresAt: number }>();

  async function load(accessKeyId: string): Promise<SigningSecret | undefined> {
    const key = await accounts().getAccessKey(accessKeyId);
    if (!key || key.status !== 'Active') return undefined;
    try {
      const secretAccessKey = await cipher().open(key.sealedSecret, accessKeyId);
      return { accessKeyId, secretAccessKey, accountId: key.accountId };
    } catch (error) {
      // KMS throttled or unreachable: retryable. A secret that will not open (sealed in another
      // mode, tampered with): the key is unusable, and the detail is logged.
      const failure = storageFailure(error, 'openSecret');
      if (failure.code !== 'InternalError') throw failure;
      return undefined;
    }
  }

  return {
    async lookup(accessKeyId) {
      const cached = entries.get(accessKeyId);
      if (cached && cached.expiresAt > now()) return cached.secret;
      const secret = await load(accessKeyId);
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(accessKeyId, {
        secret,
        expiresAt: now() + (secret ? ttlMs : Math.min(ttlMs, NEGATIVE_TTL_MS)),
      });
      return secret;
    },
    clear() {
      entries.clear();
    },
  };
}
