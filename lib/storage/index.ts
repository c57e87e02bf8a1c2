// The storage the handlers use: one client and one set of access patterns per container,
// built on first use from the configuration. Tests build their own with createStorage.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '../config.ts';
import { type AccessKeyReader, createAccessKeyReader } from './access-keys.ts';
import { type BucketStore, createBucketStore } from './buckets.ts';
import { createDynamoClient } from './client.ts';
import { createSignatureStore, type SignatureStore } from './signatures.ts';

export interface Storage {
  client: DynamoDBClient;
  buckets: BucketStore;
  /** The access-key lookup (the admin CLI's account and key management is lib/storage/accounts.ts). */
  accessKeys: AccessKeyReader;
  signatures: SignatureStore;
}

export function createStorage(client: DynamoDBClient, tableName: string): Storage {
  return {
    client,
    buckets: createBucketStore(client, tableName),
    accessKeys: createAccessKeyReader(client, tableName),
    signatures: createSignatureStore(client, tableName),
  };
}

let current: Storage | undefined;

export function storage(): Storage {
  if (!current) {
    const settings = config();
    current = createStorage(createDynamoClient(settings), settings.tableName);
  }
  return current;
}

/** Replace the container's storage (tests, benchmarks). */
export function setStorage(replacement: Storage | undefined): void {
  current = replacement;
}
