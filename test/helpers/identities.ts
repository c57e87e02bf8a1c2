import { DEFAULT_LOCAL_IDENTITY, type LocalIdentity } from '../../scripts/local-stack.ts';

export const OWNER = DEFAULT_LOCAL_IDENTITY;

/** A second account, for cross-account tests. */
export const SECOND_IDENTITY: LocalIdentity = {
  accountId: '210987654321',
  accountName: 'second',
  accessKeyId: 'AKIASECONDACCOUNT001',
  secretAccessKey: 'secondAccountSecretKey/0000000000000000000',
};

let counter = 0;
/** A bucket name no other test uses. */
export const uniqueBucket = (prefix = 'b') =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`.toLowerCase();
