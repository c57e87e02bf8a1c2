// The hostile-input corpus (test/fixtures/hostile/cases.json), run in-process through the route
// Lambdas against DynamoDB Local. Every case must get its own 4xx in S3 XML, never a 5xx, and leave
// the stored state exactly as it was (read back after each case: the items' version counters too).
// Then: what a replayed SigV4 request can and cannot do, object paths, and what the logs hold.
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Everything this file's requests log is kept and checked at the end (describe 'logs'), at the most
// verbose level; set before the modules below read the environment.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

import { BUCKET_OPERATIONS, SERVICE_OPERATIONS } from '../../functions/operations.ts';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { handler as serviceRoute } from '../../functions/route-service.ts';
import { config } from '../../lib/config.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import { computeChecksum, computeContentMd5 } from '../../lib/integrity.ts';
import { type BucketRecord, readConfiguration } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { AES256_NO_NAMESPACE_XML } from '../helpers/bodies.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { expectS3Error, putEncryption as putConfiguration, type Result, send } from '../helpers/invoke.ts';
import { allowSecondAccount, policyOf, statement } from '../helpers/policies.ts';
import { lambdaContext, type RequestShape, signedEvent } from '../helpers/signed-event.ts';
import { presignV4, sha256Hex } from '../helpers/signer.ts';

type Signing =
  | 'normal'
  | 'unsigned'
  | 'wrong-secret'
  | 'unknown-key'
  | 'long-key'
  | 'old-date'
  | 'future-date'
  | 'wrong-region'
  | 'presigned'
  | 'presigned-expired';

interface Tamper {
  headers?: Record<string, string>;
  removeHeaders?: string[];
  flood?: { count: number; name: string; value: string };
  body?: string;
  path?: string;
  query?: string;
  queryAppend?: string;
  queryPrefix?: string;
  method?: string;
  /** Send the signed x-amz-date as a Date header instead (AWS accepts either). */
  dateHeaderOnly?: boolean;
  flipSignature?: boolean;
  authorizationReplace?: [pattern: string, replacement: string];
}

interface HostileCase {
  name: string;
  category: string;
  operation: string;
  when: string;
  method: string;
  path: string;
  query?: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string;
  bodyFile?: string;
  bodyHex?: string;
  /** Content-MD5 computed over the body, added before signing. */
  integrity?: 'md5';
  signing?: Signing;
  identity?: 'owner' | 'second';
  tamper?: Tamper;
  /** The finding of issue 10 (security review) the case reproduces, if any. */
  finding?: number;
  expect: { status: number; code: string; contains?: string[] };
}

const FIXTURES = new URL('../fixtures/hostile/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', FIXTURES), 'utf8')) as HostileCase[];

const MINUTE = 60_000;
const KMS =
  '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/victim</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
const AES = AES256_NO_NAMESPACE_XML;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
// The victim's policy grants the second account reads, denies everyone (its owner included)
// DeleteBucket and ListBucket (HeadBucket), and carries a Deny whose StringLike pattern made a
// backtracking matcher take seconds; it cannot match an account id, so it never applies.
const victimPolicy = (bucket: string) =>
  policyOf(allowSecondAccount(bucket), statement('Deny', '*', ['s3:DeleteBucket', 's3:ListBucket'], bucket), {
    ...statement('Deny', '*', 's3:*EncryptionConfiguration', bucket),
    Condition: { StringLike: { 'aws:PrincipalAccount': `${'*'.repeat(30)}x` } },
  });

interface Names {
  /** OWNER's bucket, with an encryption configuration and a policy: what every case attacks. */
  bucket: string;
  /** SECOND_IDENTITY's bucket, with a configuration. */
  foreign: string;
  /** A name that must still be free after the case. */
  fresh: string;
}

const expandRepeats = (text: string) =>
  text.replace(/\{repeat:(\d+):([^}]*)\}/g, (_, times: string, unit: string) => unit.repeat(Number(times)));

const fillNames = (text: string, names: Names) =>
  expandRepeats(text)
    .replaceAll('{bucket}', names.bucket)
    .replaceAll('{foreign}', names.foreign)
    .replaceAll('{new}', names.fresh)
    .replaceAll('{owner}', OWNER.accountId)
    .replaceAll('{second}', SECOND_IDENTITY.accountId);

