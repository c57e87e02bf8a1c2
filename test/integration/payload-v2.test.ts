// The service under the event API Gateway's HTTP API really sends (test/helpers/gateway-event.ts):
// a decoded rawPath, the Cookie header moved to `cookies`, text bodies as UTF-8 strings.
import { describe, expect, it } from 'vitest';
import { uniqueBucket } from '../helpers/identities.ts';
import { errorCode, putEncryption, send } from '../helpers/invoke.ts';
import { md5, signedEvent } from '../helpers/signed-event.ts';

const CONFIGURATION = (algorithm: string) =>
  `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('pv2');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  return bucket;
}

describe('a percent-encoded path (API Gateway decodes rawPath)', () => {
  it('arrives decoded in the event', async () => {
    const event = await signedEvent({ method: 'HEAD', path: '/My%20Bucket' });
    expect(event.rawPath).toBe('/My Bucket');
  });

  it.each([
    ['HEAD', '/My%20Bucket', 400],
    ['PUT', '/My%20Bucket', 400],
    ['GET', '/My%20Bucket/', 400],
  ])('still verifies the signature: %s %s answers InvalidBucketName', async (method, path, status) => {
    const result = await send({ method, path, ...(method === 'GET' ? { query: 'encryption=' } : {}) });
    expect(result.statusCode).toBe(status);
    if (method !== 'HEAD') expect(errorCode(result)).toBe('InvalidBucketName');
  });
});

describe('a signed Cookie header (API Gateway moves it to event.cookies)', () => {
  it('is not in the event headers, only in cookies', async () => {
    const event = await signedEvent({
      method: 'GET',
      path: '/',
      headers: { cookie: 'session=abc; theme=dark' },
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.headers.authorization).toContain('cookie');
  });

  it('verifies: the service rebuilds the header from event.cookies', async () => {
    const bucket = await newBucket();
    const result = await send({
      method: 'GET',
      path: `/${bucket}`,
      query: 'encryption',
      headers: { cookie: 'session=abc; theme=dark' },
    });
    expect(result.statusCode).toBe(200);
  });
});

describe('a text body (application/xml arrives as a UTF-8 string)', () => {
  it('is delivered as text, not base64', async () => {
    const body = CONFIGURATION('aws:kms');
    const event = await signedEvent({
      method: 'PUT',
      path: '/b1',
      query: 'encryption',
      body,
      headers: { 'content-type': 'application/xml', 'content-md5': md5(body) },
    });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(body);
  });

  it('is stored as sent when it is UTF-8', async () => {
    const bucket = await newBucket();
    const body = CONFIGURATION('aws:kms');
    const put = await putEncryption(bucket, body, {
      headers: { 'content-type': 'application/xml; charset=utf-8' },
    });
    expect(put.statusCode).toBe(200);
    const get = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
    expect(get.body).toContain('<SSEAlgorithm>aws:kms</SSEAlgorithm>');
  });

  it('returns 400 InvalidRequest and changes nothing when it is not valid UTF-8', async () => {
    const bucket = await newBucket();
    const before = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
    // A Latin-1 "é" (0xE9) inside a comment: valid XML bytes in ISO-8859-1, not UTF-8.
    const [head, tail] = CONFIGURATION('aws:kms').split('<Rule>') as [string, string];
    const body = Buffer.concat([
      Buffer.from(head),
      Buffer.from([0x3c, 0x21, 0x2d, 0x2d, 0xe9, 0x2d, 0x2d, 0x3e]),
      Buffer.from(`<Rule>${tail}`),
    ]);
    const put = await putEncryption(bucket, body, { headers: { 'content-type': 'application/xml' } });
    expect({ status: put.statusCode, code: errorCode(put) }).toEqual({ status: 400, code: 'InvalidRequest' });
    expect(put.body).toContain('not valid UTF-8');
    const after = await send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });
    expect(after.body.replace(/<RequestId>.*$/s, '')).toBe(before.body.replace(/<RequestId>.*$/s, ''));
    expect(after.body).not.toContain('aws:kms');
  });

  it('is accepted as binary with the same bytes (application/octet-stream arrives base64)', async () => {
    const bucket = await newBucket();
    const [head, tail] = CONFIGURATION('aws:kms').split('<Rule>') as [string, string];
    const body = Buffer.concat([Buffer.from(head), Buffer.from('<!--é-->'), Buffer.from(`<Rule>${tail}`)]);
    const event = await signedEvent({ method: 'PUT', path: `/${bucket}`, query: 'encryption', body });
    expect(event.isBase64Encoded).toBe(true);
    const put = await putEncryption(bucket, body);
    expect(put.statusCode).toBe(200);
  });
});
