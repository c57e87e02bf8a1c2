import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { type BucketStreamRecord, historyEntryOf } from '../../lib/history/entry.ts';

type Image = Record<string, AttributeValue>;

const keys = (pk = 'BUCKET#b1', sk = 'BUCKET') => ({ pk: { S: pk }, sk: { S: sk } });
const bucket = (version: number, extra: Image = {}): Image => ({
  ...keys(),
  bucketName: { S: 'b1' },
  ownerId: { S: '111122223333' },
  region: { S: 'us-east-1' },
  createdAt: { S: '2026-01-01T00:00:00.000Z' },
  version: { N: String(version) },
  ...extra,
});
const lastChange = (operation: string, requestId = 'REQ1') => ({
  lastChange: {
    M: {
      time: { S: '2026-01-02T03:04:05.678Z' },
      operation: { S: operation },
      requestId: { S: requestId },
      accountId: { S: '111122223333' },
      accessKeyId: { S: 'AKIAEXAMPLE' },
      sourceIp: { S: '192.0.2.1' },
    },
  },
});
const kms: Image = {
  encryption: {
    M: {
      sseAlgorithm: { S: 'aws:kms' },
      kmsMasterKeyId: { S: 'alias/k' },
      bucketKeyEnabled: { BOOL: true },
      updatedAt: { S: 'x' },
      updatedBy: { S: 'y' },
    },
  },
};
const blockAll: Image = {
  publicAccessBlock: {
    M: {
      blockPublicAcls: { BOOL: true },
      ignorePublicAcls: { BOOL: true },
      blockPublicPolicy: { BOOL: true },
      restrictPublicBuckets: { BOOL: true },
    },
  },
};
const enforced: Image = { ownershipControls: { M: { objectOwnership: { S: 'BucketOwnerEnforced' } } } };
const ALL_BLOCKED = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const marker = (version: number, change: Image): Image => ({
  ...keys(),
  version: { N: String(version) },
  deletedAt: { N: '1767312245' },
  expiresAt: { N: '1767312245' },
  ...change,
});
const record = (
  eventName: string,
  images: { OldImage?: Image; NewImage?: Image },
  pk?: string,
  sk?: string,
) =>
  ({
    eventID: 'e1',
    eventName,
    dynamodb: {
      Keys: keys(pk, sk),
      SequenceNumber: '100',
      ApproximateCreationDateTime: 1767312245,
      ...images,
    },
  }) satisfies BucketStreamRecord;

const actor = {
  time: '2026-01-02T03:04:05.678Z',
  requestId: 'REQ1',
  accountId: '111122223333',
  accessKeyId: 'AKIAEXAMPLE',
  sourceIp: '192.0.2.1',
  bucket: 'b1',
  bucketOwner: '111122223333',
  generation: '2026-01-01T00:00:00.000Z',
};

