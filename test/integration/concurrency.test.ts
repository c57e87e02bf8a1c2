// 200 concurrent mixed requests from two accounts on the same few bucket names, in-process against
// DynamoDB Local, then the invariants checked over the recorded history (each request's start, end
// and answer):
// - no 5xx, and every answer is one its operation may give;
// - every configuration (and policy) a GET returns is exactly one that a successful PUT of the same
//   account wrote to the same name — never a mix — and no successful removal, overwrite or
//   DeleteBucket of that name lies wholly between that PUT and the GET (a deleted bucket's
//   configuration never comes back); a GET answers "unset" only when a removal could explain it;
// - no request of one account changes another's bucket (the other account's buckets, read back
//   after the storm, are exactly as they were, version counter included);
// - a bucket deleted and created again starts with no configuration and no policy.
import { Agent } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import { type BucketRecord, readConfiguration } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { errorCode, type Result, send } from '../helpers/invoke.ts';
import { lambdaContext, md5, type RequestShape, signedEvent } from '../helpers/signed-event.ts';

const REQUESTS = 200;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const UNSET =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';

type Account = 'A' | 'B';
const IDENTITIES = { A: OWNER, B: SECOND_IDENTITY } as const;
const OTHER: Record<Account, Account> = { A: 'B', B: 'A' };

type Operation =
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'PutBucketEncryption'
  | 'GetBucketEncryption'
  | 'DeleteBucketEncryption'
  | 'PutBucketPolicy'
  | 'GetBucketPolicy'
  | 'DeleteBucketPolicy';

// What each operation may answer under contention; anything else (a 5xx above all) fails the test.
const ALLOWED: Record<Operation, readonly string[]> = {
  CreateBucket: ['200', '409 BucketAlreadyOwnedByYou', '409 BucketAlreadyExists'],
  DeleteBucket: ['204', '404 NoSuchBucket', '403 AccessDenied'],
  PutBucketEncryption: ['200', '404 NoSuchBucket', '403 AccessDenied', '409 OperationAborted'],
  GetBucketEncryption: ['200', '404 NoSuchBucket', '403 AccessDenied'],
  DeleteBucketEncryption: ['204', '404 NoSuchBucket', '403 AccessDenied', '409 OperationAborted'],
  PutBucketPolicy: ['204', '404 NoSuchBucket', '403 AccessDenied'],
  GetBucketPolicy: ['200', '404 NoSuchBucket', '404 NoSuchBucketPolicy', '403 AccessDenied'],
  DeleteBucketPolicy: ['204', '404 NoSuchBucket', '403 AccessDenied'],
};

interface Call {
  id: number;
  account: Account;
  operation: Operation;
  bucket: string;
  shape: RequestShape;
}

interface Answered extends Call {
  start: number;
  end: number;
  result: Result;
  answer: string;
}

/** The configuration PUT number `id` writes: its key names it, so a GET tells which PUT it saw. */
const configurationOf = (id: number) =>
  `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/put-${id}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${id % 2 === 0}</BucketKeyEnabled>${
    id % 3 === 0
      ? '<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>'
      : ''
  }</Rule></ServerSideEncryptionConfiguration>`;

/**
 * A policy denying the other account, named by its Sid, and everyone outside the test's address range:
 * that Deny could apply to the owner (its source address is only known per request), so the owner's
 * writes take the policy-checked path; it never matches (requests come from 127.0.0.1).
 */
const policyOf = (id: number, bucket: string, account: Account) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `put${id}`,
        Effect: 'Deny',
        Principal: { AWS: IDENTITIES[OTHER[account]].accountId },
        Action: 's3:PutEncryptionConfiguration',
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutEncryptionConfiguration',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
      },
    ],
  });

