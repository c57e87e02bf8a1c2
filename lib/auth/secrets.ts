// Access-key secrets at rest. A secret is sealed before it is written to the table and opened on a
// credential-cache miss, never stored in plaintext:
// - `kms`: sealed by AWS KMS under the key serverless.yml creates (EncryptionContext binds it to
//   its access key id, so a sealed secret cannot be moved to another key item). The KMS client is
//   bundled (nothing is taken from the Lambda runtime's own SDK) but imported only when a secret is
//   opened: esbuild splits it into a chunk of its own that a cold start does not load
//   (serverless.yml `splitting`; test/integration/kms-secrets.test.ts, test/runtime/).
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

type KmsModule = typeof import('@aws-sdk/client-kms');
let kmsModule: Promise<KmsModule> | undefined;

/** `keyId` (id, ARN or alias) is needed to seal only; opening reads the key from the ciphertext. */
export function kmsCipher(options: { region: string; keyId?: string }): SecretCipher {
  let client: InstanceType<KmsModule['KMSClient']> | undefined;
  const kms = async () => {
    kmsModule ??= import('@aws-sdk/client-kms');
    const module = await kmsModule;
    // Timeouts like the DynamoDB client's: a hung KMS must not hold a request until the Lambda dies.
    client ??= new module.KMSClient({
      region: options.region,
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
    });
    return { module, client };
  };
  return {
    async seal(secret, accessKeyId) {
      if (!options.keyId) throw new Error('a KMS key id is needed to seal secrets');
      const { module, client: kmsClient } = await kms();
      const { CiphertextBlob } = await kmsClient.send(
        new module.EncryptCommand({
          KeyId: options.keyId,
          Plaintext: Buffer.from(secret),
          EncryptionContext: { accessKeyId },
        }),
      );
      return `kms:v1:${Buffer.from(CiphertextBlob ?? []).toString('base64')}`;
    },
    async open(sealed, accessKeyId) {
      const [scheme, version, blob = ''] = sealed.split(':');
      if (scheme !== 'kms' || version !== 'v1') throw new Error('not a KMS-sealed secret');
      const { module, client: kmsClient } = await kms();
      const { Plaintext } = await kmsClient.send(
        new module.DecryptCommand({
          CiphertextBlob: Buffer.from(blob, 'base64'),
          EncryptionContext: { accessKeyId },
        }),
      );
      return Buffer.from(Plaintext ?? []).toString('utf8');
    },
  };
}

export function secretCipher(
  mode: SecretsMode,
  settings: { region: string; kmsKeyId?: string; localKey?: string },
) {
  return mode === 'kms'
    ? kmsCipher({ region: settings.region, ...(settings.kmsKeyId ? { keyId: settings.kmsKeyId } : {}) })
    : localCipher(settings.localKey);
}
