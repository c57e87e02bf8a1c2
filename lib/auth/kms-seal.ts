// The KMS command only the admin CLI sends (Encrypt, to seal a new key's secret): a module of its own
// so that no Lambda bundle holds it (lib/auth/secrets.ts).
export { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
