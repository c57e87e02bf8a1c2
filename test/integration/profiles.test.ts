// The vendor profiles end to end through the route Lambdas in-process: each describe switches the
// deployment's S3_PROFILE (and S3_UNSET_ENCRYPTION) for its tests and restores it afterwards.
import { describe, expect, it } from 'vitest';
import type { ProfileName } from '../../lib/config.ts';
import { withEnvironment } from '../helpers/environment.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import { expectS3Error, send } from '../helpers/invoke.ts';
import { md5 } from '../helpers/signed-event.ts';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const OBS_NAMESPACE = 'http://obs.us-east-1.myhuaweicloud.com/doc/2015-06-30/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A PutBucketEncryption body with the given ApplyServerSideEncryptionByDefault content. */
const configuration = (defaults: string, namespace = S3_NAMESPACE) =>
  `<ServerSideEncryptionConfiguration xmlns="${namespace}"><Rule><ApplyServerSideEncryptionByDefault>${defaults}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;

/** What GetBucketEncryption answers for it: canonical order, BucketKeyEnabled, the profile's namespace. */
const canonical = (defaults: string, namespace = S3_NAMESPACE) =>
  `${XML_DECLARATION}<ServerSideEncryptionConfiguration xmlns="${namespace}"><Rule><ApplyServerSideEncryptionByDefault>${defaults}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;

/** What the obs profile answers: Huawei's documented schema (no BucketKeyEnabled) and declaration. */
const obsCanonical = (defaults: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ServerSideEncryptionConfiguration xmlns="${OBS_NAMESPACE}"><Rule><ApplyServerSideEncryptionByDefault>${defaults}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;

const AES256 = '<SSEAlgorithm>AES256</SSEAlgorithm>';

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('profile');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  return bucket;
}

const putEncryption = (bucket: string, body: string, headers: Record<string, string> = {}) =>
  send({ method: 'PUT', path: `/${bucket}`, query: 'encryption', body, headers });
const putWithMd5 = (bucket: string, body: string) =>
  putEncryption(bucket, body, { 'content-md5': md5(body) });
const getEncryption = (bucket: string) => send({ method: 'GET', path: `/${bucket}`, query: 'encryption' });

