// What V2 (`AWS ak:sig`) and OBS (`OBS ak:sig`) signatures bind, through the route Lambdas in-process in
// the obs profile against DynamoDB Local (docs/security.md "Replay"). Requests are Huawei's SDK's own
// (esdk-obs-nodejs, recorded off the wire, test/helpers/signer.ts) or, for shapes it does not send (a
// Content-MD5 or a content-sha256 on setBucketPolicy), signed by hand as AWS and OBS document it.
// Then, in the aws profile: every operation that reads a body verifies a digest sent with it.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUCKET_OPERATIONS } from '../../functions/operations.ts';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { resetConfig } from '../../lib/config.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import { readConfiguration } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { gatewayEvent } from '../helpers/gateway-event.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { expectS3Error, type Result, send } from '../helpers/invoke.ts';
import { policyOf, secondAccountPolicy, statement } from '../helpers/policies.ts';
import { lambdaContext, md5 } from '../helpers/signed-event.ts';
import { captureObsRequests, sha256Hex, signV2, type WireRequest } from '../helpers/signer.ts';

const invoke = async (wire: WireRequest): Promise<Result> =>
  (await bucketRoute(gatewayEvent(wire) as APIGatewayProxyEventV2, lambdaContext())) as Result;
const withBody = (wire: WireRequest, body: string): WireRequest => ({ ...wire, body: Buffer.from(body) });
const withHeaders = (wire: WireRequest, headers: Record<string, string>): WireRequest => ({
  ...wire,
  headers: { ...wire.headers, ...headers },
});

/** Runs `replay` as if 11 seconds had passed: past the burst in which a signature may carry another body. */
async function later<T>(replay: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + 11_000);
    return await replay();
  } finally {
    vi.useRealTimers();
  }
}

const KMS_KEY = 'cn-north-4:0d5ca48b7200d3d50f4cc00c1fe7d6a4:key/4f1cd4de-ab64-4807-920a-47fc42e7f0d0';

// Huawei's SDK in each of its signing modes: path-style signs V2 (`AWS`), virtual-hosted signs OBS after
// the `HEAD /?apiversion` probe (answered `x-obs-api: 3.0` by the recording server).
const MODES = [
  { mode: 'V2, path-style', options: { path_style: true }, apiVersion: undefined, scheme: 'AWS' },
  { mode: 'OBS, virtual-hosted', options: {}, apiVersion: '3.0', scheme: 'OBS' },
] as const;
type Mode = (typeof MODES)[number];

/** The one signed request Huawei's SDK sends for `run`, as OWNER, in `mode`. */
async function sdkRequest(mode: Mode, run: Parameters<typeof captureObsRequests>[1]): Promise<WireRequest> {
  const requests = await captureObsRequests(
    { ...mode.options, access_key_id: OWNER.accessKeyId, secret_access_key: OWNER.secretAccessKey },
    run,
    mode.apiVersion,
  );
  const signed = requests.filter((request) => request.headers.authorization !== undefined);
  expect(signed).toHaveLength(1);
  const [request] = signed;
  expect(request?.headers.authorization?.startsWith(`${mode.scheme} `)).toBe(true);
  return request as WireRequest;
}

/** PUT ?policy on `bucket` signed by hand, in the SDK's addressing for the scheme. */
function handSignedPolicy(
  scheme: 'AWS' | 'OBS',
  bucket: string,
  body: string,
  headers: Record<string, string>,
): WireRequest {
  return signV2({
    scheme,
    method: 'PUT',
    ...(scheme === 'AWS'
      ? { host: 'localhost', path: `/${bucket}`, resource: `/${bucket}?policy` }
      : { host: `${bucket}.localhost`, path: '/', resource: `/${bucket}/?policy` }),
    rawQueryString: 'policy',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    credentials: OWNER,
  });
}

const getPolicy = async (bucket: string) =>
  (await send({ method: 'GET', path: `/${bucket}`, query: 'policy' })).body;

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('v2');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  return bucket;
}

