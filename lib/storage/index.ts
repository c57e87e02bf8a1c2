// The storage the handlers use: one client and one set of access patterns per container,
// built on first use from the configuration. Tests build their own with createStorage.
// The client and the access-key reader are lib/storage/container.ts, which authentication reads at
// every cold start; the stores here are built on that same client when an operation first asks.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '../config.ts';
import { createAccessKeyReader } from './access-keys.ts';
import { type BucketStore, createBucketStore } from './buckets.ts';
import { type ContainerStorage, containerStorage, setContainerStorage } from './container.ts';
import { createSignatureStore, type SignatureStore } from './signatures.ts';

export interface Storage extends ContainerStorage {
  buckets: BucketStore;
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
    const { client, accessKeys } = containerStorage();
    const { tableName } = config();
    current = {
      client,
      accessKeys,
      buckets: createBucketStore(client, tableName),
      signatures: createSignatureStore(client, tableName),
    };
  }
  return current;
}

/** Replace the container's storage (tests, benchmarks). */
export function setStorage(replacement: Storage | undefined): void {
  current = replacement;
  setContainerStorage(replacement);
}
