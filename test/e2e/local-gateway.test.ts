// The local gateway answers what API Gateway and S3 answer (issue 19): requests Node's HTTP server
// would refuse on its own, repeated headers as payload 2.0 joins them, and concurrent requests served
// as concurrent invocations of one process (scripts/offline-preload.ts, scripts/offline-patches.ts),
// each with its own log ids and none refused for want of a DynamoDB socket. Raw HTTP (node:http: fetch
// refuses an Expect header and joins repeated ones itself) and SDK v3 clients, against the suite's aws
// gateway; its Lambdas' log lines are read from the file the e2e setup writes them to.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { computeContentMd5 } from '../../lib/integrity.ts';
import { AES256_CANONICAL_XML, AES256_XML } from '../helpers/bodies.ts';
import { OWNER, uniqueBucket } from '../helpers/identities.ts';
import { expectS3Error } from '../helpers/s3-error.ts';
import { sha256Hex, signV4 } from '../helpers/signer.ts';

const gateway = new URL(inject('gateways').aws);
const gatewayLog = inject('gatewayLog');

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A SigV4-signed request over node:http. `signed` are signed as given; `wire` replaces what goes on the
 * wire (a header repeated, as an array), and `unsigned` are sent without being signed.
 */
async function send(request: {
  method: string;
  path: string;
  query?: string;
  signed?: Record<string, string>;
  wire?: Record<string, string | string[]>;
  unsigned?: Record<string, string>;
  body?: Buffer;
  /** Sent with no signature at all (only `unsigned`, `wire` and the length of the body). */
  anonymous?: boolean;
}): Promise<Answer> {
  const body = request.body ?? Buffer.alloc(0);
  const signedRequest = request.anonymous
    ? { headers: body.length > 0 ? { 'content-length': String(body.length) } : {} }
    : await signV4({
        method: request.method,
        host: gateway.host,
        path: request.path,
        query: request.query ? { [request.query]: '' } : {},
        rawQueryString: request.query ?? '',
        headers: { host: gateway.host, 'x-amz-content-sha256': sha256Hex(body), ...request.signed },
        body,
        credentials: OWNER,
        signingDate: new Date(),
      });
  const headers: http.OutgoingHttpHeaders = {
    ...signedRequest.headers,
    ...request.wire,
    ...request.unsigned,
  };
  const path = request.query ? `${request.path}?${request.query}` : request.path;
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: gateway.hostname, port: gateway.port, method: request.method, path, headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(incoming.headers).map(([name, value]) => [
                name,
                Array.isArray(value) ? value.join(', ') : (value ?? ''),
              ]),
            ),
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

interface AccessLine {
  message: string;
  s3RequestId?: string;
  function_request_id?: string;
  method?: string;
  bucket?: string;
  status?: number;
}

