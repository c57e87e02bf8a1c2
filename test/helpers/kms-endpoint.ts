// A KMS endpoint for tests, speaking the protocol the SDK's KMSClient speaks (AWS JSON 1.1 through
// test/helpers/json-protocol.ts: `X-Amz-Target: TrentService.<Operation>`, blobs in base64). It serves
// Encrypt and Decrypt the way KMS documents them: the ciphertext names its key (Decrypt needs no
// KeyId), and the EncryptionContext must be given again, unchanged, to decrypt. Anything else is
// KMS's own JSON error (`__type`), so a client bug shows as the error KMS would return.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { JsonProtocolError, startJsonProtocolServer } from './json-protocol.ts';

export interface KmsEndpoint {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_KMS or a client's `endpoint`. */
  url: string;
  /** The ARN of the one key this endpoint holds. */
  keyArn: string;
  /** Operations served, in order (`Encrypt`, `Decrypt`…). */
  calls: string[];
  stop(): Promise<void>;
}

const MAGIC = Buffer.from('kms-test-v1');

export async function startKmsEndpoint(region = 'us-east-1'): Promise<KmsEndpoint> {
  const keyArn = `arn:aws:kms:${region}:123456789012:key/0f0e0d0c-0b0a-4909-8807-060504030201`;
  const aliases = new Set([
    `alias/bucket-encryption-api-dev-secrets`,
    `alias/bucket-encryption-api-prod-secrets`,
  ]);
  const material = randomBytes(32);
  const context = (value: unknown) => Buffer.from(JSON.stringify(Object.entries(value ?? {}).sort()));

  function encrypt(input: Record<string, unknown>) {
    const keyId = String(input.KeyId ?? '');
    if (keyId !== keyArn && !aliases.has(keyId)) {
      throw new JsonProtocolError(400, 'NotFoundException', `Key '${keyId}' does not exist`);
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material, iv).setAAD(context(input.EncryptionContext));
    const sealed = Buffer.concat([
      cipher.update(Buffer.from(String(input.Plaintext ?? ''), 'base64')),
      cipher.final(),
    ]);
    const blob = Buffer.concat([MAGIC, iv, cipher.getAuthTag(), sealed]);
    return {
      CiphertextBlob: blob.toString('base64'),
      KeyId: keyArn,
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  }

  function decrypt(input: Record<string, unknown>) {
    const blob = Buffer.from(String(input.CiphertextBlob ?? ''), 'base64');
    try {
      if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not ours');
      const at = MAGIC.length;
      const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(at, at + 12))
        .setAAD(context(input.EncryptionContext))
        .setAuthTag(blob.subarray(at + 12, at + 28));
      const plaintext = Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]);
      return {
        Plaintext: plaintext.toString('base64'),
        KeyId: keyArn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    } catch {
      // What KMS answers for a ciphertext it cannot open, a wrong EncryptionContext included.
      throw new JsonProtocolError(400, 'InvalidCiphertextException');
    }
  }

  const server = await startJsonProtocolServer({
    targetPrefix: 'TrentService',
    serve(operation, input) {
      if (operation === 'Encrypt') return encrypt(input);
      if (operation === 'Decrypt') return decrypt(input);
      throw new JsonProtocolError(400, 'UnknownOperationException', `${operation} is not served here`);
    },
  });
  return { ...server, keyArn };
}
