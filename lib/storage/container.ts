// The container's DynamoDB client and the one read authentication makes (the caller's access key), built
// on first use from the configuration. This is all of storage a cold start loads: the operations' access
// patterns (the bucket store, the V2 signature bindings) are lib/storage/index.ts, built on this same
// client when an operation first needs them, and loaded with the operations (docs/performance.md
// "Cold start"). Tests replace both through setStorage in lib/storage/index.ts.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '../config.ts';
import { type AccessKeyReader, createAccessKeyReader } from './access-keys.ts';
import { createDynamoClient } from './client.ts';

export interface ContainerStorage {
  client: DynamoDBClient;
  /** The access-key lookup (the admin CLI's account and key management is lib/storage/accounts.ts). */
  accessKeys: AccessKeyReader;
}

let current: ContainerStorage | undefined;

export function containerStorage(): ContainerStorage {
  if (!current) {
    const settings = config();
    const client = createDynamoClient(settings);
    current = { client, accessKeys: createAccessKeyReader(client, settings.tableName) };
  }
  return current;
}

/** Replace the container's client and key reader (lib/storage/index.ts setStorage, for tests and benchmarks). */
export function setContainerStorage(replacement: ContainerStorage | undefined): void {
  current = replacement;
}
