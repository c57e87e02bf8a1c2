import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { address, decodeEvent, MAX_HEADER_SECTION_BYTES, parseQuery } from '../../../lib/http/addressing.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../../lib/request.ts';
import { type RequestShape, signedEvent } from '../../helpers/signed-event.ts';
import { s3ErrorOf } from '../encryption/fixtures.ts';

const BASE_DOMAIN = 's3.example.test';

/** An unsigned gateway event for `shape`, with `overrides` applied to the event itself. */
async function decode(
  shape: Omit<RequestShape, 'unsigned'>,
  overrides: Partial<APIGatewayProxyEventV2> = {},
) {
  const event = { ...(await signedEvent({ ...shape, unsigned: true })), ...overrides };
  return decodeEvent(event, 'REQUEST-ID', BASE_DOMAIN);
}

describe('parseQuery', () => {
  it('returns the parameters percent-decoded, in the order sent, repeats and empty values kept', () => {
    const pairs = (raw: string) => parseQuery(raw).map(({ name, value }) => [name, value]);
    expect(pairs('encryption&x-id=PutBucketEncryption&prefix=a%2Fb%20c&prefix=&a=1=2')).toEqual([
      ['encryption', ''],
      ['x-id', 'PutBucketEncryption'],
      ['prefix', 'a/b c'],
      ['prefix', ''],
      ['a', '1=2'],
    ]);
  });

  it('returns nothing for an empty query and skips empty pieces', () => {
    expect(parseQuery('')).toEqual([]);
    expect(parseQuery('&&encryption=&')).toEqual([
      { raw: 'encryption=', rawName: 'encryption', rawValue: '', name: 'encryption', value: '' },
    ]);
  });

  it.each(['%', 'a=%E0%A4%A', '%ZZ=1'])('throws InvalidURI when %s is not percent-encoding', (query) => {
    expect(s3ErrorOf(() => parseQuery(query)).code).toBe('InvalidURI');
  });
});

describe('address', () => {
  it.each([
    ['/', undefined, undefined],
    ['', undefined, undefined],
    ['/b1', 'b1', undefined],
    ['/b1/', 'b1', undefined],
    ['/b1/photos/2026/a.jpg', 'b1', 'photos/2026/a.jpg'],
    ['/b1/a%20b', 'b1', 'a b'],
  ])('path-style %j → bucket %s, key %s', (path, bucket, objectKey) => {
    expect(address('localhost', path, BASE_DOMAIN)).toEqual({ addressing: 'path', bucket, objectKey });
  });

  it.each([
    ['/', undefined],
    ['/photos/a.jpg', 'photos/a.jpg'],
  ])('virtual-hosted under the base domain, path %j → bucket from the host, key %s', (path, objectKey) => {
    expect(address(`my.bucket.${BASE_DOMAIN}`, path, BASE_DOMAIN)).toEqual({
      addressing: 'virtual-hosted',
      bucket: 'my.bucket',
      objectKey,
    });
  });

  it('reads the path when the host is the base domain itself, another domain, or no base domain is set', () => {
    const pathStyle = { addressing: 'path', bucket: 'b1', objectKey: undefined };
    expect(address(BASE_DOMAIN, '/b1', BASE_DOMAIN)).toEqual(pathStyle);
    expect(address(`b2.elsewhere.test`, '/b1', BASE_DOMAIN)).toEqual(pathStyle);
    expect(address(`b2.${BASE_DOMAIN}`, '/b1', undefined)).toEqual(pathStyle);
  });

  it('throws InvalidURI when the path is not percent-encoding', () => {
    expect(s3ErrorOf(() => address('localhost', '/b1/%E0%A4%A', BASE_DOMAIN)).code).toBe('InvalidURI');
  });
});