describe('V2 and OBS signatures in the obs profile', () => {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.S3_PROFILE;
    process.env.S3_PROFILE = 'obs';
    resetConfig();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.S3_PROFILE;
    else process.env.S3_PROFILE = saved;
    resetConfig();
  });

  describe.each(MODES)('Huawei’s SDK, $mode', (mode) => {
    it('returns 204 for its setBucketPolicy and for the same request replayed, then 403 AccessDenied for it replayed later with another body; the policy stays', async () => {
      const bucket = await newBucket();
      const mine = policyOf(statement('Deny', { AWS: SECOND_IDENTITY.accountId }, 's3:*', bucket));
      const captured = await sdkRequest(mode, (client) =>
        client.setBucketPolicy({ Bucket: bucket, Policy: mine }),
      );
      // The SDK signs no digest of the body: the signature alone does not cover it.
      expect(captured.headers['content-md5']).toBeUndefined();

      expect((await invoke(captured)).statusCode).toBe(204);
      const stored = await storage().buckets.getBucket(bucket);
      const replayed = await later(async () => {
        // The same request again (same signature, same body) re-applies the same state, as in S3.
        expect((await invoke(captured)).statusCode).toBe(204);
        return invoke(withBody(captured, secondAccountPolicy(bucket, 's3:*')));
      });
      const error = expectS3Error(replayed, 403, 'AccessDenied');
      expect(error?.message).toMatch(/^This signature was already used with another body/);
      expect(await getPolicy(bucket)).toBe(mine);
      expect((await storage().buckets.getBucket(bucket))?.policy).toBe(stored?.policy);
    });

    it('returns 200 for two setBucketEncryption it signs alike in one second, then 403 AccessDenied for a third body later; the configuration stays', async () => {
      const bucket = await newBucket();
      const captured = await sdkRequest(mode, (client) =>
        client.setBucketEncryption({
          Bucket: bucket,
          Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'kms', KMSMasterKeyID: KMS_KEY } },
        }),
      );
      const kms = captured.body.toString('utf8');
      const aes = kms.replace(
        /<SSEAlgorithm>kms<\/SSEAlgorithm>.*<\/KMSMasterKeyID>/,
        '<SSEAlgorithm>AES256</SSEAlgorithm>',
      );
      expect(aes).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>');
      // Two calls in the same second to the same resource, without a digest, carry the same signature
      // (the SDK's Date has one-second resolution): both are the client's own, both go through.
      expect((await invoke(captured)).statusCode).toBe(200);
      expect((await invoke(withBody(captured, aes))).statusCode).toBe(200);
      const before = await storage().buckets.getBucket(bucket);
      expect(readConfiguration(encryptionCodec, before)?.sseAlgorithm).toBe('AES256');
      const replayed = await later(() => invoke(withBody(captured, kms.replace(KMS_KEY, `${KMS_KEY}0`))));
      expectS3Error(replayed, 403, 'AccessDenied');
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    });

    it('returns 403 AccessDenied for its bodiless createBucket replayed later with a body: an empty body binds too', async () => {
      const bucket = uniqueBucket('v2');
      const captured = await sdkRequest(mode, (client) => client.createBucket({ Bucket: bucket }));
      expect(captured.body.length).toBe(0);
      expect((await invoke(captured)).statusCode).toBe(200);
      const before = await storage().buckets.getBucket(bucket);
      const body =
        '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>';
      expectS3Error(await later(() => invoke(withBody(captured, body))), 403, 'AccessDenied');
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    });
  });

  describe.each([
    { scheme: 'AWS', contentSha256: 'x-amz-content-sha256' },
    { scheme: 'OBS', contentSha256: 'x-obs-content-sha256' },
  ] as const)('$scheme signature with a signed digest of the body', ({ scheme, contentSha256 }) => {
    it('returns 400 BadDigest for a signed Content-MD5 replayed with another body; the policy stays', async () => {
      const bucket = await newBucket();
      const mine = policyOf(statement('Deny', { AWS: SECOND_IDENTITY.accountId }, 's3:*', bucket));
      const signed = handSignedPolicy(scheme, bucket, mine, { 'content-md5': md5(mine) });
      expect((await invoke(signed)).statusCode).toBe(204);
      const before = await storage().buckets.getBucket(bucket);
      const error = expectS3Error(
        await invoke(withBody(signed, secondAccountPolicy(bucket, 's3:*'))),
        400,
        'BadDigest',
      );
      expect(error?.message).toBe('The Content-MD5 you specified did not match what we received.');
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    });

    it(`returns 400 XAmzContentSHA256Mismatch for a signed ${contentSha256} that is not the body’s; the policy stays`, async () => {
      const bucket = await newBucket();
      const mine = policyOf(statement('Deny', { AWS: SECOND_IDENTITY.accountId }, 's3:*', bucket));
      const signed = handSignedPolicy(scheme, bucket, mine, { [contentSha256]: sha256Hex(mine) });
      expect((await invoke(signed)).statusCode).toBe(204);
      const before = await storage().buckets.getBucket(bucket);
      const replayed = await invoke(withBody(signed, secondAccountPolicy(bucket, 's3:*')));
      expectS3Error(replayed, 400, 'XAmzContentSHA256Mismatch');
      expect(replayed.body).toContain(
        `<ClientComputedContentSHA256>${sha256Hex(mine)}</ClientComputedContentSHA256>`,
      );
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    });
  });

  describe('x-amz- headers on an OBS-signed request (OBS does not sign them)', () => {
    let bucket: string;
    let captured: WireRequest;
    beforeAll(async () => {
      bucket = await newBucket();
      captured = await sdkRequest(MODES[1], (client) =>
        client.setBucketEncryption({
          Bucket: bucket,
          Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        }),
      );
    });

    it.each([
      // Would have refused the owner's own write (403) had it been read.
      ['x-amz-expected-bucket-owner', SECOND_IDENTITY.accountId],
      // Would have refused it 400 BadDigest / XAmzContentSHA256Mismatch had they been read.
      ['x-amz-checksum-crc32', 'AAAAAA=='],
      ['x-amz-content-sha256', sha256Hex('another body')],
      ['x-amz-sdk-checksum-algorithm', 'SHA256'],
      // Would have moved the request's time had it been read.
      ['x-amz-date', '20200101T000000Z'],
    ])('returns 403 AccessDenied naming %s as not signed, and changes nothing', async (name, value) => {
      const stored = await storage().buckets.getBucket(bucket);
      const result = await invoke(withHeaders(captured, { [name]: value }));
      expectS3Error(result, 403, 'AccessDenied');
      expect(result.body).toContain(`<HeadersNotSigned>${name}</HeadersNotSigned>`);
      // Answered in the dialect of the signature presented.
      expect(result.headers['x-obs-request-id']).toMatch(/^[0-9A-F]{16}$/);
      expect(await storage().buckets.getBucket(bucket)).toEqual(stored);
    });

    it('returns 200 for the request as the SDK sent it', async () => {
      expect((await invoke(captured)).statusCode).toBe(200);
    });
  });
});