function shapeOf(id: number, operation: Operation, bucket: string, account: Account): RequestShape {
  const identity = IDENTITIES[account];
  const path = `/${bucket}`;
  switch (operation) {
    case 'CreateBucket':
      return { method: 'PUT', path, identity };
    case 'DeleteBucket':
      return { method: 'DELETE', path, identity };
    case 'PutBucketEncryption': {
      const body = configurationOf(id);
      return {
        method: 'PUT',
        path,
        query: 'encryption',
        body,
        headers: { 'content-md5': md5(body) },
        identity,
      };
    }
    case 'GetBucketEncryption':
      return { method: 'GET', path, query: 'encryption', identity };
    case 'DeleteBucketEncryption':
      return { method: 'DELETE', path, query: 'encryption', identity };
    case 'PutBucketPolicy':
      return { method: 'PUT', path, query: 'policy', body: policyOf(id, bucket, account), identity };
    case 'GetBucketPolicy':
      return { method: 'GET', path, query: 'policy', identity };
    case 'DeleteBucketPolicy':
      return { method: 'DELETE', path, query: 'policy', identity };
  }
}

/** mulberry32: the same mix of requests on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIGHTS: ReadonlyArray<[Operation, number]> = [
  ['CreateBucket', 14],
  ['DeleteBucket', 8],
  ['PutBucketEncryption', 22],
  ['GetBucketEncryption', 22],
  ['DeleteBucketEncryption', 8],
  ['PutBucketPolicy', 9],
  ['GetBucketPolicy', 12],
  ['DeleteBucketPolicy', 5],
];
const MUTATIONS: readonly Operation[] = [
  'CreateBucket',
  'DeleteBucket',
  'PutBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
];

function plan(shared: readonly string[], sentinels: Record<Account, string>): Call[] {
  const next = random(20261120);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  const calls: Call[] = [];
  for (let id = 0; id < REQUESTS; id++) {
    const account: Account = next() < 0.5 ? 'A' : 'B';
    let operation: Operation = 'GetBucketEncryption';
    let roll = next() * total;
    for (const [candidate, weight] of WEIGHTS) {
      roll -= weight;
      if (roll < 0) {
        operation = candidate;
        break;
      }
    }
    // One request in eight attacks the other account's own bucket.
    const hostile = next() < 0.125;
    if (hostile) operation = pick(MUTATIONS);
    const bucket = hostile ? sentinels[OTHER[account]] : pick(shared);
    calls.push({ id, account, operation, bucket, shape: shapeOf(id, operation, bucket, account) });
  }
  return calls;
}

const answerOf = (result: Result) =>
  `${result.statusCode}${errorCode(result) ? ` ${errorCode(result)}` : ''}`;
const succeeded = (call: Answered) => call.result.statusCode < 300;

/** Successful requests on `bucket` that remove or replace what `write` wrote. */
function supersedes(call: Answered, write: Answered, kind: 'encryption' | 'policy'): boolean {
  if (call.id === write.id || call.bucket !== write.bucket || !succeeded(call)) return false;
  if (call.operation === 'DeleteBucket') return true;
  return kind === 'encryption'
    ? call.operation === 'PutBucketEncryption' || call.operation === 'DeleteBucketEncryption'
    : call.operation === 'PutBucketPolicy' || call.operation === 'DeleteBucketPolicy';
}

function violations(history: readonly Answered[]): string[] {
  const found: string[] = [];
  const byId = new Map(history.map((call) => [call.id, call]));
  const describe = (call: Answered) =>
    `#${call.id} ${call.account} ${call.operation} ${call.bucket} → ${call.answer} [${call.start.toFixed(1)}, ${call.end.toFixed(1)}]`;

  for (const get of history) {
    if (!succeeded(get)) continue;
    if (get.operation !== 'GetBucketEncryption' && get.operation !== 'GetBucketPolicy') continue;
    const kind = get.operation === 'GetBucketEncryption' ? 'encryption' : 'policy';
    const seen =
      kind === 'encryption'
        ? /<KMSMasterKeyID>alias\/put-(\d+)<\/KMSMasterKeyID>/.exec(get.result.body)?.[1]
        : /"Sid":"put(\d+)"/.exec(get.result.body)?.[1];
    if (seen === undefined) {
      if (kind === 'policy' || get.result.body !== UNSET) {
        found.push(`${describe(get)} returned what no PUT wrote: ${get.result.body}`);
        continue;
      }
      // "Nothing set": some removal must explain why a write finished before the GET is not seen.
      for (const write of history) {
        if (write.operation !== 'PutBucketEncryption' || write.bucket !== get.bucket || !succeeded(write))
          continue;
        if (write.account !== get.account || write.end >= get.start) continue;
        const removed = history.some(
          (other) =>
            other.bucket === get.bucket &&
            succeeded(other) &&
            (other.operation === 'DeleteBucketEncryption' || other.operation === 'DeleteBucket') &&
            other.end > write.start &&
            other.start < get.end,
        );
        if (!removed) found.push(`${describe(get)} lost ${describe(write)}`);
      }
      continue;
    }
    const write = byId.get(Number(seen));
    const expected =
      kind === 'encryption'
        ? XML_DECLARATION + configurationOf(Number(seen))
        : write && policyOf(write.id, write.bucket, write.account);
    if (!write || get.result.body !== expected) {
      found.push(`${describe(get)} returned a configuration no PUT wrote whole: ${get.result.body}`);
      continue;
    }
    if (!succeeded(write)) found.push(`${describe(get)} saw the write of a refused ${describe(write)}`);
    if (write.account !== get.account)
      found.push(`${describe(get)} saw another account's ${describe(write)}`);
    if (write.bucket !== get.bucket)
      found.push(`${describe(get)} saw a write to another bucket: ${describe(write)}`);
    if (write.start > get.end) found.push(`${describe(get)} saw the future ${describe(write)}`);
    for (const other of history) {
      if (supersedes(other, write, kind) && other.start > write.end && other.end < get.start) {
        found.push(
          `${describe(get)} saw ${describe(write)} after ${describe(other)} had removed or replaced it`,
        );
      }
    }
  }
  return found;
}

