// End to end at the HTTP level: requests shaped byte for byte as S3 clients send them, signed with the
// AWS SDK's own SigV4 signer (test/helpers/signer.ts), through the aws-profile gateway
// (serverless-offline). fetch for path-style requests; node:http where the Host header matters
// (fetch always sends the URL's host).
import http from 'node:http';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { computeChecksum, computeContentMd5 } from '../../lib/integrity.ts';
import { AES256_CANONICAL_XML, AES256_XML } from '../helpers/bodies.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { expectS3Error } from '../helpers/s3-error.ts';
import { sha256Hex, signerQuery, signV4 } from '../helpers/signer.ts';

const gateway = new URL(inject('gateways').aws);

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const KMS_CONFIGURATION = `<ServerSideEncryptionConfiguration xmlns="${S3_NAMESPACE}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/raw-requests</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;
const KMS_CANONICAL = XML_DECLARATION + KMS_CONFIGURATION;
const AES_CONFIGURATION = AES256_XML;
const AES_CANONICAL = AES256_CANONICAL_XML;

const crc32Base64 = (body: string) => computeChecksum('CRC32', Buffer.from(body));

interface RawRequest {
  method: string;
  /** The path as sent, e.g. `/b1` or `/b1/` or `/` (virtual-hosted). */
  path: string;
  /** The query as sent, e.g. `encryption` or `encryption=`. */
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Host header to send (virtual-hosted); default the gateway's host. */
  host?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Every response this file received, for the checks that apply to all of them. */
const responses: Array<RawResponse & { method: string }> = [];

async function sign(request: RawRequest): Promise<Record<string, string>> {
  const host = request.host ?? gateway.host;
  const body = request.body ?? '';
  const headers: Record<string, string> = {
    host,
    'x-amz-content-sha256': sha256Hex(body),
    ...request.headers,
  };
  if (body !== '') headers['content-length'] = String(Buffer.byteLength(body));
  const signed = await signV4({
    method: request.method,
    host,
    path: request.path,
    query: signerQuery(request.query ?? ''),
    headers,
    body,
    credentials: request.credentials ?? OWNER,
    signingDate: new Date(),
  });
  return signed.headers;
}

/** Sends a signed request: fetch when the Host is the gateway's, node:http when it is not. */
async function send(request: RawRequest): Promise<RawResponse> {
  const headers = await sign(request);
  const target = `${request.path}${request.query === undefined ? '' : `?${request.query}`}`;
  const response =
    request.host === undefined
      ? await viaFetch(request, target, headers)
      : await viaHttp(request, target, headers);
  responses.push({ ...response, method: request.method });
  return response;
}

async function viaFetch(request: RawRequest, target: string, headers: Record<string, string>) {
  const { host: _host, ...sendable } = headers;
  const response = await fetch(new URL(target, gateway), {
    method: request.method,
    headers: sendable,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

function viaHttp(request: RawRequest, target: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: gateway.hostname, port: gateway.port, method: request.method, path: target, headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const received: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) received[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: incoming.statusCode ?? 0,
            headers: received,
            body: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** PutBucketEncryption as AWS CLI v2 sends it: `/b?encryption`, Content-MD5, the body's SHA-256 in hex. */
const putAsCliV2 = (
  bucket: string,
  body: string,
  headers: Record<string, string> = {},
  credentials: RawRequest['credentials'] = OWNER,
) =>
  send({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body,
    headers: { 'content-md5': computeContentMd5(body), 'content-type': 'application/xml', ...headers },
    credentials,
  });

const getEncryption = (bucket: string) => send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('raw');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).status).toBe(200);
  return bucket;
}

const expectError = (response: RawResponse, status: number, code: string, resource: string) =>
  expectS3Error(response, status, code, { resource });

describe('PutBucketEncryption as clients shape it', () => {
  it.each([
    {
      client: 'AWS CLI v2 (Content-MD5, `/b?encryption`)',
      path: (bucket: string) => `/${bucket}`,
      query: 'encryption',
      body: KMS_CONFIGURATION,
      headers: async (body: string): Promise<Record<string, string>> => ({
        'content-md5': computeContentMd5(body),
      }),
    },
    {
      client: 'AWS CLI v1 / 2025 SDKs (CRC32, no Content-MD5)',
      path: (bucket: string) => `/${bucket}`,
      query: 'encryption',
      body: KMS_CONFIGURATION,
      headers: async (body: string): Promise<Record<string, string>> => ({
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': await crc32Base64(body),
      }),
    },
    {
      client: 'SDK v3 (`/b/?encryption=`, CRC32, XML declaration)',
      path: (bucket: string) => `/${bucket}/`,
      query: 'encryption=',
      body: XML_DECLARATION + KMS_CONFIGURATION,
      headers: async (body: string): Promise<Record<string, string>> => ({
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': await crc32Base64(body),
      }),
    },
  ])(
    'returns 200 and stores the configuration when sent by $client',
    async ({ path, query, body, headers }) => {
      const bucket = await newBucket();
      const put = await send({
        method: 'PUT',
        path: path(bucket),
        query,
        body,
        headers: { 'content-type': 'application/xml', ...(await headers(body)) },
      });
      expect([put.status, put.body]).toEqual([200, '']);
      const get = await getEncryption(bucket);
      expect([get.status, get.headers['content-type'], get.body]).toEqual([
        200,
        'application/xml',
        KMS_CANONICAL,
      ]);
    },
  );

  it('returns 200 and stores the configuration when addressed virtual-hosted (`Host: <bucket>.localhost`)', async () => {
    const bucket = await newBucket();
    const host = `${bucket}.localhost:${gateway.port}`;
    const put = await send({
      method: 'PUT',
      path: '/',
      query: 'encryption',
      host,
      body: KMS_CONFIGURATION,
      headers: { 'content-md5': computeContentMd5(KMS_CONFIGURATION), 'content-type': 'application/xml' },
    });
    expect(put.status).toBe(200);
    const virtualGet = await send({ method: 'GET', path: '/', query: 'encryption', host });
    expect([virtualGet.status, virtualGet.body]).toEqual([200, KMS_CANONICAL]);
    // The same bucket, path-style.
    expect((await getEncryption(bucket)).body).toBe(KMS_CANONICAL);
  });

  it('returns 404 NoSuchBucket with the BucketName when addressed virtual-hosted to a missing bucket', async () => {
    const bucket = uniqueBucket('raw-missing');
    const host = `${bucket}.localhost:${gateway.port}`;
    const get = await send({ method: 'GET', path: '/', query: 'encryption', host });
    expect(expectError(get, 404, 'NoSuchBucket', `/${bucket}`)?.fields).toBe(
      `<BucketName>${bucket}</BucketName>`,
    );
  });
});

describe('rejections through the gateway leave the stored configuration unchanged', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await newBucket();
    expect((await putAsCliV2(bucket, KMS_CONFIGURATION)).status).toBe(200);
  });

  it.each([
    {
      rejection: 'a Content-MD5 of another body',
      request: () =>
        putAsCliV2(bucket, AES_CONFIGURATION, { 'content-md5': computeContentMd5(KMS_CONFIGURATION) }),
      status: 400,
      code: 'BadDigest',
    },
    {
      rejection: 'a CRC32 of another body',
      request: async () =>
        send({
          method: 'PUT',
          path: `/${bucket}`,
          query: 'encryption',
          body: AES_CONFIGURATION,
          headers: {
            'x-amz-sdk-checksum-algorithm': 'CRC32',
            'x-amz-checksum-crc32': await crc32Base64('other'),
          },
        }),
      status: 400,
      code: 'BadDigest',
    },
    {
      rejection: 'malformed XML',
      request: () => putAsCliV2(bucket, AES_CONFIGURATION.slice(0, -10)),
      status: 400,
      code: 'MalformedXML',
    },
    {
      rejection: 'an unknown algorithm',
      request: () => putAsCliV2(bucket, AES_CONFIGURATION.replace('AES256', 'aes256')),
      status: 400,
      code: 'MalformedXML',
    },
    {
      rejection: 'a wrong secret',
      request: () =>
        putAsCliV2(
          bucket,
          AES_CONFIGURATION,
          {},
          { accessKeyId: OWNER.accessKeyId, secretAccessKey: 'not-the-secret' },
        ),
      status: 403,
      code: 'SignatureDoesNotMatch',
    },
    {
      rejection: 'another account',
      request: () => putAsCliV2(bucket, AES_CONFIGURATION, {}, SECOND_IDENTITY),
      status: 403,
      code: 'AccessDenied',
    },
  ])(
    'returns $status $code for $rejection and the configuration is still the stored one',
    async ({ request, status, code }) => {
      expectError(await request(), status, code, `/${bucket}`);
      const get = await getEncryption(bucket);
      expect([get.status, get.body]).toEqual([200, KMS_CANONICAL]);
    },
  );

  it('returns the new configuration after a valid PUT (the read-back can tell)', async () => {
    const other = await newBucket();
    expect((await putAsCliV2(other, KMS_CONFIGURATION)).status).toBe(200);
    expect((await putAsCliV2(other, AES_CONFIGURATION)).status).toBe(200);
    expect((await getEncryption(other)).body).toBe(AES_CANONICAL);
  });
});

describe('errors through the gateway', () => {
  it.each([
    [404, 'a missing bucket', async () => uniqueBucket('raw-missing'), OWNER],
    [403, 'a bucket of another account', newBucket, SECOND_IDENTITY],
    [403, 'a bucket, signed with a wrong secret', newBucket, { ...OWNER, secretAccessKey: 'not-the-secret' }],
  ])('returns %i without a body to a HEAD on %s', async (status, _case, bucketFor, credentials) => {
    const head = await send({ method: 'HEAD', path: `/${await bucketFor()}`, credentials });
    expect(head.status).toBe(status);
    expect(head.body).toBe('');
    expect(head.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it.each([
    ['GET', '/key.txt'],
    ['PUT', '/dir/key.txt'],
    ['DELETE', '/key.txt'],
  ])('returns 501 NotImplemented for %s on an object path (%s)', async (method, key) => {
    const bucket = await newBucket();
    const response = await send({ method, path: `/${bucket}${key}` });
    expectError(response, 501, 'NotImplemented', `/${bucket}${key}`);
  });

  it.each([
    ['a bucket', (bucket: string) => `/${bucket}`, 'BUCKET'],
    ['an object', (bucket: string) => `/${bucket}/key.txt`, 'OBJECT'],
  ])('returns 405 MethodNotAllowed for PATCH on %s', async (_case, path, resourceType) => {
    const bucket = await newBucket();
    const response = await send({ method: 'PATCH', path: path(bucket) });
    const document = expectError(response, 405, 'MethodNotAllowed', path(bucket));
    expect(document?.fields).toBe(`<Method>PATCH</Method><ResourceType>${resourceType}</ResourceType>`);
  });

  it('returns the S3 error document: Code, Message, Resource, RequestId, HostId', async () => {
    const bucket = uniqueBucket('raw-missing');
    const response = await getEncryption(bucket);
    const document = expectError(response, 404, 'NoSuchBucket', `/${bucket}`);
    expect(document?.message).toBe('The specified bucket does not exist');
    expect(document?.requestId).toMatch(/^[0-9A-F]{16}$/);
  });

  it('returns x-amz-request-id and x-amz-id-2 on every response of this file, success or not', () => {
    expect(responses.length).toBeGreaterThan(20);
    expect(new Set(responses.map(({ status }) => Math.floor(status / 100)))).toEqual(new Set([2, 4, 5]));
    for (const response of responses) {
      expect(response.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
      expect(response.headers['x-amz-id-2']).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    }
  });
});