// Under V2 and OBS a signed Content-MD5 is what binds the body to the signature (and the operations
// require or verify it under SigV4 too): every operation that reads a body must verify one sent with
// it. A new PUT operation joins this test through the operation table.
describe('every operation that reads a body', () => {
  const writes = BUCKET_OPERATIONS.filter((operation) => operation.method === 'PUT');

  it('includes CreateBucket, PutBucketEncryption and PutBucketPolicy', () => {
    expect(writes.map((operation) => operation.name)).toEqual(
      expect.arrayContaining(['CreateBucket', 'PutBucketEncryption', 'PutBucketPolicy']),
    );
  });

  it.each(writes.map((operation) => [operation.name, operation] as const))(
    'returns 400 BadDigest from %s for a Content-MD5 that is not the body’s, and changes nothing',
    async (name, operation) => {
      const bucket = name === 'CreateBucket' ? uniqueBucket('v2') : await newBucket();
      const before = await storage().buckets.getBucket(bucket);
      const body = '<Anything/>';
      const result = await send({
        method: 'PUT',
        path: `/${bucket}`,
        ...(operation.subresource === undefined ? {} : { query: operation.subresource }),
        headers: { 'content-md5': md5('another body') },
        body,
      });
      expectS3Error(result, 400, 'BadDigest');
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    },
  );
});
