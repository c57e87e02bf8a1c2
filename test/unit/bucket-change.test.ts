// A bucket change as data (lib/storage/buckets.ts): the UpdateItem expression it becomes, and the
// encryption codec's stored shape, which must stay what existing tables and the history's stream
// images hold (docs/architecture.md "Adding a configuration subresource").
import { describe, expect, it } from 'vitest';
import { encryptionCodec, type StoredEncryption } from '../../lib/encryption/codec.ts';
import {
  deletePolicyChange,
  putPolicyChange,
  readConfiguration,
  removeConfiguration,
  setConfiguration,
  updateExpression,
} from '../../lib/storage/buckets.ts';

const LAST_CHANGE = { M: { time: { S: '2026-01-01T00:00:00.000Z' } } };

const stored: StoredEncryption = {
  sseAlgorithm: 'aws:kms',
  kmsMasterKeyId: 'alias/key',
  projectId: 'project',
  bucketKeyEnabled: true,
  blockedEncryptionTypes: ['SSE-C'],
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: '111122223333',
};

describe('the encryption codec', () => {
  it('stores the map existing tables hold', () => {
    expect(encryptionCodec.toAttribute(stored)).toEqual({
      M: {
        sseAlgorithm: { S: 'aws:kms' },
        bucketKeyEnabled: { BOOL: true },
        updatedAt: { S: '2026-01-01T00:00:00.000Z' },
        updatedBy: { S: '111122223333' },
        kmsMasterKeyId: { S: 'alias/key' },
        projectId: { S: 'project' },
        blockedEncryptionTypes: { L: [{ S: 'SSE-C' }] },
      },
    });
    const minimal = {
      sseAlgorithm: 'AES256',
      bucketKeyEnabled: false,
      updatedAt: 't',
      updatedBy: 'a',
    } as const;
    expect(encryptionCodec.toAttribute(minimal)).toEqual({
      M: {
        sseAlgorithm: { S: 'AES256' },
        bucketKeyEnabled: { BOOL: false },
        updatedAt: { S: 't' },
        updatedBy: { S: 'a' },
      },
    });
  });

  it('reads back what it stores, and nothing from an item without the attribute', () => {
    const item = { encryption: encryptionCodec.toAttribute(stored) };
    expect(readConfiguration(encryptionCodec, { item })).toEqual(stored);
    expect(readConfiguration(encryptionCodec, { item: {} })).toBeUndefined();
    expect(readConfiguration(encryptionCodec, undefined)).toBeUndefined();
  });
});

describe('a bucket change as an UpdateItem expression', () => {
  it('sets lastChange with the change, removes what it names and moves the version', () => {
    const update = updateExpression(setConfiguration(encryptionCodec, stored), LAST_CHANGE);
    expect(update.expression).toBe('SET #lastChange = :lastChange, #a0 = :a0 ADD #version :one');
    expect(update.names).toEqual({ '#version': 'version', '#lastChange': 'lastChange', '#a0': 'encryption' });
    expect(update.values).toEqual({
      ':one': { N: '1' },
      ':lastChange': LAST_CHANGE,
      ':a0': encryptionCodec.toAttribute(stored),
    });
    expect(updateExpression(removeConfiguration(encryptionCodec), LAST_CHANGE).expression).toBe(
      'SET #lastChange = :lastChange REMOVE #a0 ADD #version :one',
    );
  });

  it('writes the policy with a new revision, and what it denies the owner only when there is any', () => {
    const denying = putPolicyChange('{}', ['s3:ListBucket'], 'v1-test');
    expect(denying.set?.ownerDenyActions).toEqual({ SS: ['s3:ListBucket'] });
    expect(denying.remove).toEqual(['policyHasDeny']);
    expect(denying.set?.ownerDenyScope).toEqual({ S: 'v1-test' });
    const allowing = putPolicyChange('{}', [], 'v1-test');
    expect(allowing.set?.ownerDenyActions).toBeUndefined();
    expect(allowing.remove).toEqual(['policyHasDeny', 'ownerDenyActions']);
    expect(allowing.set?.policyRevision).not.toEqual(
      putPolicyChange('{}', [], 'v1-test').set?.policyRevision,
    );
    const update = updateExpression(deletePolicyChange(), LAST_CHANGE);
    expect(update.expression).toBe(
      'SET #lastChange = :lastChange, #a0 = :a0 REMOVE #a1, #a2, #a3, #a4 ADD #version :one',
    );
    expect([update.names['#a1'], update.names['#a2'], update.names['#a3'], update.names['#a4']]).toEqual([
      'policy',
      'policyHasDeny',
      'ownerDenyActions',
      'ownerDenyScope',
    ]);
  });

  it('refuses a change that names what every write manages', () => {
    for (const attribute of ['version', 'lastChange', 'pk', 'sk']) {
      expect(() => updateExpression({ set: { [attribute]: { S: 'x' } } }, LAST_CHANGE)).toThrow(attribute);
      expect(() => updateExpression({ remove: [attribute] }, LAST_CHANGE)).toThrow(attribute);
    }
  });
});