function bodyOf(test: HostileCase, names: Names): Buffer | undefined {
  if (test.bodyFile !== undefined) return readFileSync(new URL(`bodies/${test.bodyFile}`, FIXTURES));
  if (test.bodyHex !== undefined) return Buffer.from(test.bodyHex, 'hex');
  if (test.body !== undefined) return Buffer.from(fillNames(test.body, names), 'utf8');
  return undefined;
}

/** Header values may name digests of the body: `{md5}`, `{sha256}` (hex), `{crc32}`, `{checksum-sha256}`. */
const fillDigests = async (text: string, body: Buffer) =>
  text
    .replaceAll('{md5}', computeContentMd5(body))
    .replaceAll('{sha256}', sha256Hex(body))
    .replaceAll('{crc32}', await computeChecksum('CRC32', body))
    .replaceAll('{checksum-sha256}', await computeChecksum('SHA256', body));

const identityOf = (test: HostileCase) => (test.identity === 'second' ? SECOND_IDENTITY : OWNER);

function signingIdentity(test: HostileCase) {
  const identity = identityOf(test);
  switch (test.signing) {
    case 'wrong-secret':
      return { accessKeyId: identity.accessKeyId, secretAccessKey: `${identity.secretAccessKey}-wrong` };
    case 'unknown-key':
      return { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: identity.secretAccessKey };
    case 'long-key':
      return { accessKeyId: 'A'.repeat(3000), secretAccessKey: identity.secretAccessKey };
    default:
      return identity;
  }
}

/** A presigned URL made by the SDK's own signer, sent as API Gateway would hand it over. */
async function presignedEvent(shape: RequestShape, expiresIn: number, signingDate: Date) {
  const presigned = await presignV4({
    method: shape.method,
    path: shape.path,
    query: Object.fromEntries(
      (shape.query ?? '')
        .split('&')
        .filter(Boolean)
        .map((part) => part.split('=') as [string, string?])
        .map(([name, value = '']) => [name, value]),
    ),
    credentials: shape.identity ?? OWNER,
    unsignedPayload: false,
    expiresIn,
    signingDate,
  });
  return signedEvent({ ...shape, query: presigned.rawQueryString, unsigned: true });
}

/** Every signature this file sends (header or presigned), to look for in the logs. */
const signaturesSent = new Set<string>();

async function eventFor(test: HostileCase, names: Names): Promise<APIGatewayProxyEventV2> {
  const body = bodyOf(test, names);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(test.headers ?? {})) {
    headers[name] = await fillDigests(fillNames(value, names), body ?? Buffer.alloc(0));
  }
  if (test.integrity === 'md5') headers['content-md5'] = computeContentMd5(body ?? Buffer.alloc(0));
  const now = Date.now();
  const shape: RequestShape = {
    method: test.method,
    path: fillNames(test.path, names),
    query: test.query ?? '',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(test.host !== undefined ? { host: fillNames(test.host, names) } : {}),
    identity: signingIdentity(test),
    ...(test.signing === 'unsigned' ? { unsigned: true } : {}),
    ...(test.signing === 'wrong-region' ? { region: 'eu-west-1' } : {}),
    ...(test.signing === 'old-date' ? { date: new Date(now - 16 * MINUTE) } : {}),
    ...(test.signing === 'future-date' ? { date: new Date(now + 16 * MINUTE) } : {}),
  };
  const event =
    test.signing === 'presigned'
      ? await presignedEvent(shape, 3600, new Date(now))
      : test.signing === 'presigned-expired'
        ? await presignedEvent(shape, 60, new Date(now - 10 * MINUTE))
        : await signedEvent(shape);
  if (test.tamper) applyTamper(event, test.tamper, names);
  return event;
}

