// A KMS endpoint for tests: a node:http server on 127.0.0.1 speaking the protocol the SDK's KMSClient
// speaks (AWS JSON 1.1: POST /, `X-Amz-Target: TrentService.<Operation>`, blobs in base64). It serves
// Encrypt and Decrypt the way KMS documents them: the ciphertext names its key (Decrypt needs no
// KeyId), and the EncryptionContext must be given again, unchanged, to decrypt. Anything else is
// KMS's own JSON error (`__type`), so a client bug shows as the error KMS would return.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  const calls: string[] = [];
  const context = (value: unknown) => Buffer.from(JSON.stringify(Object.entries(value ?? {}).sort()));

  const fail = (response: http.ServerResponse, status: number, type: string, message: string) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ __type: type, message }));
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^TrentService\./, '');
      calls.push(operation);
      if (
        request.method !== 'POST' ||
        !target.startsWith('TrentService.') ||
        !String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')
      ) {
        fail(response, 400, 'UnrecognizedClientException', 'not a signed KMS JSON request');
        return;
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        fail(response, 400, 'SerializationException', 'body is not JSON');
        return;
      }
      const ok = (output: Record<string, unknown>) => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(output));
      };
      if (operation === 'Encrypt') {
        const keyId = String(input.KeyId ?? '');
        if (keyId !== keyArn && !aliases.has(keyId)) {
          fail(response, 400, 'NotFoundException', `Key '${keyId}' does not exist`);
          return;
        }
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', material, iv).setAAD(context(input.EncryptionContext));
        const sealed = Buffer.concat([
          cipher.update(Buffer.from(String(input.Plaintext ?? ''), 'base64')),
          cipher.final(),
        ]);
        const blob = Buffer.concat([MAGIC, iv, cipher.getAuthTag(), sealed]);
        ok({
          CiphertextBlob: blob.toString('base64'),
          KeyId: keyArn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        });
        return;
      }
      if (operation === 'Decrypt') {
        const blob = Buffer.from(String(input.CiphertextBlob ?? ''), 'base64');
        try {
          if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not ours');
          const at = MAGIC.length;
          const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(at, at + 12))
            .setAAD(context(input.EncryptionContext))
            .setAuthTag(blob.subarray(at + 12, at + 28));
          const plaintext = Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]);
          ok({
            Plaintext: plaintext.toString('base64'),
            KeyId: keyArn,
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          });
        } catch {
          // What KMS answers for a ciphertext it cannot open, a wrong EncryptionContext included.
          fail(response, 400, 'InvalidCiphertextException', '');
        }
        return;
      }
      fail(response, 400, 'UnknownOperationException', `${operation} is not served here`);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    keyArn,
    calls,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