/** The gateway's access lines for these buckets, once there is one per bucket (they trail the responses). */
async function accessLines(buckets: ReadonlySet<string>): Promise<AccessLine[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = readFileSync(gatewayLog, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as AccessLine)
      .filter((line) => line.message === 'request' && line.bucket !== undefined && buckets.has(line.bucket));
    if (lines.length >= buckets.size || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the local gateway, as API Gateway and S3 answer', () => {
  // AWS and moto serve these; Node's HTTP server alone answers 417 (ceph s3-tests
  // test_bucket_create_bad_expect_mismatch, test_bucket_create_bad_expect_empty).
  it.each([
    ['Expect: 200', '200'],
    ['an empty Expect', ''],
    ['Expect: 100-continue', '100-continue'],
  ])('returns 200 to CreateBucket sent with %s', async (_name, expect100) => {
    const bucket = uniqueBucket('expect');
    const created = await send({ method: 'PUT', path: `/${bucket}`, unsigned: { expect: expect100 } });
    expect([created.status, created.body]).toEqual([200, '']);
    expect((await send({ method: 'HEAD', path: `/${bucket}` })).status).toBe(200);
  });

  // Node's server alone closes a connection idle for 5 s; clients keep theirs (SDK v3's agent, botocore's
  // pool), and one that sends as the server closes gets ECONNRESET (scripts/offline-patches.ts).
  it("keeps an idle kept-alive connection open past Node's 5 s, and serves the next request on it", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const closed: string[] = [];
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const outgoing = http.request(
          { host: gateway.hostname, port: gateway.port, method: 'GET', path: '/', agent },
          (incoming) => {
            incoming.resume();
            incoming.on('end', () =>
              resolve({ status: incoming.statusCode ?? 0, reused: outgoing.reusedSocket }),
            );
          },
        );
        outgoing.on('socket', (socket) => socket.once('close', () => closed.push('closed')));
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      expect(await get()).toEqual({ status: 403, reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(closed).toEqual([]);
      expect(await get()).toEqual({ status: 403, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);

  // S3 answers a HEAD with the Content-Type its GET's XML would have (LocalStack's
  // test_s3.snapshot.json head_bucket_filtered_header, recorded against AWS); an empty PUT or DELETE
  // answer has none of the function's, and an HTTP API gives it text/plain (scripts/offline-patches.ts).
  it('returns application/xml to HEAD, answered or refused, and text/plain where the function sets none', async () => {
    const bucket = uniqueBucket('ctype');
    const created = await send({ method: 'PUT', path: `/${bucket}` });
    expect([created.status, created.headers['content-type']]).toEqual([200, 'text/plain; charset=utf-8']);
    const head = await send({ method: 'HEAD', path: `/${bucket}` });
    expect([head.status, head.headers['content-type']]).toEqual([200, 'application/xml']);
    const missing = await send({ method: 'HEAD', path: `/${uniqueBucket('ctype-missing')}` });
    expect([missing.status, missing.headers['content-type'], missing.body]).toEqual([
      404,
      'application/xml',
      '',
    ]);
    const deleted = await send({ method: 'DELETE', path: `/${bucket}` });
    expect([deleted.status, deleted.headers['content-type']]).toEqual([204, 'text/plain; charset=utf-8']);
  });

  // A signed header sent twice is signed as its values joined with commas (SigV4's canonical headers),
  // and API Gateway hands the Lambda the same join; a gateway keeping one value fails the signature.
  it('returns 200 to a request whose signed header is repeated, its values joined with commas as signed', async () => {
    const bucket = uniqueBucket('repeated');
    const created = await send({
      method: 'PUT',
      path: `/${bucket}`,
      signed: { 'x-amz-meta-tag': 'first,second' },
      wire: { 'x-amz-meta-tag': ['first', 'second'] },
    });
    expect([created.status, created.body]).toEqual([200, '']);
  });

  it('returns 403 SignatureDoesNotMatch when the repeated values arrive in another order than signed', async () => {
    const refused = await send({
      method: 'PUT',
      path: `/${uniqueBucket('repeated')}`,
      signed: { 'x-amz-meta-tag': 'first,second' },
      wire: { 'x-amz-meta-tag': ['second', 'first'] },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('logs each of 50 concurrent requests with the request id its response carried, once', async () => {
    const buckets = Array.from({ length: 50 }, () => uniqueBucket('log-ids'));
    const answers = await Promise.all(buckets.map((bucket) => send({ method: 'PUT', path: `/${bucket}` })));
    expect(answers.map((answer) => answer.status)).toEqual(buckets.map(() => 200));
    const answered = new Map(
      buckets.map((bucket, index) => [bucket, answers[index]?.headers['x-amz-request-id']]),
    );

    const lines = await accessLines(new Set(buckets));
    expect(lines).toHaveLength(50);
    for (const line of lines) {
      expect(line).toMatchObject({
        method: 'PUT',
        status: 200,
        s3RequestId: answered.get(line.bucket ?? ''),
      });
    }
    // Each its own invocation's Lambda context too.
    expect(new Set(lines.map((line) => line.function_request_id)).size).toBe(50);
    await Promise.all(buckets.map((bucket) => send({ method: 'DELETE', path: `/${bucket}` })));
  });

  it('answers 200 concurrent SDK v3 clients without a 503', async () => {
    const clients = Array.from(
      { length: 200 },
      () =>
        new S3Client({
          endpoint: gateway.origin,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: OWNER,
          // A 503 is counted, not retried away.
          maxAttempts: 1,
        }),
    );
    const statuses = new Map<number | string, number>();
    const count = (status: number | string) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    try {
      // Three requests per client, all clients at once: 600 requests, 200 in flight.
      await Promise.all(
        clients.map(async (client) => {
          const Bucket = uniqueBucket('many');
          const requests = [
            () => client.send(new CreateBucketCommand({ Bucket })),
            () => client.send(new HeadBucketCommand({ Bucket })),
            () => client.send(new DeleteBucketCommand({ Bucket })),
          ];
          for (const request of requests) {
            try {
              count((await request()).$metadata.httpStatusCode ?? 0);
            } catch (error) {
              count(
                error instanceof S3ServiceException ? (error.$metadata.httpStatusCode ?? 0) : String(error),
              );
            }
          }
        }),
      );
    } finally {
      for (const client of clients) client.destroy();
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 400, 204: 200 });
  }, 120_000);
});

// What serverless-offline did of its own that API Gateway does not (scripts/offline-patches.ts): parse a
// JSON body, answer CORS, take a body without a Content-Type as text.
describe('the local gateway hands the Lambda the request as API Gateway does', () => {
  const md5 = (body: Buffer) => ({ 'content-md5': computeContentMd5(body) });

  async function encryptedBucket(): Promise<string> {
    const bucket = uniqueBucket('as-sent');
    expect((await send({ method: 'PUT', path: `/${bucket}` })).status).toBe(200);
    const body = Buffer.from(AES256_XML);
    const put = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      signed: md5(body),
      body,
    });
    expect(put.status).toBe(200);
    return bucket;
  }

  // serverless-offline parsed a JSON body and handed a scalar on: `0` and `false` as a number and a
  // boolean (500 InternalError before authentication), `"x"` as `x`, `null` as no body.
  it.each(['0', 'false', 'null', '"x"', '[]'])(
    'returns 400 MalformedXML, 403 AccessDenied unsigned and 400 MalformedPolicy for the JSON body %s, and changes nothing',
    async (json) => {
      const bucket = await encryptedBucket();
      const body = Buffer.from(json);
      const signed = { 'content-type': 'application/json', ...md5(body) };
      const refused = await send({ method: 'PUT', path: `/${bucket}`, query: 'encryption', signed, body });
      expectS3Error(refused, 400, 'MalformedXML', { resource: `/${bucket}` });
      const anonymous = await send({
        method: 'PUT',
        path: `/${bucket}`,
        query: 'encryption',
        anonymous: true,
        unsigned: { 'content-type': 'application/json' },
        body,
      });
      expectS3Error(anonymous, 403, 'AccessDenied', { resource: `/${bucket}` });
      const policy = await send({ method: 'PUT', path: `/${bucket}`, query: 'policy', signed, body });
      expectS3Error(policy, 400, 'MalformedPolicy', { resource: `/${bucket}` });
      const stored = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
      expect([stored.status, stored.body]).toEqual([200, AES256_CANONICAL_XML]);
      expect((await send({ method: 'GET', path: `/${bucket}`, query: 'policy' })).status).toBe(404);
    },
  );

  // hapi answered a path segment that does not decode with its own 400 in JSON; API Gateway hands the
  // path to the Lambda as sent, and the service answers S3's InvalidURI.
  it.each(['/%FF', '/%', '/b%', '/b/%FF', '/%FF/%C3'])(
    'answers %s, a path that does not decode, with 400 InvalidURI in S3 XML (signed and anonymous)',
    async (path) => {
      for (const anonymous of [false, true]) {
        const answer = await send({ method: 'GET', path, query: 'encryption', anonymous });
        expectS3Error(answer, 400, 'InvalidURI');
        expect(answer.headers['content-type']).toBe('application/xml');
      }
    },
  );

  // A request whose target and Host make no URL got hapi's 500 in JSON, with a stack trace of the
  // patched module in the log. API Gateway passes no such request on; the local gateway answers S3's
  // 400 InvalidURI itself, and goes on serving.
  it.each([
    ['OPTIONS *', 'OPTIONS', '*', gateway.host],
    ['a Host whose port is not a number', 'GET', '/', `${gateway.hostname}:abc`],
    ['a Host whose port is out of range', 'GET', '/?encryption', `b.${gateway.hostname}:99999`],
  ])('answers %s with 400 InvalidURI in S3 XML', async (_what, method, target, host) => {
    const answer = await send({ method, path: target, anonymous: true, unsigned: { host } });
    const document = expectS3Error(answer, 400, 'InvalidURI');
    expect(document?.resource).toBe(target);
    const bucket = uniqueBucket('after-uri');
    expect((await send({ method: 'PUT', path: `/${bucket}` })).status).toBe(200);
    expect((await send({ method: 'DELETE', path: `/${bucket}` })).status).toBe(204);
  });

  // API Gateway passes the query string as sent; serverless-offline rebuilt it and wrote a space (`%20`,
  // as SDK v3 sends it) as `+`, which S3 reads as a plus: the signature failed.
  it('serves signed queries with spaces and other escaped characters as sent (SDK v3)', async () => {
    const client = new S3Client({
      endpoint: gateway.origin,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: OWNER,
    });
    const bucket = uniqueBucket('query');
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const prefix of ['my dir/', 'a+b c*~', 'é ü/']) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      expect([listed.Prefix, listed.KeyCount]).toEqual([prefix, 0]);
    }
    const buckets = await client.send(new ListBucketsCommand({ Prefix: `${bucket} x` }));
    expect([buckets.Prefix, buckets.Buckets]).toEqual([`${bucket} x`, []]);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  });

  // No `cors` in serverless.yml: API Gateway adds no CORS header and routes OPTIONS like any method.
  it('adds no CORS header to a request with an Origin, and a preflight gets the service answer', async () => {
    const bucket = await encryptedBucket();
    const origin = { origin: 'http://elsewhere.example' };
    const get = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption', unsigned: origin });
    expect(get.status).toBe(200);
    const preflight = await send({
      method: 'OPTIONS',
      path: `/${bucket}`,
      query: 'encryption',
      anonymous: true,
      unsigned: { ...origin, 'access-control-request-method': 'DELETE' },
    });
    expectS3Error(preflight, 405, 'MethodNotAllowed', { resource: `/${bucket}` });
    for (const answer of [get, preflight]) {
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  // API Gateway base64-encodes a body whose type is not text (none, application/x-www-form-urlencoded…):
  // its bytes arrive as sent, so bytes that are not UTF-8 are judged as XML, not refused as text.
  it.each([undefined, 'application/x-www-form-urlencoded', 'application/octet-stream'])(
    'takes a body with Content-Type %s as binary: stored when valid, MalformedXML when its bytes are not UTF-8',
    async (contentType) => {
      const bucket = await encryptedBucket();
      const type: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const kms = Buffer.from(AES256_XML.replace('AES256', 'aws:kms'));
      const stored = await send({
        method: 'PUT',
        path: `/${bucket}`,
        query: 'encryption',
        signed: { ...type, ...md5(kms) },
        body: kms,
      });
      expect(stored.status).toBe(200);
      const latin1 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(AES256_XML)]);
      const refused = await send({
        method: 'PUT',
        path: `/${bucket}`,
        query: 'encryption',
        signed: { ...type, ...md5(latin1) },
        body: latin1,
      });
      expectS3Error(refused, 400, 'MalformedXML', { resource: `/${bucket}` });
      const read = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
      expect(read.body).toContain('<SSEAlgorithm>aws:kms</SSEAlgorithm>');
    },
  );
});