/** What an attacker (or a broken proxy) does to a request after it was signed. */
function applyTamper(event: APIGatewayProxyEventV2, tamper: Tamper, names: Names): void {
  const signed = { ...event.headers };
  const headers = event.headers as Record<string, string>;
  const fill = (value: string) =>
    fillNames(value, names).replace(/\{signed:([\w-]+)\}/g, (_, name: string) => signed[name] ?? '');
  for (const name of tamper.removeHeaders ?? []) delete headers[name];
  for (const [name, value] of Object.entries(tamper.headers ?? {})) headers[name] = fill(value);
  if (tamper.flood) {
    for (let i = 0; i < tamper.flood.count; i++) headers[`${tamper.flood.name}${i}`] = tamper.flood.value;
  }
  if (tamper.body !== undefined) event.body = Buffer.from(fill(tamper.body)).toString('base64');
  if (tamper.path !== undefined) {
    event.rawPath = fill(tamper.path);
    event.requestContext.http.path = event.rawPath;
  }
  if (tamper.query !== undefined) event.rawQueryString = fill(tamper.query);
  if (tamper.queryAppend !== undefined) event.rawQueryString += fill(tamper.queryAppend);
  if (tamper.queryPrefix !== undefined)
    event.rawQueryString = fill(tamper.queryPrefix) + event.rawQueryString;
  if (tamper.method !== undefined) event.requestContext.http.method = tamper.method;
  if (tamper.dateHeaderOnly) {
    const amzDate = headers['x-amz-date'] ?? '';
    const iso = amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
    delete headers['x-amz-date'];
    headers.date = new Date(iso).toUTCString();
  }
  if (tamper.flipSignature) {
    headers.authorization = (headers.authorization ?? '').replace(/.$/, (last) => (last === '0' ? '1' : '0'));
  }
  if (tamper.authorizationReplace) {
    const [pattern, replacement] = tamper.authorizationReplace;
    headers.authorization = (headers.authorization ?? '').replace(new RegExp(pattern), replacement);
  }
}