/**
 * In AWS each of 200 concurrent requests is a container of its own, with its own connection to
 * DynamoDB. Here they share one client, whose pool (50 sockets by default) would queue them, and the
 * SDK counts time queued for a socket against the 500 ms connection timeout. So the shared client
 * gets a socket per request, opened 20 at a time: DynamoDB Local's Java accept backlog (50, shared
 * with the other test files) drops a larger burst of connects, and a dropped SYN is retried only
 * after a second. Timeouts and retries stay as configured.
 */
async function poolForConcurrentRequests(bucket: string): Promise<void> {
  // The SDK's NodeHttpHandler, as the client holds it.
  const handler = storage().client.config.requestHandler as unknown as {
    updateHttpClientConfig(key: 'httpAgent', value: Agent): void;
  };
  handler.updateHttpClientConfig('httpAgent', new Agent({ keepAlive: true, maxSockets: REQUESTS + 20 }));
  for (let burst = 20; burst <= REQUESTS; burst += 20) {
    await Promise.all(Array.from({ length: burst }, () => storage().buckets.getBucket(bucket)));
  }
}

async function seed(bucket: string, account: Account, id: number): Promise<void> {
  const identity = IDENTITIES[account];
  expect((await send({ method: 'PUT', path: `/${bucket}`, identity })).statusCode).toBe(200);
  expect((await send(shapeOf(id, 'PutBucketEncryption', bucket, account))).statusCode).toBe(200);
  expect((await send(shapeOf(id, 'PutBucketPolicy', bucket, account))).statusCode).toBe(204);
}

