// Who is calling: the request's signature, verified against the access key's stored secret
// (cached in the container), in the forms the deployment's profile accepts.
import { config, profile } from '../config.ts';
import type { Caller, S3Request } from '../request.ts';
import { containerStorage } from '../storage/container.ts';
import { createCredentialCache } from './credentials.ts';
import { type SecretOpener, secretOpener } from './secrets.ts';
import { verifyRequestSignature } from './sigv4.ts';

let cache: ReturnType<typeof createCredentialCache> | undefined;

export function credentialCache() {
  const settings = config();
  let cipher: SecretOpener | undefined;
  cache ??= createCredentialCache(
    () => containerStorage().accessKeys,
    () =>
      (cipher ??= secretOpener(settings.secretsMode, {
        region: settings.region,
        ...(settings.localSecretsKey ? { localKey: settings.localSecretsKey } : {}),
      })),
    settings.credentialCacheTtlMs,
  );
  return cache;
}

export async function authenticate(request: S3Request): Promise<Caller> {
  const settings = config();
  return verifyRequestSignature(request, {
    now: new Date(),
    region: settings.region,
    allowV2: profile().signatureV2,
    lookup: credentialCache().lookup,
    // V2/OBS writes whose body no signed digest covers: one conditional write (docs/security.md "Replay").
    // Only the obs profile's V2/OBS signatures bind bodies, so the store is imported then.
    bindBody: async (binding) => (await import('../storage/index.ts')).storage().signatures.bindBody(binding),
  });
}