let requestsSent = 0;
async function invoke(event: APIGatewayProxyEventV2): Promise<Result> {
  requestsSent++;
  const signature =
    /Signature=([0-9a-f]{64})/.exec(event.headers.authorization ?? '')?.[1] ??
    /X-Amz-Signature=([0-9a-f]{64})/.exec(event.rawQueryString)?.[1];
  if (signature) signaturesSent.add(signature);
  return (await (event.rawPath === '/' ? serviceRoute : bucketRoute)(event, lambdaContext())) as Result;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML forbids is the point
const NOT_XML_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/u;

// Nothing from the inside may reach a client: stack frames, SDK or DynamoDB words, the table.
const LEAKS = [
  /\bat [\w.<>]+ \(/,
  /\.ts:\d+/,
  /node_modules/,
  /Exception/,
  /dynamodb/i,
  /\bpk\b|BUCKET#|KEY#/,
];

/** A well-formed S3 error answer (test/helpers/s3-error.ts) that is XML 1.0 and leaks nothing. */
function expectSafeS3Error(result: Result, method: string, status: number, code: string) {
  expectS3Error(result, status, code, { method });
  if (method.toUpperCase() === 'HEAD') return;
  expect(XMLValidator.validate(result.body)).toBe(true);
  // fast-xml-parser's validator lets characters through that XML 1.0 forbids; a client's parser does not.
  expect(result.body).not.toMatch(NOT_XML_CHAR);
  // The HostId is random base64 (it may read `/pk+…`): everything else is checked for what leaks.
  const withoutHostId = result.body.replace(/<HostId>[^<]*<\/HostId>/, '');
  for (const leak of [...LEAKS, config().tableName]) expect(withoutHostId).not.toMatch(leak);
}

async function createBucket(bucket: string, identity = OWNER) {
  expect((await send({ method: 'PUT', path: `/${bucket}`, identity })).statusCode).toBe(200);
}

async function putEncryption(bucket: string, body: string, identity = OWNER) {
  const put = await putConfiguration(bucket, body, { identity });
  expect(put.statusCode).toBe(200);
}

const names: Omit<Names, 'fresh'> = { bucket: uniqueBucket('victim'), foreign: uniqueBucket('foreign') };
let victimBefore: BucketRecord | undefined;
let foreignBefore: BucketRecord | undefined;

const logged: string[] = [];
const keepLine = (chunk: unknown) => {
  logged.push(String(chunk));
  return true;
};
const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(keepLine);
const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(keepLine);
afterAll(() => {
  stdout.mockRestore();
  stderr.mockRestore();
});

beforeAll(async () => {
  await createBucket(names.bucket);
  await putEncryption(names.bucket, KMS);
  const policy = await send({
    method: 'PUT',
    path: `/${names.bucket}`,
    query: 'policy',
    body: victimPolicy(names.bucket),
  });
  expect(policy.statusCode).toBe(204);
  await createBucket(names.foreign, SECOND_IDENTITY);
  await putEncryption(names.foreign, AES, SECOND_IDENTITY);
  victimBefore = await storage().buckets.getBucket(names.bucket);
  foreignBefore = await storage().buckets.getBucket(names.foreign);
  expect(readConfiguration(encryptionCodec, victimBefore)?.kmsMasterKeyId).toBe('alias/victim');
  expect(victimBefore?.policy).toBe(victimPolicy(names.bucket));
});

// Operations of the table (functions/operations.ts) the corpus has no case of its own for: they read
// no body, and what a hostile client can send them (address, query, signature) is what the cases
// of GetBucketEncryption send. A new operation is in the corpus's scope until it is named here.
const NOT_IN_CORPUS = new Set([
  'ListBuckets',
  'HeadApiVersion',
  'GetBucketLocation',
  'ListObjects',
  'ListObjectsV2',
  'ListObjectVersions',
]);

describe('the hostile corpus', () => {
  it('has at least 60 cases, each named once, across every operation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((test) => test.name)).size).toBe(cases.length);
    const operations = new Set(cases.map((test) => test.operation));
    for (const { name } of [...SERVICE_OPERATIONS, ...BUCKET_OPERATIONS]) {
      if (!NOT_IN_CORPUS.has(name)) expect(operations).toContain(name);
    }
  });

  it('has a case for each finding of the security review (issue 10, findings 1–8)', () => {
    const findings = new Set(cases.map((test) => test.finding).filter((finding) => finding !== undefined));
    expect([...findings].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each(cases)('returns $expect.status $expect.code when $when ($name)', async (test) => {
    const fresh = uniqueBucket('fresh');
    const result = await invoke(await eventFor(test, { ...names, fresh }));
    expect(result.statusCode).toBeLessThan(500);
    expectSafeS3Error(result, test.tamper?.method ?? test.method, test.expect.status, test.expect.code);
    for (const text of test.expect.contains ?? [])
      expect(result.body).toContain(fillNames(text, { ...names, fresh }));
    // A CRLF in the path must not turn into a response header.
    expect(Object.keys(result.headers).filter((name) => name.toLowerCase().startsWith('x-injected'))).toEqual(
      [],
    );
    // Stored state, read back: unchanged, down to the version counter.
    expect(await storage().buckets.getBucket(names.bucket)).toEqual(victimBefore);
    expect(await storage().buckets.getBucket(names.foreign)).toEqual(foreignBefore);
    expect(await storage().buckets.getBucket(fresh)).toBeUndefined();
  });
});

describe('the victim after the corpus', () => {
  it('returns its configuration and policy through the API as they were put', async () => {
    const encryption = await send({ method: 'GET', path: `/${names.bucket}`, query: 'encryption' });
    expect(encryption.body).toBe(XML_DECLARATION + KMS);
    const policy = await send({ method: 'GET', path: `/${names.bucket}`, query: 'policy' });
    expect(policy.body).toBe(victimPolicy(names.bucket));
  });
});

describe('object paths', () => {
  it.each([
    ['/{bucket}%2F..%2F{foreign}', 'an encoded ../ reaches for another bucket'],
    ['/{bucket}/..', 'a dot-dot segment follows the bucket'],
    ['/%2F{bucket}', 'an encoded slash precedes the bucket'],
    ['/{bucket}//', 'two slashes follow the bucket'],
  ])('returns 501 NotImplemented, and touches nothing, when %s (%s)', async (path, _why) => {
    const fresh = uniqueBucket('fresh');
    const filled = fillNames(path, { ...names, fresh });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const result = await send({
        method,
        path: filled,
        query: 'encryption',
        body: method === 'PUT' ? AES : undefined,
      });
      expectSafeS3Error(result, method, 501, 'NotImplemented');
    }
    expect(await storage().buckets.getBucket(names.bucket)).toEqual(victimBefore);
    expect(await storage().buckets.getBucket(names.foreign)).toEqual(foreignBefore);
  });
});

describe('replayed requests (SigV4 has no nonce)', () => {
  const putShape = (bucket: string, body: string): RequestShape => ({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body,
    headers: { 'content-md5': computeContentMd5(body) },
  });

  it('returns 200 twice when a captured GET is replayed within the 15-minute window, as S3 does', async () => {
    const event = await signedEvent({ method: 'GET', path: `/${names.bucket}`, query: 'encryption' });
    const first = await invoke(structuredClone(event));
    const replay = await invoke(structuredClone(event));
    expect([first.statusCode, replay.statusCode]).toEqual([200, 200]);
    expect(replay.body).toBe(first.body);
  });

  it('returns 200 when a captured PUT is replayed within the window: it writes the same configuration again', async () => {
    const bucket = uniqueBucket('replay');
    await createBucket(bucket);
    const event = await signedEvent(putShape(bucket, KMS));
    expect((await invoke(structuredClone(event))).statusCode).toBe(200);
    const afterFirst = await storage().buckets.getBucket(bucket);
    expect((await invoke(structuredClone(event))).statusCode).toBe(200);
    const afterReplay = await storage().buckets.getBucket(bucket);
    expect(afterReplay?.version).toBe((afterFirst?.version ?? 0) + 1);
    expect({ ...readConfiguration(encryptionCodec, afterReplay), updatedAt: '' }).toEqual({
      ...readConfiguration(encryptionCodec, afterFirst),
      updatedAt: '',
    });
  });

  it('returns 403 RequestTimeTooSkewed when a captured PUT is replayed 16 minutes later', async () => {
    const event = await signedEvent(putShape(names.bucket, AES));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 16 * MINUTE);
      expectSafeS3Error(await invoke(event), 'PUT', 403, 'RequestTimeTooSkewed');
    } finally {
      vi.useRealTimers();
    }
    expect(await storage().buckets.getBucket(names.bucket)).toEqual(victimBefore);
  });

  it('returns 400 XAmzContentSHA256Mismatch when a captured PUT is replayed with another body', async () => {
    const event = await signedEvent(putShape(names.bucket, KMS));
    event.body = Buffer.from(AES).toString('base64');
    expectSafeS3Error(await invoke(event), 'PUT', 400, 'XAmzContentSHA256Mismatch');
    expect(await storage().buckets.getBucket(names.bucket)).toEqual(victimBefore);
  });

  it('returns 403 SignatureDoesNotMatch when a captured PUT is replayed with a changed signed header', async () => {
    const event = await signedEvent(putShape(names.bucket, AES));
    (event.headers as Record<string, string>)['content-md5'] = computeContentMd5(KMS);
    expectSafeS3Error(await invoke(event), 'PUT', 403, 'SignatureDoesNotMatch');
    expect(await storage().buckets.getBucket(names.bucket)).toEqual(victimBefore);
  });
});

describe('logs', () => {
  it('holds an access line for every request but never a secret, a signature or a body', () => {
    const logs = logged.join('');
    expect(signaturesSent.size).toBeGreaterThan(cases.length / 2);
    expect(logs.match(/"message":"request"/g)?.length ?? 0).toBeGreaterThanOrEqual(requestsSent);
    for (const secret of [OWNER.secretAccessKey, SECOND_IDENTITY.secretAccessKey])
      expect(logs).not.toContain(secret);
    for (const signature of signaturesSent) expect(logs).not.toContain(signature);
    // A presigned query string (`X-Amz-Credential=…`), not AWS's messages that name its parameters (the
    // DEBUG line of a refusal carries them: "… requires the X-Amz-Algorithm, X-Amz-Credential, …").
    expect(logs).not.toMatch(
      /AWS4-HMAC-SHA256 Credential|X-Amz-Credential=|X-Amz-Signature=|etc\/passwd|lol9|ServerSideEncryptionConfiguration>/,
    );
  });
});
