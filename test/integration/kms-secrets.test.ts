// Access-key secrets sealed and opened by KMS, end to end through the KMS protocol: lib/auth/secrets.ts's
// kmsCipher (the SDK's KMSClient, loaded lazily) against a KMS endpoint started here. The client finds the
// endpoint as in any AWS SDK v3 process, from AWS_ENDPOINT_URL_KMS; the runtime tests (test/runtime/) run
// the same path inside the packaged Lambdas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmsCipher } from '../../lib/auth/secrets.ts';
import { type KmsEndpoint, startKmsEndpoint } from '../helpers/kms-endpoint.ts';

const ENV = ['AWS_ENDPOINT_URL_KMS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
let kms: KmsEndpoint;

beforeAll(async () => {
  kms = await startKmsEndpoint();
  process.env.AWS_ENDPOINT_URL_KMS = kms.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDKMSTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'kms-test-secret';
});
afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await kms.stop();
});

describe('kmsCipher', () => {
  it('seals a secret with Encrypt and opens it with Decrypt', async () => {
    const cipher = kmsCipher({ region: 'us-east-1', keyId: kms.keyArn });
    const sealed = await cipher.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAKMS0000EXAMPLE');
    expect(sealed).toMatch(/^kms:v1:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain('wJalrXUtnFEMI');
    // Opening needs no key id: KMS reads the key from the ciphertext.
    const opened = await kmsCipher({ region: 'us-east-1' }).open(sealed, 'AKIAKMS0000EXAMPLE');
    expect(opened).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(kms.calls.slice(-2)).toEqual(['Encrypt', 'Decrypt']);
  });

  it('seals under the stack alias, as the admin CLI does', async () => {
    const cipher = kmsCipher({ region: 'us-east-1', keyId: 'alias/bucket-encryption-api-prod-secrets' });
    const sealed = await cipher.seal('secret', 'AKIAKMS0000EXAMPLE');
    expect(await cipher.open(sealed, 'AKIAKMS0000EXAMPLE')).toBe('secret');
  });

  it('refuses to open a secret under another access key id (the EncryptionContext binds it)', async () => {
    const cipher = kmsCipher({ region: 'us-east-1', keyId: kms.keyArn });
    const sealed = await cipher.seal('secret', 'AKIAKMS0000EXAMPLE');
    await expect(cipher.open(sealed, 'AKIAOTHER000EXAMPLE')).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('refuses to seal without a key id', async () => {
    await expect(kmsCipher({ region: 'us-east-1' }).seal('secret', 'AKIAKMS0000EXAMPLE')).rejects.toThrow(
      /KMS key id/,
    );
  });
});