describe('the history checker', () => {
  const entry = (
    id: number,
    account: Account,
    operation: Operation,
    [start, end]: [number, number],
    statusCode: number,
    body = '',
  ): Answered => ({
    id,
    account,
    operation,
    bucket: 'b',
    shape: shapeOf(id, operation, 'b', account),
    start,
    end,
    result: { statusCode, body, headers: {} },
    answer: String(statusCode),
  });
  const seen = (id: number) => XML_DECLARATION + configurationOf(id);
  const mixed = seen(1).replace('<BucketKeyEnabled>false', '<BucketKeyEnabled>true');

  it.each<[string, Answered[]]>([
    [
      'a configuration seen after its bucket was deleted',
      [
        entry(1, 'A', 'PutBucketEncryption', [0, 1], 200),
        entry(2, 'A', 'DeleteBucket', [2, 3], 204),
        entry(3, 'A', 'GetBucketEncryption', [4, 5], 200, seen(1)),
      ],
    ],
    [
      'a configuration seen after it was replaced',
      [
        entry(1, 'A', 'PutBucketEncryption', [0, 1], 200),
        entry(2, 'A', 'PutBucketEncryption', [2, 3], 200),
        entry(3, 'A', 'GetBucketEncryption', [4, 5], 200, seen(1)),
      ],
    ],
    [
      "another account's configuration",
      [
        entry(1, 'B', 'PutBucketEncryption', [0, 1], 200),
        entry(3, 'A', 'GetBucketEncryption', [2, 3], 200, seen(1)),
      ],
    ],
    [
      'the configuration of a refused PUT',
      [
        entry(1, 'A', 'PutBucketEncryption', [0, 1], 403),
        entry(3, 'A', 'GetBucketEncryption', [2, 3], 200, seen(1)),
      ],
    ],
    [
      'a mix of two configurations',
      [
        entry(1, 'A', 'PutBucketEncryption', [0, 1], 200),
        entry(3, 'A', 'GetBucketEncryption', [2, 3], 200, mixed),
      ],
    ],
    [
      'a lost write',
      [
        entry(1, 'A', 'PutBucketEncryption', [0, 1], 200),
        entry(3, 'A', 'GetBucketEncryption', [2, 3], 200, UNSET),
      ],
    ],
    [
      'a policy seen after its bucket was deleted',
      [
        { ...entry(1, 'A', 'PutBucketPolicy', [0, 1], 204) },
        entry(2, 'B', 'DeleteBucket', [2, 3], 204),
        entry(3, 'A', 'GetBucketPolicy', [4, 5], 200, policyOf(1, 'b', 'A')),
      ],
    ],
  ])('flags %s', (_what, history) => {
    expect(violations(history)).toHaveLength(1);
  });

  it('accepts a history where each GET saw the last write before it', () => {
    expect(
      violations([
        entry(1, 'A', 'PutBucketEncryption', [0, 1], 200),
        entry(2, 'A', 'GetBucketEncryption', [2, 3], 200, seen(1)),
        entry(3, 'A', 'DeleteBucket', [4, 5], 204),
        entry(4, 'A', 'PutBucketEncryption', [3.5, 6], 404),
        entry(5, 'A', 'GetBucketEncryption', [7, 8], 404),
        // Overlapping a removal, "nothing set" is a possible answer.
        entry(6, 'A', 'PutBucketEncryption', [9, 10], 200),
        entry(7, 'A', 'DeleteBucketEncryption', [10.5, 12], 204),
        entry(8, 'A', 'GetBucketEncryption', [11, 13], 200, UNSET),
      ]),
    ).toEqual([]);
  });
});

