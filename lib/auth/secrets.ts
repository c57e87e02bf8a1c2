// Access-key secrets at rest. A secret is sealed before it is written to the table and opened on a
// credential-cache miss, never stored in plaintext:
// - `kms`: sealed by AWS KMS under the key serverless.yml creates (EncryptionContext binds it to
//   its access key id, so a sealed secret cannot be moved to another key item; the Lambdas' roles may
//   Decrypt only with that context). The KMS client is bundled (nothing is taken from the Lambda
//   runtime's own SDK) but imported only when a secret is opened: esbuild splits it into a chunk of
//   its own that a cold start does not load (serverless.yml `splitting`;
//   test/integration/kms-secrets.test.ts, test/runtime/). The Lambdas only open (kms-open.ts: Decrypt);
//   sealing (kms-seal.ts: Encrypt) is the admin CLI's, and no Lambda bundle holds it.
// - `local`: AES-256-GCM under a key derived from LOCAL_SECRETS_KEY, for DynamoDB Local and tests.
// A deployment in `kms` mode refuses `local`-sealed secrets: the local key is not a secret.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export type SecretsMode = 'kms' | 'local';

export interface SecretCipher {
  seal(secret: string, accessKeyId: string): Promise<string>;
  open(sealed: string, accessKeyId: string): Promise<string>;
}

export const DEFAULT_LOCAL_SECRETS_KEY = 'bucket-encryption-api local development key';

export function localCipher(passphrase: string = DEFAULT_LOCAL_SECRETS_KEY): SecretCipher {
  const key = createHash('sha256').update(passphrase).digest();
  return {
    async seal(secret, accessKeyId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(accessKeyId));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return [
        'local',
        'v1',
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        sealed.toString('base64'),
      ].join(':');
    },
    async open(sealed, accessKeyId) {
      const [scheme, version, iv = '', tag = '', data = ''] = sealed.split(':');
      if (scheme !== 'local' || version !== 'v1') throw new Error('not a local-sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
        .setAAD(Buffer.from(accessKeyId))
        .setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

/** What the Lambdas need: opening secrets on a credential-cache miss, never sealing them. */
export type SecretOpener = Pick<SecretCipher, 'open'>;

// Timeouts like the DynamoDB client's: a hung KMS must not hold a request until the Lambda dies.
const kmsClientSettings = (region: string) => ({
  region,
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
});

type KmsOpenModule = typeof import('./kms-open.ts');
let kmsOpenModule: Promise<KmsOpenModule> | undefined;
type KmsSealModule = typeof import('./kms-seal.ts');
let kmsSealModule: Promise<KmsSealModule> | undefined;

/** Opens KMS-sealed secrets (kms:Decrypt with the access key id as encryption context). */
export function kmsOpener(options: { region: string }): SecretOpener {
  let client: InstanceType<KmsOpenModule['KMSClient']> | undefined;
  return {
    async open(sealed, accessKeyId) {
      const [scheme, version, blob = ''] = sealed.split(':');
      if (scheme !== 'kms' || version !== 'v1') throw new Error('not a KMS-sealed secret');
      kmsOpenModule ??= import('./kms-open.ts');
      const { DecryptCommand, KMSClient } = await kmsOpenModule;
      client ??= new KMSClient(kmsClientSettings(options.region));
      const { Plaintext } = await client.send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(blob, 'base64'),
          EncryptionContext: { accessKeyId },
        }),
      );
      return Buffer.from(Plaintext ?? []).toString('utf8');
    },
  };
}

/** `keyId` (id, ARN or alias) is needed to seal only; opening reads the key from the ciphertext. */
export function kmsCipher(options: { region: string; keyId?: string }): SecretCipher {
  let client: InstanceType<KmsSealModule['KMSClient']> | undefined;
  return {
    async seal(secret, accessKeyId) {
      if (!options.keyId) throw new Error('a KMS key id is needed to seal secrets');
      kmsSealModule ??= import('./kms-seal.ts');
      const { EncryptCommand, KMSClient } = await kmsSealModule;
      client ??= new KMSClient(kmsClientSettings(options.region));
      const { CiphertextBlob } = await client.send(
        new EncryptCommand({
          KeyId: options.keyId,
          Plaintext: Buffer.from(secret),
          EncryptionContext: { accessKeyId },
        }),
      );
      return `kms:v1:${Buffer.from(CiphertextBlob ?? []).toString('base64')}`;
    },
    open: kmsOpener(options).open,
  };
}

/** The Lambdas' opener for the deployment's mode. */
export function secretOpener(
  mode: SecretsMode,
  settings: { region: string; localKey?: string },
): SecretOpener {
  return mode === 'kms' ? kmsOpener({ region: settings.region }) : localCipher(settings.localKey);
}
