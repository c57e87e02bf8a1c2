import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config.ts';
import { computeChecksum } from '../../lib/integrity.ts';
import { AES256_CANONICAL_XML, AES256_NO_NAMESPACE_XML } from '../helpers/bodies.ts';
import { SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { countDynamoRequests, expectS3Error, putEncryption, send } from '../helpers/invoke.ts';
import { md5 } from '../helpers/signed-event.ts';

const KMS_CONFIGURATION =
  '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
const KMS_CANONICAL = `<?xml version="1.0" encoding="UTF-8"?>\n${KMS_CONFIGURATION}`;
const AES_DEFAULT = AES256_CANONICAL_XML;

const crc32Base64 = (body: string) => computeChecksum('CRC32', Buffer.from(body));

/** PutBucketEncryption as AWS CLI v2 sends it: `/b?encryption`, Content-MD5. */
const putWithMd5 = (bucket: string, body: string, extra: Record<string, string> = {}) =>
  putEncryption(bucket, body, { headers: extra });

/** PutBucketEncryption as SDK v3 / CLI v1 (2025) send it: `/b/?encryption=`, CRC32, XML declaration. */
const putWithCrc32 = async (bucket: string, body: string) =>
  send({
    method: 'PUT',
    path: `/${bucket}/`,
    query: 'encryption=',
    body,
    headers: { 'x-amz-sdk-checksum-algorithm': 'CRC32', 'x-amz-checksum-crc32': await crc32Base64(body) },
  });

const getEncryption = (
  bucket: string,
  headers: Record<string, string> = {},
  identity?: typeof SECOND_IDENTITY,
) => send({ method: 'GET', path: `/${bucket}`, query: 'encryption', headers, identity });

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('enc');
  const created = await send({ method: 'PUT', path: `/${bucket}` });
  expect(created.statusCode).toBe(200);
  return bucket;
}