describe('historyEntryOf', () => {
  it('returns PutBucketEncryption with the configuration before and after, in S3 element names', () => {
    const entry = historyEntryOf(
      record('MODIFY', {
        OldImage: bucket(2),
        NewImage: bucket(3, { ...kms, ...lastChange('PutBucketEncryption') }),
      }),
    );
    expect(entry).toEqual({
      ...actor,
      operation: 'PutBucketEncryption',
      before: null,
      after: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/k', BucketKeyEnabled: true },
      version: 3,
    });
  });

  it('returns DeleteBucket from a deletion marker: the bucket as it was, and the deleter', () => {
    const entry = historyEntryOf(
      record('MODIFY', {
        OldImage: bucket(4, { ...kms, ...blockAll, ...enforced, policy: { S: '{"Version":"2012-10-17"}' } }),
        NewImage: marker(5, lastChange('DeleteBucket')),
      }),
    );
    expect(entry).toEqual({
      ...actor,
      operation: 'DeleteBucket',
      before: {
        owner: '111122223333',
        region: 'us-east-1',
        createdAt: '2026-01-01T00:00:00.000Z',
        encryption: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/k', BucketKeyEnabled: true },
        publicAccessBlock: ALL_BLOCKED,
        ownershipControls: { ObjectOwnership: 'BucketOwnerEnforced' },
        policy: '{"Version":"2012-10-17"}',
      },
      after: null,
      version: 5,
    });
  });

  it('returns CreateBucket with the new bucket and the configurations it was created with', () => {
    const entry = historyEntryOf(
      record('INSERT', { NewImage: bucket(1, { ...blockAll, ...enforced, ...lastChange('CreateBucket') }) }),
    );
    expect(entry).toEqual({
      ...actor,
      operation: 'CreateBucket',
      before: null,
      after: {
        owner: '111122223333',
        region: 'us-east-1',
        createdAt: '2026-01-01T00:00:00.000Z',
        encryption: null,
        publicAccessBlock: ALL_BLOCKED,
        ownershipControls: { ObjectOwnership: 'BucketOwnerEnforced' },
        policy: null,
      },
      version: 1,
    });
  });

  it.each([
    [
      'PutPublicAccessBlock',
      bucket(1, blockAll),
      {
        publicAccessBlock: {
          M: {
            blockPublicAcls: { BOOL: false },
            ignorePublicAcls: { BOOL: true },
            blockPublicPolicy: { BOOL: false },
            restrictPublicBuckets: { BOOL: false },
          },
        },
      },
      ALL_BLOCKED,
      {
        BlockPublicAcls: false,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    ],
    ['DeletePublicAccessBlock', bucket(1, blockAll), {}, ALL_BLOCKED, null],
    [
      'PutBucketOwnershipControls',
      bucket(1, enforced),
      { ownershipControls: { M: { objectOwnership: { S: 'ObjectWriter' } } } },
      { ObjectOwnership: 'BucketOwnerEnforced' },
      { ObjectOwnership: 'ObjectWriter' },
    ],
    [
      'DeleteBucketOwnershipControls',
      bucket(1, enforced),
      {},
      { ObjectOwnership: 'BucketOwnerEnforced' },
      null,
    ],
  ])('returns %s with that configuration before and after', (operation, OldImage, changed, before, after) => {
    const { publicAccessBlock: _p, ownershipControls: _o, ...rest } = OldImage;
    const entry = historyEntryOf(
      record('MODIFY', {
        OldImage,
        NewImage: { ...rest, ...changed, ...lastChange(operation), version: { N: '2' } },
      }),
    );
    expect(entry).toEqual({ ...actor, operation, before, after, version: 2 });
  });

  it('returns CreateBucket for a bucket created over a deletion marker, with nothing before', () => {
    const entry = historyEntryOf(
      record('MODIFY', {
        OldImage: marker(5, lastChange('DeleteBucket')),
        NewImage: bucket(1, lastChange('CreateBucket', 'REQ2')),
      }),
    );
    expect(entry).toMatchObject({ operation: 'CreateBucket', before: null, version: 1 });
  });

  it('returns undefined for a retried write applied twice: the same request changed the item just before', () => {
    const applied = bucket(3, { ...kms, ...lastChange('PutBucketEncryption') });
    const again = bucket(4, { ...kms, ...lastChange('PutBucketEncryption') });
    expect(historyEntryOf(record('MODIFY', { OldImage: applied, NewImage: again }))).toBeUndefined();
  });

  it.each([
    [
      'an account item',
      record('INSERT', { NewImage: { ...keys('ACCOUNT#1', 'ACCOUNT') } }, 'ACCOUNT#1', 'ACCOUNT'),
    ],
    ['a history item', record('INSERT', { NewImage: { ...keys('HISTORY#b1', 'x') } }, 'HISTORY#b1', 'x')],
    [
      "TTL's removal of a deletion marker",
      record('REMOVE', { OldImage: marker(5, lastChange('DeleteBucket')) }),
    ],
  ])('returns undefined for %s', (_name, streamRecord) => {
    expect(historyEntryOf(streamRecord)).toBeUndefined();
  });

  it.each([
    ['CreateBucket', undefined, bucket(1)],
    ['PutBucketEncryption', bucket(1), bucket(2, kms)],
    ['DeleteBucketEncryption', bucket(2, kms), bucket(3)],
    ['PutBucketPolicy', bucket(1), bucket(2, { policy: { S: '{}' } })],
    ['DeleteBucketPolicy', bucket(2, { policy: { S: '{}' } }), bucket(3)],
    ['PutPublicAccessBlock', bucket(1), bucket(2, blockAll)],
    ['DeletePublicAccessBlock', bucket(2, blockAll), bucket(3)],
    ['PutBucketOwnershipControls', bucket(1), bucket(2, enforced)],
    ['DeleteBucketOwnershipControls', bucket(2, enforced), bucket(3)],
    ['DeleteBucket', bucket(3), undefined],
  ])(
    'names a change written outside the S3 API (no lastChange) %s, with no caller',
    (operation, OldImage, NewImage) => {
      const entry = historyEntryOf(
        record(NewImage ? (OldImage ? 'MODIFY' : 'INSERT') : 'REMOVE', {
          ...(OldImage ? { OldImage } : {}),
          ...(NewImage ? { NewImage } : {}),
        }),
      );
      expect(entry).toMatchObject({
        operation,
        accountId: null,
        accessKeyId: null,
        requestId: null,
        sourceIp: null,
        time: new Date(1767312245 * 1000).toISOString(),
        version: NewImage ? Number(NewImage.version?.N) : 4,
      });
    },
  );
});
