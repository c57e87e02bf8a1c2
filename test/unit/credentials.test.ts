// The container's access-key cache, on a fake clock, over a small in-memory AccountStore whose secrets
// are sealed by the real local cipher.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createCredentialCache, MAX_UNKNOWN_KEYS } from '../../lib/auth/credentials.ts';
import { localCipher } from '../../lib/auth/secrets.ts';
import { logger } from '../../lib/log.ts';
import type {
  AccessKeyRecord,
  AccessKeyStatus,
  AccountRecord,
  AccountStore,
} from '../../lib/storage/accounts.ts';

const TTL_MS = 60_000;
/** How long an unknown key id is remembered (credentials.ts). */
const NEGATIVE_TTL_MS = 2_000;
const cipher = localCipher('credential cache test');

const ALICE = {
  accessKeyId: 'AKIAALICE00000000001',
  secretAccessKey: 'alice/secret/0000000000000000000000000000',
  accountId: '111122223333',
};

/** An AccountStore in a Map, counting the key reads the cache makes. */
class MemoryAccounts implements AccountStore {
  readonly keys = new Map<string, AccessKeyRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  keyReads = 0;

  async addKey(key: typeof ALICE, status: AccessKeyStatus = 'Active') {
    await this.putAccessKey({
      accessKeyId: key.accessKeyId,
      accountId: key.accountId,
      sealedSecret: await cipher.seal(key.secretAccessKey, key.accessKeyId),
      status,
      createdAt: '2025-01-01T00:00:00.000Z',
    });
  }

  async getAccessKey(accessKeyId: string) {
    this.keyReads++;
    return this.keys.get(accessKeyId);
  }
  async putAccessKey(key: AccessKeyRecord, options: { overwrite?: boolean } = {}) {
    if (this.keys.has(key.accessKeyId) && !options.overwrite) return false;
    this.keys.set(key.accessKeyId, key);
    return true;
  }
  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus) {
    const key = this.keys.get(accessKeyId);
    if (!key) return false;
    this.keys.set(accessKeyId, { ...key, status });
    return true;
  }
  async deleteAccessKey(accessKeyId: string) {
    return this.keys.delete(accessKeyId);
  }
  async listAccessKeys() {
    return [...this.keys.values()].map(({ sealedSecret: _sealed, ...key }) => key);
  }
  async getAccount(accountId: string) {
    return this.accounts.get(accountId);
  }
  async putAccount(account: AccountRecord, options: { overwrite?: boolean } = {}) {
    if (this.accounts.has(account.accountId) && !options.overwrite) return false;
    this.accounts.set(account.accountId, account);
    return true;
  }
  async listAccounts() {
    return [...this.accounts.values()];
  }
}

let store: MemoryAccounts;
let clock: number;
const cache = (ttlMs = TTL_MS, opener = cipher) =>
  createCredentialCache(
    () => store,
    () => opener,
    ttlMs,
    () => clock,
  );

beforeEach(() => {
  store = new MemoryAccounts();
  clock = 1_000_000;
});