describe('PutBucketEncryption → GetBucketEncryption → DeleteBucketEncryption', () => {
  it('stores what AWS CLI v2 sends (Content-MD5) and returns it canonically', async () => {
    const bucket = await newBucket();
    const put = await putWithMd5(bucket, KMS_CONFIGURATION);
    expect(put.statusCode).toBe(200);
    expect(put.body).toBe('');
    const get = await getEncryption(bucket);
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('application/xml');
    expect(get.body).toBe(KMS_CANONICAL);
  });

  it('stores what SDK v3 sends (CRC32, trailing slash, XML declaration)', async () => {
    const bucket = await newBucket();
    const put = await putWithCrc32(bucket, `<?xml version="1.0" encoding="UTF-8"?>${KMS_CONFIGURATION}`);
    expect(put.statusCode).toBe(200);
    expect((await getEncryption(bucket)).body).toBe(KMS_CANONICAL);
  });

  it('answers the AES256 platform default when nothing is set (aws profile)', async () => {
    const bucket = await newBucket();
    const get = await getEncryption(bucket);
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe(AES_DEFAULT);
  });

  it('deletes the configuration with 204, also when nothing was set', async () => {
    const bucket = await newBucket();
    await putWithMd5(bucket, KMS_CONFIGURATION);
    const deleted = await send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption' });
    expect(deleted.statusCode).toBe(204);
    expect((await getEncryption(bucket)).body).toBe(AES_DEFAULT);
    expect((await send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption' })).statusCode).toBe(204);
  });

  it('takes the configuration with the bucket when the bucket is deleted', async () => {
    const bucket = await newBucket();
    await putWithMd5(bucket, KMS_CONFIGURATION);
    expect((await send({ method: 'DELETE', path: `/${bucket}` })).statusCode).toBe(204);
    await send({ method: 'PUT', path: `/${bucket}` });
    expect((await getEncryption(bucket)).body).toBe(AES_DEFAULT);
  });
});

describe('rejected requests change nothing', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await newBucket();
    expect((await putWithMd5(bucket, KMS_CONFIGURATION)).statusCode).toBe(200);
  });
  afterEach(async () => {
    const get = await getEncryption(bucket);
    expect(get.body).toBe(KMS_CANONICAL);
  });

  const AES = AES256_NO_NAMESPACE_XML;

  it('answers 400 InvalidRequest when no checksum is sent', async () => {
    const result = await send({ method: 'PUT', path: `/${bucket}`, query: 'encryption', body: AES });
    expectS3Error(result, 400, 'InvalidRequest');
    expect(result.body).toContain(
      'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
    );
  });

  it('answers 400 BadDigest when Content-MD5 does not match', async () => {
    const result = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body: AES,
      headers: { 'content-md5': md5('other') },
    });
    expectS3Error(result, 400, 'BadDigest');
  });

  it('answers 400 InvalidDigest when Content-MD5 is not a digest', async () => {
    const result = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body: AES,
      headers: { 'content-md5': 'not-base64!' },
    });
    expectS3Error(result, 400, 'InvalidDigest');
  });

  it('answers 400 BadDigest when x-amz-checksum-crc32 does not match', async () => {
    const result = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body: AES,
      headers: {
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': await crc32Base64('other'),
      },
    });
    expectS3Error(result, 400, 'BadDigest');
  });

  it.each([
    ['MalformedXML', 400, '<ServerSideEncryptionConfiguration/>'],
    ['MalformedXML', 400, AES.replace('AES256', 'aes256')],
    [
      'MalformedXML',
      400,
      '<!DOCTYPE a [<!ENTITY x "AES256">]><ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>&x;</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>',
    ],
    [
      'InvalidArgument',
      400,
      AES.replace('</SSEAlgorithm>', '</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>'),
    ],
    ['MalformedXML', 400, ''],
  ])('answers %s for an invalid body', async (code, status, body) => {
    const result = await putWithMd5(bucket, body);
    expectS3Error(result, status, code);
  });

  it('names the argument of an InvalidArgument', async () => {
    const result = await putWithMd5(
      bucket,
      AES.replace('</SSEAlgorithm>', '</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>'),
    );
    expect(result.body).toContain('<ArgumentName>ApplyServerSideEncryptionByDefault</ArgumentName>');
    expect(result.body).toContain(
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
    );
  });

  it('answers 400 MaxMessageLengthExceeded for a body over 1 MiB', async () => {
    const body = `<ServerSideEncryptionConfiguration>${' '.repeat(1024 * 1024)}</ServerSideEncryptionConfiguration>`;
    expectS3Error(await putWithMd5(bucket, body), 400, 'MaxMessageLengthExceeded');
  });

  it.each(['PUT', 'GET', 'DELETE'])(
    'answers %s with 403 AccessDenied when x-amz-expected-bucket-owner is not the owner',
    async (method) => {
      const headers = { 'x-amz-expected-bucket-owner': '999999999999' };
      const result =
        method === 'PUT'
          ? await putWithMd5(bucket, AES, headers)
          : await send({ method, path: `/${bucket}`, query: 'encryption', headers });
      expectS3Error(result, 403, 'AccessDenied');
    },
  );

  // LocalStack's AWS-validated snapshots (test_{get,put,delete}_bucket_policy_invalid_account_id):
  // 400 InvalidBucketOwnerAWSAccountID, the value in the message, and nothing written.
  it.each([
    ['PUT', '0000'],
    ['GET', '0000000000020'],
    ['DELETE', 'abcd'],
    ['PUT', 'aa000000000$'],
    ['GET', ''],
  ])(
    'answers %s with 400 InvalidBucketOwnerAWSAccountID when x-amz-expected-bucket-owner is %j',
    async (method, value) => {
      const before = await getEncryption(bucket);
      const headers = { 'x-amz-expected-bucket-owner': value };
      const result =
        method === 'PUT'
          ? await putWithMd5(bucket, KMS_CONFIGURATION, headers)
          : await send({ method, path: `/${bucket}`, query: 'encryption', headers });
      expectS3Error(result, 400, 'InvalidBucketOwnerAWSAccountID');
      expect(result.body).toContain(
        `<Message>The value of the expected bucket owner parameter must be an AWS Account ID... [${value}]</Message>`,
      );
      expect((await getEncryption(bucket)).body).toBe(before.body);
    },
  );

  it.each(['policy', 'acl', 'publicAccessBlock'])(
    'answers GET ?%s with 400 InvalidBucketOwnerAWSAccountID for an expected owner that is no account id',
    async (query) => {
      const headers = { 'x-amz-expected-bucket-owner': 'invalid' };
      expectS3Error(
        await send({ method: 'GET', path: `/${bucket}`, query, headers }),
        400,
        'InvalidBucketOwnerAWSAccountID',
      );
    },
  );

  it.each(['PUT', 'GET', 'DELETE'])(
    'answers %s from another account with 403 AccessDenied',
    async (method) => {
      const result =
        method === 'PUT'
          ? await send({
              method,
              path: `/${bucket}`,
              query: 'encryption',
              body: AES,
              headers: { 'content-md5': md5(AES) },
              identity: SECOND_IDENTITY,
            })
          : await send({ method, path: `/${bucket}`, query: 'encryption', identity: SECOND_IDENTITY });
      expectS3Error(result, 403, 'AccessDenied');
      expect(result.body).not.toContain('aws:kms');
    },
  );

  it("answers AccessDenied, not the body's error, to another account sending a bad body", async () => {
    const result = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body: 'junk',
      headers: { 'content-md5': md5('junk') },
      identity: SECOND_IDENTITY,
    });
    expectS3Error(result, 403, 'AccessDenied');
  });
});

