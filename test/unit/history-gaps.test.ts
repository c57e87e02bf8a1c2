// The history's gaps (lib/storage/history.ts) and how the admin CLI prints them and everything else
// (scripts/admin/output.ts: one JSON document per command), without a table: the pure parts.
import { describe, expect, it } from 'vitest';
import {
  type CurrentBucket,
  gapAtHead,
  gapBefore,
  gapBetween,
  type HistoryEntry,
} from '../../lib/storage/history.ts';
import { gapText, stateView } from '../../scripts/admin/history.ts';
import { batchInfoOf } from '../../scripts/admin/history-replay.ts';
import { createOutput, formatTable } from '../../scripts/admin/output.ts';

const DAY = 86_400;
const NOW = Date.parse('2026-06-01T00:00:00Z') / 1000;
const GENERATION = '2026-05-01T00:00:00.000Z';

/** An entry of the generation, written `daysAgo` before NOW with 400 days' retention. */
function stored(version: number, extra: Partial<HistoryEntry> = {}, daysAgo = 1, retentionDays = 400) {
  const time = NOW - daysAgo * DAY;
  return {
    entry: {
      time: new Date(time * 1000).toISOString(),
      operation: 'PutBucketEncryption',
      bucket: 'b1',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLE',
      requestId: `REQ${version}`,
      sourceIp: '192.0.2.1',
      before: null,
      after: null,
      bucketOwner: '111122223333',
      generation: GENERATION,
      version,
      previousRequestId: `REQ${version - 1}`,
      ...extra,
    },
    expiresAt: time + retentionDays * DAY,
  };
}

describe('gapBetween', () => {
  it('finds the versions between two entries of a generation', () => {
    expect(gapBetween(stored(7), stored(5), NOW)).toEqual({
      bucket: 'b1',
      bucketOwner: '111122223333',
      generation: GENERATION,
      fromVersion: 6,
      toVersion: 6,
      pending: false,
    });
    expect(gapBetween(stored(9), stored(5), NOW)).toMatchObject({ fromVersion: 6, toVersion: 8 });
  });

  it.each([
    ['consecutive versions', stored(6), stored(5)],
    [
      'versions a retried write took (the newer entry follows the older one’s request)',
      stored(8, { previousRequestId: 'REQ5' }),
      stored(5),
    ],
    ['two generations', stored(3, { generation: '2026-05-20T00:00:00.000Z' }), stored(9)],
    ['two owners of one creation time', stored(3, { bucketOwner: '444455556666' }), stored(1)],
    [
      'an older entry past its expiry (the ones between may be expired and deleted)',
      stored(9),
      stored(5, {}, 401),
    ],
  ])('finds none between %s', (_, newer, older) => {
    expect(gapBetween(newer, older, NOW)).toBeUndefined();
  });

  it('finds one when the newer entry names no previous request (written before it was recorded)', () => {
    expect(gapBetween(stored(8, { previousRequestId: undefined }), stored(5), NOW)).toMatchObject({
      fromVersion: 6,
      toVersion: 7,
    });
  });
});

describe('gapBefore', () => {
  it("finds a generation's first versions missing while they cannot have expired", () => {
    expect(gapBefore(stored(3), NOW)).toMatchObject({ fromVersion: 1, toVersion: 2, pending: false });
    expect(gapBefore(stored(1), NOW)).toBeUndefined();
  });

  it('finds none once the generation is older than the retention (its first entries may have expired)', () => {
    // Created 31 days ago, entries kept 30 days: version 1 may be gone by TTL.
    expect(gapBefore(stored(3, {}, 1, 30), NOW)).toBeUndefined();
    expect(gapBefore(stored(3, {}, 1, 40), NOW)).toMatchObject({ fromVersion: 1, toVersion: 2 });
  });
});

describe('gapAtHead', () => {
  const current = (version: number, lastRequestId?: string): CurrentBucket => ({
    bucketOwner: '111122223333',
    generation: GENERATION,
    version,
    lastRequestId,
  });

  it('finds the newest changes without an entry, as pending', () => {
    expect(gapAtHead('b1', current(7, 'REQ7'), stored(5).entry)).toMatchObject({
      fromVersion: 6,
      toVersion: 7,
      pending: true,
    });
    expect(gapAtHead('b1', current(5, 'REQ5'), stored(5).entry)).toBeUndefined();
  });

  it('finds none when the last change is the newest entry’s request applied again', () => {
    expect(gapAtHead('b1', current(7, 'REQ5'), stored(5).entry)).toBeUndefined();
  });

  it('finds every version when the generation has no entry', () => {
    expect(
      gapAtHead('b1', current(2, 'X'), stored(9, { generation: '2020-01-01T00:00:00.000Z' }).entry),
    ).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
    });
    expect(gapAtHead('b1', current(1, 'X'), undefined)).toMatchObject({ fromVersion: 1, toVersion: 1 });
  });
});

