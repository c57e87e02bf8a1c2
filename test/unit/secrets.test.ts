import { describe, expect, it } from 'vitest';
import { localCipher } from '../../lib/auth/secrets.ts';

describe('localCipher', () => {
  const cipher = localCipher('test passphrase');
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('opens what it sealed, and the sealed form does not contain the secret', async () => {
    const sealed = await cipher.seal(secret, 'AKIAEXAMPLE');
    expect(sealed).toMatch(/^local:v1:/);
    expect(sealed).not.toContain(secret);
    expect(await cipher.open(sealed, 'AKIAEXAMPLE')).toBe(secret);
  });

  it('seals the same secret differently every time', async () => {
    expect(await cipher.seal(secret, 'AKIAEXAMPLE')).not.toBe(await cipher.seal(secret, 'AKIAEXAMPLE'));
  });

  it('refuses a sealed secret moved to another access key', async () => {
    const sealed = await cipher.seal(secret, 'AKIAEXAMPLE');
    await expect(cipher.open(sealed, 'AKIAOTHER')).rejects.toThrow();
  });

  it('refuses a tampered or differently keyed secret', async () => {
    const sealed = await cipher.seal(secret, 'AKIAEXAMPLE');
    const parts = sealed.split(':');
    const data = Buffer.from(parts[4] ?? '', 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[4] = data.toString('base64');
    await expect(cipher.open(parts.join(':'), 'AKIAEXAMPLE')).rejects.toThrow();
    await expect(localCipher('another passphrase').open(sealed, 'AKIAEXAMPLE')).rejects.toThrow();
  });

  it('refuses a KMS-sealed value', async () => {
    await expect(cipher.open('kms:v1:AAAA', 'AKIAEXAMPLE')).rejects.toThrow();
  });
});