describe('decodeEvent', () => {
  it('decodes a path-style PutBucketEncryption as SDK v3 sends it', async () => {
    const request = await decode({
      method: 'put',
      path: '/b1/',
      query: 'encryption=',
      headers: { 'Content-MD5': 'abc', 'X-Amz-Meta-Mixed': 'Case' },
      body: '<ServerSideEncryptionConfiguration/>',
      host: 'LOCALHOST:3000',
    });
    expect(request).toMatchObject({
      method: 'PUT',
      rawPath: '/b1/',
      rawQueryString: 'encryption=',
      query: [['encryption', '']],
      host: 'localhost',
      bucket: 'b1',
      objectKey: undefined,
      subresource: 'encryption',
      resource: '/b1',
      requestId: 'REQUEST-ID',
      sourceIp: '127.0.0.1',
    });
    expect(request.headers['content-md5']).toBe('abc');
    expect(request.headers['x-amz-meta-mixed']).toBe('Case');
    expect(request.body.toString('utf8')).toBe('<ServerSideEncryptionConfiguration/>');
  });

  it('decodes a virtual-hosted request: the bucket from the host, the port dropped', async () => {
    const request = await decode({
      method: 'GET',
      path: '/',
      query: 'encryption',
      host: `b1.${BASE_DOMAIN}:443`,
    });
    expect(request).toMatchObject({ host: `b1.${BASE_DOMAIN}`, bucket: 'b1', subresource: 'encryption' });
  });

  it('names the first subresource among plain parameters, and none for plain parameters only', async () => {
    expect(
      (await decode({ method: 'GET', path: '/b1', query: 'x-id=GetBucketPolicy&policy' })).subresource,
    ).toBe('policy');
    expect((await decode({ method: 'GET', path: '/b1', query: 'prefix=a&max-keys=2' })).subresource).toBe(
      undefined,
    );
  });

  it('names every subresource once, sorted, for the conflict check; none for plain parameters', async () => {
    const request = await decode({ method: 'GET', path: '/b1', query: 'versioning&acl=&x-id=A&acl' });
    expect(request.subresource).toBe('versioning');
    expect(request.subresources).toEqual(['acl', 'versioning']);
    expect((await decode({ method: 'GET', path: '/b1', query: 'prefix=a' })).subresources).toEqual([]);
  });

  it("tells path-style from virtual-hosted addressing (the V2 signature's resource depends on it)", async () => {
    expect((await decode({ method: 'GET', path: '/b1', query: 'acl' })).addressing).toBe('path');
    const hosted = await decode({ method: 'GET', path: '/b1', query: 'acl', host: `b1.${BASE_DOMAIN}` });
    expect(hosted).toMatchObject({ addressing: 'virtual-hosted', bucket: 'b1', objectKey: 'b1' });
  });

  it("counts a presigned URL's x-amz-* and Content-MD5 parameters as headers; headers sent win", async () => {
    const request = await decode({
      method: 'PUT',
      path: '/b1',
      query:
        'encryption&X-Amz-Signature=abc&x-amz-checksum-crc32=AAAAAA%3D%3D&X-Amz-Expected-Bucket-Owner=1&Content-MD5=m&prefix=p',
      headers: { 'x-amz-expected-bucket-owner': '2' },
    });
    expect(request.effectiveHeaders).toMatchObject({
      'x-amz-checksum-crc32': 'AAAAAA==',
      'x-amz-expected-bucket-owner': '2',
      'content-md5': 'm',
      'x-amz-signature': 'abc',
    });
    expect(request.effectiveHeaders.prefix).toBeUndefined();
    expect(request.headers['x-amz-checksum-crc32']).toBeUndefined();
  });

  it('takes the headers as sent for a request that is not presigned', async () => {
    const request = await decode({ method: 'PUT', path: '/b1', query: 'encryption&x-amz-checksum-crc32=A' });
    expect(request.effectiveHeaders).toBe(request.headers);
  });

  it('gives the object resource for an object path, and / for the service', async () => {
    expect((await decode({ method: 'GET', path: '/b1/a/b' })).resource).toBe('/b1/a/b');
    expect((await decode({ method: 'GET', path: '/' })).resource).toBe('/');
  });

  it('reads a body sent as text and one sent as base64 alike, and no body as empty', async () => {
    const text = await decode({ method: 'PUT', path: '/b1' }, { body: 'é<x/>', isBase64Encoded: false });
    const base64 = await decode(
      { method: 'PUT', path: '/b1' },
      { body: Buffer.from('é<x/>').toString('base64'), isBase64Encoded: true },
    );
    expect(text.body).toEqual(Buffer.from('é<x/>'));
    expect(base64.body).toEqual(Buffer.from('é<x/>'));
    expect((await decode({ method: 'GET', path: '/b1' }, { body: undefined })).body).toHaveLength(0);
  });

  it('drops headers without a value', async () => {
    const request = await decode(
      { method: 'GET', path: '/b1' },
      { headers: { host: 'localhost', 'x-empty': undefined } },
    );
    expect(request.headers).toEqual({ host: 'localhost' });
  });

  it('throws InvalidURI when the path or the query is not percent-encoding', async () => {
    await expect(decode({ method: 'GET', path: '/b1/%E0%A4%A' })).rejects.toMatchObject({
      code: 'InvalidURI',
    });
    await expect(decode({ method: 'GET', path: '/b1', query: 'a=%ZZ' })).rejects.toMatchObject({
      code: 'InvalidURI',
    });
  });

  it('throws RequestHeaderSectionTooLarge when headers and query exceed 8 KiB', async () => {
    const shape = {
      method: 'GET',
      path: '/b1',
      headers: { 'x-amz-meta-big': 'x'.repeat(MAX_HEADER_SECTION_BYTES) },
    };
    await expect(decode(shape)).rejects.toMatchObject({
      code: 'RequestHeaderSectionTooLarge',
      fields: { MaxSizeAllowed: String(MAX_HEADER_SECTION_BYTES) },
    });
  });

  it.each([
    [
      'a Content-Length',
      { headers: { host: 'localhost', 'content-length': String(MAX_REQUEST_BODY_BYTES + 1) } },
    ],
    ['a text body', { body: 'x'.repeat(MAX_REQUEST_BODY_BYTES + 1), isBase64Encoded: false }],
    [
      'a base64 body',
      { body: Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1).toString('base64'), isBase64Encoded: true },
    ],
    [
      'a text body under 1 MiB in characters but over it in UTF-8',
      { body: 'é'.repeat(MAX_REQUEST_BODY_BYTES / 2 + 1), isBase64Encoded: false },
    ],
  ])('throws MaxMessageLengthExceeded when %s is over 1 MiB, before decoding it', async (_, overrides) => {
    await expect(decode({ method: 'PUT', path: '/b1' }, overrides)).rejects.toMatchObject({
      code: 'MaxMessageLengthExceeded',
    });
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const body = Buffer.alloc(MAX_REQUEST_BODY_BYTES).toString('base64');
    expect((await decode({ method: 'PUT', path: '/b1' }, { body, isBase64Encoded: true })).body).toHaveLength(
      MAX_REQUEST_BODY_BYTES,
    );
  });
});