describe('200 concurrent requests from two accounts on the same buckets', () => {
  it("returns no 5xx, never a mixed or resurrected configuration, and never lets one account change the other's bucket", async () => {
    const shared = [uniqueBucket('race'), uniqueBucket('race'), uniqueBucket('race')];
    const sentinels: Record<Account, string> = { A: uniqueBucket('mine-a'), B: uniqueBucket('mine-b') };
    // Seeds use ids past the planned ones, so every id names one write.
    await seed(sentinels.A, 'A', REQUESTS + 1);
    await seed(sentinels.B, 'B', REQUESTS + 2);
    await seed(shared[0] as string, 'A', REQUESTS + 3);
    await seed(shared[1] as string, 'B', REQUESTS + 4);
    const before: Record<Account, BucketRecord | undefined> = {
      A: await storage().buckets.getBucket(sentinels.A),
      B: await storage().buckets.getBucket(sentinels.B),
    };

    const calls = plan(shared, sentinels);
    // Signed beforehand, so that the storm is the service's work, not the test's signing; both
    // identities' keys are in the credential cache already, as in warm containers.
    const events = await Promise.all(calls.map((call) => signedEvent(call.shape)));
    await poolForConcurrentRequests(sentinels.A);
    const origin = performance.now();
    const history: Answered[] = await Promise.all(
      calls.map(async (call, index) => {
        const start = performance.now() - origin;
        const result = (await bucketRoute(
          events[index] as APIGatewayProxyEventV2,
          lambdaContext(),
        )) as Result;
        return { ...call, start, end: performance.now() - origin, result, answer: answerOf(result) };
      }),
    );
    // The seeded writes belong to the history too: a GET may see them.
    const seeded = (id: number, account: Account, bucket: string, operation: Operation): Answered => ({
      id,
      account,
      operation,
      bucket,
      shape: shapeOf(id, operation, bucket, account),
      start: -2,
      end: -1,
      result: { statusCode: 200, body: '', headers: {} },
      answer: '200',
    });
    const everything = [
      ...history,
      seeded(REQUESTS + 3, 'A', shared[0] as string, 'PutBucketEncryption'),
      seeded(REQUESTS + 4, 'B', shared[1] as string, 'PutBucketEncryption'),
    ];

    // Every answer is one its operation may give; no 5xx.
    const unexpected = history.filter((call) => !ALLOWED[call.operation].includes(call.answer));
    expect(
      unexpected.map((call) => `#${call.id} ${call.operation} → ${call.answer} ${call.result.body}`),
    ).toEqual([]);
    expect(history.filter((call) => call.result.statusCode >= 500)).toEqual([]);

    // The storm really raced: both accounts succeeded at writes, reads saw writes, buckets came and went.
    const count = (operation: Operation, answer: string) =>
      history.filter((call) => call.operation === operation && call.answer === answer).length;
    // (How many succeed depends on when the storm's DeleteBuckets land, which the machine's load decides.)
    expect(count('PutBucketEncryption', '200')).toBeGreaterThan(0);
    // Reads met the buckets in some state: a configuration (200) or a bucket already deleted (404). Under
    // two busy loops one run's DeleteBuckets all landed before its Gets: no 200 at all.
    expect(
      count('GetBucketEncryption', '200') + count('GetBucketEncryption', '404 NoSuchBucket'),
    ).toBeGreaterThan(0);
    // DeleteBucket reached buckets that existed: the owner's took one away (204), or it was refused (403:
    // the other account's attempt, or the owner behind its policy's Deny). Which, the load decides: under
    // two busy loops one run had no 204 at all, every owner's delete landing where it was refused.
    expect(count('DeleteBucket', '204') + count('DeleteBucket', '403 AccessDenied')).toBeGreaterThan(0);
    expect(count('CreateBucket', '200')).toBeGreaterThan(0);

    expect(violations(everything)).toEqual([]);

    // The attacked buckets: every hostile request refused, and the items exactly as they were.
    for (const account of ['A', 'B'] as const) {
      const attacks = history.filter(
        (call) => call.bucket === sentinels[account] && call.account !== account,
      );
      expect(attacks.length).toBeGreaterThan(0);
      expect(attacks.filter(succeeded).map((call) => call.answer)).toEqual([]);
      expect(await storage().buckets.getBucket(sentinels[account])).toEqual(before[account]);
    }
  });

  it('returns no configuration and no policy for a bucket deleted and created again', async () => {
    const bucket = uniqueBucket('again');
    await seed(bucket, 'A', 7);
    // Delete and re-create, by another account, while the old owner writes and reads.
    const results = await Promise.all([
      send({ method: 'DELETE', path: `/${bucket}`, identity: OWNER }),
      send(shapeOf(11, 'PutBucketEncryption', bucket, 'A')),
      send(shapeOf(12, 'PutBucketPolicy', bucket, 'A')),
      send(shapeOf(13, 'GetBucketEncryption', bucket, 'A')),
    ]);
    expect(results.every((result) => result.statusCode < 500)).toBe(true);
    expect((await send({ method: 'DELETE', path: `/${bucket}`, identity: OWNER })).statusCode).toBeLessThan(
      500,
    );
    expect((await send({ method: 'PUT', path: `/${bucket}`, identity: SECOND_IDENTITY })).statusCode).toBe(
      200,
    );

    const encryption = await send({
      method: 'GET',
      path: `/${bucket}`,
      query: 'encryption',
      identity: SECOND_IDENTITY,
    });
    expect(encryption.body).toBe(UNSET);
    const policy = await send({
      method: 'GET',
      path: `/${bucket}`,
      query: 'policy',
      identity: SECOND_IDENTITY,
    });
    expect(`${policy.statusCode} ${errorCode(policy)}`).toBe('404 NoSuchBucketPolicy');
    const record = await storage().buckets.getBucket(bucket);
    expect(record).toMatchObject({ ownerId: SECOND_IDENTITY.accountId, policy: undefined });
    expect(readConfiguration(encryptionCodec, record)).toBeUndefined();
    // The old owner's late writes do not land on the new owner's bucket.
    expect((await send(shapeOf(14, 'PutBucketEncryption', bucket, 'A'))).statusCode).toBe(403);
  });
});
