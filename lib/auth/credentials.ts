// Access-key secrets, cached in the Lambda container so steady-state calls make no extra
// request (neither DynamoDB nor KMS). A disabled or deleted key stops working within the TTL
// (CREDENTIAL_CACHE_TTL_SECONDS, 60 s by default). Unknown keys are remembered briefly too, so a
// flood of made-up key ids cannot turn into a flood of reads — in a cache of their own: made-up ids
// cost nothing to send, and sharing one bounded cache let them evict the real keys (every valid
// request then paid a table read and a KMS Decrypt again). Where invocations run concurrently in one
// container (Lambda Managed Instances, the local gateway), concurrent misses of one key share one read
// rather than each making its own: 200 clients arriving together cost one read, not 200.
import type { AccessKeyReader } from '../storage/access-keys.ts';
import { storageFailure } from '../storage/errors.ts';
import type { SecretOpener } from './secrets.ts';

export interface SigningSecret {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

const NEGATIVE_TTL_MS = 2_000;
/** Known keys kept per container; the oldest goes first when full. */
export const MAX_KNOWN_KEYS = 10_000;
/** Unknown key ids remembered per container; only ever evicts other unknown ids. */
export const MAX_UNKNOWN_KEYS = 10_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** A Map with a size bound: setting a new key when full drops the oldest one (insertion order). */
class BoundedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }
  set(key: string, value: T, expiresAt: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt });
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  clear(): void {
    this.entries.clear();
  }
}

export interface CredentialCache {
  lookup(accessKeyId: string): Promise<SigningSecret | undefined>;
  clear(): void;
}

export function createCredentialCache(
  accounts: () => AccessKeyReader,
  cipher: () => SecretOpener,
  ttlMs: number,
  now: () => number = Date.now,
): CredentialCache {
  const known = new BoundedCache<SigningSecret>(MAX_KNOWN_KEYS);
  const unknown = new BoundedCache<true>(MAX_UNKNOWN_KEYS);

  async function load(accessKeyId: string): Promise<SigningSecret | undefined> {
    const key = await accounts().getAccessKey(accessKeyId);
    if (key?.status !== 'Active') return undefined;
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

  /** Reads in flight, by key id: a miss joins the read already under way. */
  const reading = new Map<string, Promise<SigningSecret | undefined>>();

  async function read(accessKeyId: string): Promise<SigningSecret | undefined> {
    try {
      const secret = await load(accessKeyId);
      if (secret) {
        unknown.delete(accessKeyId);
        known.set(accessKeyId, secret, now() + ttlMs);
      } else {
        known.delete(accessKeyId);
        unknown.set(accessKeyId, true, now() + Math.min(ttlMs, NEGATIVE_TTL_MS));
      }
      return secret;
    } finally {
      reading.delete(accessKeyId);
    }
  }

  return {
    async lookup(accessKeyId) {
      const cached = known.get(accessKeyId, now());
      if (cached) return cached;
      if (unknown.get(accessKeyId, now())) return undefined;
      let pending = reading.get(accessKeyId);
      if (!pending) {
        pending = read(accessKeyId);
        reading.set(accessKeyId, pending);
      }
      return pending;
    },
    clear() {
      known.clear();
      unknown.clear();
    },
  };
}