describe('createCredentialCache', () => {
  it('returns the opened secret and the account of an active key', async () => {
    await store.addKey(ALICE);
    expect(await cache().lookup(ALICE.accessKeyId)).toEqual(ALICE);
  });

  it.each([0, 1, TTL_MS - 1])(
    'returns a hit without a lookup %i ms after the first read',
    async (elapsed) => {
      await store.addKey(ALICE);
      const credentials = cache();
      await credentials.lookup(ALICE.accessKeyId);
      clock += elapsed;
      expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
      expect(store.keyReads).toBe(1);
    },
  );

  it('returns concurrent misses of one key from one read, and a failed read to each of them', async () => {
    await store.addKey(ALICE);
    const credentials = cache();
    const lookups = await Promise.all(
      Array.from({ length: 20 }, () => credentials.lookup(ALICE.accessKeyId)),
    );
    expect(lookups).toEqual(Array.from({ length: 20 }, () => ALICE));
    expect(store.keyReads).toBe(1);

    clock += TTL_MS;
    const failing = vi.spyOn(store, 'getAccessKey').mockRejectedValueOnce(new Error('unavailable'));
    const failed = await Promise.allSettled([
      credentials.lookup(ALICE.accessKeyId),
      credentials.lookup(ALICE.accessKeyId),
    ]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(failing).toHaveBeenCalledTimes(1);
    // The failure is not remembered: the next lookup reads again.
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
  });

  it('returns the key read again once the TTL has passed', async () => {
    await store.addKey(ALICE);
    const credentials = cache();
    await credentials.lookup(ALICE.accessKeyId);
    clock += TTL_MS;
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    expect(store.keyReads).toBe(2);
  });

  it.each([
    ['disabled', (id: string) => store.setAccessKeyStatus(id, 'Inactive')],
    ['deleted', (id: string) => store.deleteAccessKey(id)],
  ])('returns undefined for a %s key only after the TTL', async (_change, change) => {
    await store.addKey(ALICE);
    const credentials = cache();
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    await change(ALICE.accessKeyId);
    clock += TTL_MS - 1;
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    clock += 1;
    expect(await credentials.lookup(ALICE.accessKeyId)).toBeUndefined();
  });

  it('returns undefined for a key stored as Inactive', async () => {
    await store.addKey(ALICE, 'Inactive');
    expect(await cache().lookup(ALICE.accessKeyId)).toBeUndefined();
  });

  it('returns undefined for an unknown key, remembered for the short negative TTL only', async () => {
    const credentials = cache();
    expect(await credentials.lookup(ALICE.accessKeyId)).toBeUndefined();
    await store.addKey(ALICE);
    clock += NEGATIVE_TTL_MS - 1;
    expect(await credentials.lookup(ALICE.accessKeyId)).toBeUndefined();
    expect(store.keyReads).toBe(1);
    clock += 1;
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    expect(store.keyReads).toBe(2);
  });

  it('returns undefined for an unknown key no longer than the TTL when the TTL is shorter', async () => {
    const credentials = cache(500);
    await credentials.lookup(ALICE.accessKeyId);
    await store.addKey(ALICE);
    clock += 500;
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
  });

  it('returns undefined for a key whose secret does not open (sealed under another key)', async ({
    onTestFinished,
  }) => {
    // The failure is logged at ERROR for operators; expected here, so this test's logger is silent and
    // the test checks the line was logged instead.
    const level = logger.getLevelName();
    logger.setLogLevel('SILENT');
    const logged = vi.spyOn(logger, 'error');
    onTestFinished(() => {
      logged.mockRestore();
      logger.setLogLevel(level);
    });
    await store.addKey(ALICE);
    expect(await cache(TTL_MS, localCipher('another passphrase')).lookup(ALICE.accessKeyId)).toBeUndefined();
    expect(logged).toHaveBeenCalledWith(
      'storage request failed',
      expect.objectContaining({ operation: 'openSecret' }),
    );
  });

  it('returns a fresh read for every key after clear()', async () => {
    await store.addKey(ALICE);
    const credentials = cache();
    await credentials.lookup(ALICE.accessKeyId);
    credentials.clear();
    await credentials.lookup(ALICE.accessKeyId);
    expect(store.keyReads).toBe(2);
  });

  it('returns each key its own entry', async () => {
    const bob = {
      ...ALICE,
      accessKeyId: 'AKIABOB0000000000001',
      secretAccessKey: 'bob/secret',
      accountId: '444455556666',
    };
    await store.addKey(ALICE);
    await store.addKey(bob);
    const credentials = cache();
    expect([await credentials.lookup(ALICE.accessKeyId), await credentials.lookup(bob.accessKeyId)]).toEqual([
      ALICE,
      bob,
    ]);
    expect(store.keyReads).toBe(2);
  });

  it('returns a known key without a read after more made-up key ids than either cache holds', async () => {
    await store.addKey(ALICE);
    const credentials = cache();
    await credentials.lookup(ALICE.accessKeyId);
    for (let index = 0; index < MAX_UNKNOWN_KEYS * 2; index++) {
      expect(await credentials.lookup(`AKIAMADEUP${String(index).padStart(10, '0')}`)).toBeUndefined();
    }
    const readsBefore = store.keyReads;
    expect(await credentials.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    expect(store.keyReads).toBe(readsBefore);
  });

  it('reads a made-up key id again once more than MAX_UNKNOWN_KEYS others came after it (bounded)', async () => {
    const credentials = cache();
    await credentials.lookup('AKIAMADEUPFIRST00000');
    await credentials.lookup('AKIAMADEUPFIRST00000');
    expect(store.keyReads).toBe(1);
    for (let index = 0; index < MAX_UNKNOWN_KEYS; index++) {
      await credentials.lookup(`AKIAMADEUP${String(index).padStart(10, '0')}`);
    }
    const readsBefore = store.keyReads;
    await credentials.lookup('AKIAMADEUPFIRST00000');
    expect(store.keyReads).toBe(readsBefore + 1);
  });
});