describe('qstorage profile', () => {
  withEnvironment({ S3_PROFILE: 'qstorage' });

  it.each([
    ['AES256', AES256],
    [
      'verenc with a qkms: key',
      '<SSEAlgorithm>verenc</SSEAlgorithm><KMSMasterKeyID>qkms:team-key-1</KMSMasterKeyID>',
    ],
  ])('returns %s as stored when it was put with Content-MD5', async (_name, defaults) => {
    const bucket = await newBucket();
    expect((await putWithMd5(bucket, configuration(defaults))).statusCode).toBe(200);
    const get = await getEncryption(bucket);
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe(canonical(defaults));
    expect(get.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it.each([
    ['verenc without a key', '<SSEAlgorithm>verenc</SSEAlgorithm>', 'InvalidArgument'],
    [
      'verenc with a key that is not qkms:',
      '<SSEAlgorithm>verenc</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>',
      'InvalidArgument',
    ],
    ['aws:kms', '<SSEAlgorithm>aws:kms</SSEAlgorithm>', 'MalformedXML'],
    ['kms (OBS)', '<SSEAlgorithm>kms</SSEAlgorithm>', 'MalformedXML'],
  ])('returns 400 when the configuration is %s', async (_name, defaults, code) => {
    const bucket = await newBucket();
    expectS3Error(await putWithMd5(bucket, configuration(defaults)), 400, code);
    expect((await getEncryption(bucket)).body).toBe(canonical(AES256));
  });

  it('returns 400 KMSMasterKeyID InvalidArgument when verenc comes without a key', async () => {
    const bucket = await newBucket();
    const result = await putWithMd5(bucket, configuration('<SSEAlgorithm>verenc</SSEAlgorithm>'));
    expect(result.body).toContain('<ArgumentName>KMSMasterKeyID</ArgumentName>');
  });

  it('returns 400 InvalidRequest when no integrity header is sent', async () => {
    const bucket = await newBucket();
    expectS3Error(await putEncryption(bucket, configuration(AES256)), 400, 'InvalidRequest');
  });

  it('returns 200 AES256 (BucketKeyEnabled false) when nothing is set', async () => {
    const get = await getEncryption(await newBucket());
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe(canonical(AES256));
  });
});

describe('obs profile', () => {
  withEnvironment({ S3_PROFILE: 'obs' });

  const KMS_WITH_PROJECT =
    '<SSEAlgorithm>kms</SSEAlgorithm><KMSMasterKeyID>cn-north-4:0d5ca48b7200d3d50f4cc00c1fe7d6a4:key/4f1cd4de-ab64-4807-920a-47fc42e7f0d0</KMSMasterKeyID><ProjectID>9a1b2c3d4e5f60718293a4b5c6d7e8f9</ProjectID>';

  it.each([
    ['no integrity header (as esdk-obs-nodejs sends it)', {}],
    ['a matching Content-MD5', { 'content-md5': md5(configuration(KMS_WITH_PROJECT, OBS_NAMESPACE)) }],
  ])(
    'returns kms with its key and ProjectID in the OBS namespace when put with %s',
    async (_name, headers) => {
      const bucket = await newBucket();
      const put = await putEncryption(bucket, configuration(KMS_WITH_PROJECT, OBS_NAMESPACE), headers);
      expect(put.statusCode).toBe(200);
      const get = await getEncryption(bucket);
      expect(get.statusCode).toBe(200);
      expect(get.body).toBe(obsCanonical(KMS_WITH_PROJECT));
    },
  );

  it('returns the configuration in the OBS namespace when it was put without one', async () => {
    const bucket = await newBucket();
    const defaults = '<SSEAlgorithm>kms</SSEAlgorithm><KMSMasterKeyID>k1</KMSMasterKeyID>';
    const body = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>${defaults}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
    expect((await putEncryption(bucket, body)).statusCode).toBe(200);
    expect((await getEncryption(bucket)).body).toBe(obsCanonical(defaults));
  });

  it('returns 404 NoSuchEncryptionConfiguration with the BucketName when nothing is set', async () => {
    const bucket = await newBucket();
    const get = await getEncryption(bucket);
    expectS3Error(get, 404, 'NoSuchEncryptionConfiguration');
    expect(get.body).toContain(`<BucketName>${bucket}</BucketName>`);
  });

  it.each([
    ['Content-MD5', { 'content-md5': md5('something else') }],
    ['x-amz-checksum-crc32', { 'x-amz-checksum-crc32': 'AAAAAA==' }],
  ])('returns 400 BadDigest when a %s is present and does not match', async (_name, headers) => {
    const bucket = await newBucket();
    expectS3Error(
      await putEncryption(bucket, configuration(AES256, OBS_NAMESPACE), headers),
      400,
      'BadDigest',
    );
    expectS3Error(await getEncryption(bucket), 404, 'NoSuchEncryptionConfiguration');
  });

  it.each([
    ['aws:kms', '<SSEAlgorithm>aws:kms</SSEAlgorithm>', 'MalformedXML'],
    [
      'a ProjectID without a key',
      '<SSEAlgorithm>kms</SSEAlgorithm><ProjectID>9a1b2c3d4e5f60718293a4b5c6d7e8f9</ProjectID>',
      'InvalidArgument',
    ],
  ])('returns 400 when the configuration is %s', async (_name, defaults, code) => {
    const bucket = await newBucket();
    expectS3Error(await putEncryption(bucket, configuration(defaults, OBS_NAMESPACE)), 400, code);
  });

  it.each([
    ['a success', (bucket: string) => putEncryption(bucket, configuration(AES256)), 200],
    ['an error', (bucket: string) => getEncryption(bucket), 404],
  ])(
    'returns x-amz-request-id and x-amz-id-2, not x-obs-*, on %s signed SigV4',
    async (_name, call, status) => {
      const result = await call(await newBucket());
      expect(result.statusCode).toBe(status);
      expect(result.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
      expect(result.headers['x-amz-id-2']).toBeTruthy();
      expect(result.headers['x-obs-request-id']).toBeUndefined();
      expect(result.headers['x-obs-id-2']).toBeUndefined();
      expect(result.body).not.toContain('standalone');
    },
  );

  it('returns the region as x-amz-bucket-region to a SigV4 HeadBucket', async () => {
    const result = await send({ method: 'HEAD', path: `/${await newBucket()}` });
    expect(result.headers['x-amz-bucket-region']).toBe('us-east-1');
    expect(result.headers['x-obs-bucket-location']).toBeUndefined();
    // OBS documents no bucket ARN (AWS's x-amz-bucket-arn is the aws profile's).
    expect(result.headers['x-amz-bucket-arn']).toBeUndefined();
    expect(result.headers['x-amz-access-point-alias']).toBeUndefined();
  });

  it.each([
    ['signed OBS-style (and refused)', { authorization: 'OBS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl' }, 403],
    ['unsigned', {}, 403],
  ])(
    'returns x-obs-request-id and x-obs-id-2, not x-amz-*, to a request %s',
    async (_name, headers, status) => {
      const result = await send({
        method: 'GET',
        path: `/${await newBucket()}`,
        query: 'encryption',
        unsigned: true,
        headers: { date: new Date().toUTCString(), ...headers },
      });
      expect(result.statusCode).toBe(status);
      expect(result.headers['x-obs-request-id']).toMatch(/^[0-9A-F]{16}$/);
      expect(result.headers['x-obs-id-2']).toBeTruthy();
      expect(result.headers['x-amz-request-id']).toBeUndefined();
      expect(result.headers['x-amz-id-2']).toBeUndefined();
      expect(result.body).toContain(`<RequestId>${result.headers['x-obs-request-id']}</RequestId>`);
    },
  );

  it('returns 400 InvalidArgument for BucketKeyEnabled true, and stores nothing', async () => {
    const bucket = await newBucket();
    const body = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>${AES256}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;
    const put = await putEncryption(bucket, body);
    expectS3Error(put, 400, 'InvalidArgument');
    expect(put.body).toContain('<ArgumentName>BucketKeyEnabled</ArgumentName>');
    expectS3Error(await getEncryption(bucket), 404, 'NoSuchEncryptionConfiguration');
  });

  it('accepts BucketKeyEnabled false (what AWS-shaped tools send by default) and answers without it', async () => {
    const bucket = await newBucket();
    const body = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>${AES256}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;
    expect((await putEncryption(bucket, body)).statusCode).toBe(200);
    expect((await getEncryption(bucket)).body).toBe(obsCanonical(AES256));
  });

  it('returns 400 MalformedXML for BlockedEncryptionTypes (not in OBS schema), and stores nothing', async () => {
    const bucket = await newBucket();
    const body = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>${AES256}</ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`;
    expectS3Error(await putEncryption(bucket, body), 400, 'MalformedXML');
    expectS3Error(await getEncryption(bucket), 404, 'NoSuchEncryptionConfiguration');
  });

  it.each([
    ['the service', '/', {}],
    ['a bucket', '/any-bucket', { 'x-obs-bucket-type': 'OBJECT' }],
  ])('returns 200 with x-obs-api: 3.0 for an unsigned HEAD ?apiversion on %s', async (_name, path, extra) => {
    const result = await send({ method: 'HEAD', path, query: 'apiversion', unsigned: true });
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    expect(result.headers).toMatchObject({ 'x-obs-api': '3.0', ...extra });
  });
});

describe('aws profile', () => {
  withEnvironment({ S3_PROFILE: 'aws' });

  it('returns 501 without x-obs-api for HEAD /?apiversion (the OBS probe is not served)', async () => {
    const result = await send({ method: 'HEAD', path: '/', query: 'apiversion', unsigned: true });
    expect(result.statusCode).toBe(501);
    expect(result.headers['x-obs-api']).toBeUndefined();
    expect(result.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });
});

describe.each<ProfileName>(['aws', 'qstorage', 'obs'])(
  'S3_UNSET_ENCRYPTION=not-found, %s profile',
  (profile) => {
    withEnvironment({ S3_PROFILE: profile, S3_UNSET_ENCRYPTION: 'not-found' });

    it('returns 404 ServerSideEncryptionConfigurationNotFoundError when nothing is set', async () => {
      const bucket = await newBucket();
      const get = await getEncryption(bucket);
      expectS3Error(get, 404, 'ServerSideEncryptionConfigurationNotFoundError');
      expect(get.body).toContain('The server side encryption configuration was not found');
      expect(get.body).toContain(`<BucketName>${bucket}</BucketName>`);
    });

    it('returns the configuration once one is set', async () => {
      const bucket = await newBucket();
      expect((await putWithMd5(bucket, configuration(AES256))).statusCode).toBe(200);
      expect((await getEncryption(bucket)).body).toBe(
        profile === 'obs' ? obsCanonical(AES256) : canonical(AES256),
      );
    });
  },
);
