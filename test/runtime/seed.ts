// ALICE's account and access key in the runtime tests' table, her secret sealed by the stack's key
// through KMS (the KMS endpoint), as `npm run admin` does in AWS. Idempotent: each test file seeds.
import { kmsCipher } from '../../lib/auth/secrets.ts';
import { createAccountStore } from '../../lib/storage/accounts.ts';
import { localDynamoClient } from '../../scripts/local-stack.ts';
import { ALICE } from '../unit/auth/helpers.ts';
import { REGION } from './global-setup.ts';

export async function seedAlice(dynamodbEndpoint: string, tableName: string, kmsKeyArn: string) {
  const client = localDynamoClient(dynamodbEndpoint);
  try {
    const accounts = createAccountStore(client, tableName);
    const createdAt = new Date().toISOString();
    await accounts.putAccount({ accountId: ALICE.accountId, name: 'alice', createdAt }, { overwrite: true });
    await accounts.putAccessKey(
      {
        accessKeyId: ALICE.accessKeyId,
        accountId: ALICE.accountId,
        sealedSecret: await kmsCipher({ region: REGION, keyId: kmsKeyArn }).seal(
          ALICE.secretAccessKey,
          ALICE.accessKeyId,
        ),
        status: 'Active',
        createdAt,
      },
      { overwrite: true },
    );
  } finally {
    client.destroy();
  }
}
