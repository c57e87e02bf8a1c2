// The KMS commands a Lambda sends (Decrypt only), imported lazily by lib/auth/secrets.ts: through this
// module the chunk holds the client and this one command rather than all of @aws-sdk/client-kms
// (test/e2e/package.test.ts compares each bundle's commands with its role).
export { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