describe('order of checks', () => {
  it('answers NoSuchBucket before looking at the body', async () => {
    const bucket = uniqueBucket('missing');
    const result = await send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'encryption',
      body: 'not xml at all',
    });
    expectS3Error(result, 404, 'NoSuchBucket');
    expect(result.body).toContain(`<BucketName>${bucket}</BucketName>`);
  });

  it.each(['GET', 'DELETE'])(
    'answers %s ?encryption on a missing bucket with NoSuchBucket',
    async (method) => {
      expectS3Error(
        await send({ method, path: `/${uniqueBucket('missing')}`, query: 'encryption' }),
        404,
        'NoSuchBucket',
      );
    },
  );

  it('accepts x-amz-expected-bucket-owner naming the owner', async () => {
    const bucket = await newBucket();
    const headers = { 'x-amz-expected-bucket-owner': '123456789012' };
    expect((await putWithMd5(bucket, KMS_CONFIGURATION, headers)).statusCode).toBe(200);
    expect((await getEncryption(bucket, headers)).statusCode).toBe(200);
  });
});

describe('DynamoDB requests per call', () => {
  it('makes exactly one request for each of Put, Get and Delete in steady state', async () => {
    const bucket = await newBucket();
    await getEncryption(bucket); // warm the credential cache
    const counts: number[] = [];
    for (const call of [
      () => putWithMd5(bucket, KMS_CONFIGURATION),
      () => getEncryption(bucket),
      () => send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption' }),
    ]) {
      const { requests, result } = await countDynamoRequests(call);
      expect(result.statusCode).toBeLessThan(300);
      counts.push(requests);
    }
    expect(counts).toEqual([1, 1, 1]);
  });
});

describe('S3_UNSET_ENCRYPTION=not-found', () => {
  afterEach(() => {
    delete process.env.S3_UNSET_ENCRYPTION;
    resetConfig();
  });

  it('answers 404 ServerSideEncryptionConfigurationNotFoundError with the message Terraform matches', async () => {
    const bucket = await newBucket();
    process.env.S3_UNSET_ENCRYPTION = 'not-found';
    resetConfig();
    const result = await getEncryption(bucket);
    expectS3Error(result, 404, 'ServerSideEncryptionConfigurationNotFoundError');
    expect(result.body).toContain('The server side encryption configuration was not found');
  });
});