describe('the admin CLI’s history view', () => {
  const gap = { bucket: 'b1', bucketOwner: '1', generation: GENERATION };
  it.each([
    [{ ...gap, fromVersion: 6, toVersion: 6, pending: false }, '1 change not recorded between v5 and v7'],
    [{ ...gap, fromVersion: 6, toVersion: 8, pending: false }, '3 changes not recorded between v5 and v9'],
    [{ ...gap, fromVersion: 1, toVersion: 2, pending: false }, '2 changes not recorded before v3'],
    [
      { ...gap, fromVersion: 4, toVersion: 4, pending: true },
      /^1 change not recorded after v3: the bucket is at v4 /,
    ],
  ])('says %j as %s', (found, text) => {
    expect(gapText(found)).toMatch(text);
  });

  it('shows a policy (kept as text) as the JSON it is', () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    expect(stateView('PutBucketPolicy', policy)).toEqual({ Version: '2012-10-17', Statement: [] });
    expect(stateView('DeleteBucket', { owner: '1', policy })).toEqual({
      owner: '1',
      policy: { Version: '2012-10-17', Statement: [] },
    });
    expect(stateView('PutBucketEncryption', { SSEAlgorithm: 'AES256' })).toEqual({ SSEAlgorithm: 'AES256' });
    expect(stateView('PutBucketPolicy', null)).toBeNull();
  });
});

describe('the admin CLI’s output', () => {
  const printed = (json: boolean, use: (out: ReturnType<typeof createOutput>) => void) => {
    const lines: string[] = [];
    use(createOutput(json, (line) => lines.push(line)));
    return lines;
  };

  it('streams a list as one JSON document, empty or not', () => {
    for (const items of [[], [{ a: 1 }], [{ a: 1 }, { b: '2' }, null]]) {
      const lines = printed(true, (out) => {
        const list = out.stream('entries', { bucket: 'b1' });
        for (const item of items) list.item(['text'], item);
        list.end({ nextCursor: null });
      });
      expect(JSON.parse(lines.join('\n'))).toEqual({ bucket: 'b1', entries: items, nextCursor: null });
    }
    const bare = printed(true, (out) => {
      const list = out.stream('messages', {});
      list.item([], 1);
      list.end({});
    });
    expect(JSON.parse(bare.join('\n'))).toEqual({ messages: [1] });
  });

  it('prints lists as one JSON object, and as a table with a header in text', () => {
    const list = (json: boolean, items: { id: string; name: string }[]) =>
      printed(json, (out) =>
        out.list({
          key: 'accounts',
          items,
          header: ['ID', 'NAME'],
          row: (item) => [item.id, item.name],
          empty: '(none)',
        }),
      );
    expect(JSON.parse(list(true, []).join('\n'))).toEqual({ accounts: [] });
    expect(list(false, [])).toEqual(['(none)']);
    expect(
      list(false, [
        { id: '1', name: 'a' },
        { id: '22', name: 'bb' },
      ]),
    ).toEqual(['ID  NAME', '1   a', '22  bb']);
    expect(formatTable(['A', 'B'], [['xxx', '']])).toEqual(['A    B', 'xxx']);
  });
});

describe('the on-failure record a replay reads', () => {
  // AWS Lambda Developer Guide, "Retaining discarded records for a DynamoDB event source in Lambda".
  const documented = {
    requestContext: {
      requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
      functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2019-11-14T00:13:49.717Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001573689847184-864758bb',
      startSequenceNumber: '800000000003126276362',
      endSequenceNumber: '800000000003126276362',
      approximateArrivalOfFirstRecord: '2019-11-14T00:13:19Z',
      approximateArrivalOfLastRecord: '2019-11-14T00:13:19Z',
      batchSize: 1,
      streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388',
    },
  };

  it("reads AWS's example record", () => {
    expect(batchInfoOf(JSON.stringify(documented))).toEqual({
      shardId: 'shardId-00000001573689847184-864758bb',
      startSequenceNumber: '800000000003126276362',
      endSequenceNumber: '800000000003126276362',
      streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388',
      batchSize: 1,
    });
  });

  it.each([
    ['not JSON', 'not json'],
    [
      'no batch info (an SQS or Kinesis record)',
      JSON.stringify({ ...documented, DDBStreamBatchInfo: undefined }),
    ],
    [
      'a sequence number that is not a number',
      JSON.stringify({
        ...documented,
        DDBStreamBatchInfo: { ...documented.DDBStreamBatchInfo, endSequenceNumber: 'x' },
      }),
    ],
  ])('says why it cannot read %s', (_, body) => {
    expect(typeof batchInfoOf(body)).toBe('string');
  });
});
