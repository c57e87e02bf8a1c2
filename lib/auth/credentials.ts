// Access-key secrets, cached in the Lambda container so steady-state calls make no extra
// DynamoDB request. A disabled or deleted key stops working within the TTL
// (CREDENTIAL_CACHE_TTL_SECONDS, 60 s by default). Unknown keys are remembered briefly too, so a
// flood of made-up key ids cannot turn into a flood of reads.
import type { AccountStore } from '../storage/accounts.ts';

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
  ttlMs: number,
  now: () => number = Date.now,
): CredentialCache {
  const entries = new Map<string, { secret: SigningSecret | undefined; expiresAt: number }>();
  return {
    async lookup(accessKeyId) {
      const cached = entries.get(accessKeyId);
      if (cached && cached.expiresAt > now()) return cached.secret;
      const key = await accounts().getAccessKey(accessKeyId);
      const secret =
        key && key.status === 'Active'
          ? { accessKeyId, secretAccessKey: key.secretAccessKey, accountId: key.accountId }
          : undefined;
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
