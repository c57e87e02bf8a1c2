// End to end: Huawei's own Node SDK (esdk-obs-nodejs) against the obs-profile gateway, in both of its
// addressing modes, and which signature it used for each call:
//   - path-style (`path_style: true`): no negotiation, every request signed V2 `Authorization: AWS ak:sig`;
//   - virtual-hosted (the default): an unsigned `HEAD /?apiversion` on `<bucket>.localhost` first; our
//     obs profile answers `x-obs-api: 3.0`, so the client signs `Authorization: OBS ak:sig`.
// The Authorization header of every call is recorded through the SDK's own RequestHook parameter, and
// the response (status, headers, raw body) through its ResponseHook. The SDK reads the request id (and
// the bucket region) from x-amz-* headers after AWS-style signing and from x-obs-* after OBS-style: the
// obs profile answers each call in its own dialect.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import ObsClient, { type ObsResult, type OperationParams } from 'esdk-obs-nodejs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, uniqueBucket } from '../helpers/identities.ts';
import { signV4 } from '../helpers/signer.ts';

const OBS_NAMESPACE = 'http://obs.us-east-1.myhuaweicloud.com/doc/2015-06-30/';
const KMS_KEY = 'cn-north-4:0d5ca48b7200d3d50f4cc00c1fe7d6a4:key/4f1cd4de-ab64-4807-920a-47fc42e7f0d0';
const PROJECT_ID = '9a1b2c3d4e5f60718293a4b5c6d7e8f9';

// Virtual-hosted requests go to `<bucket>.localhost`. RFC 6761 §6.3 makes every name under `localhost`
// a loopback name, but Node's resolver (getaddrinfo) answers ENOTFOUND for them, so this test process
// answers 127.0.0.1 for `localhost` and `*.localhost` itself (the gateway listens on 127.0.0.1 only, so
// `localhost` must not become ::1 either). Node's HTTP client connects through `dns.lookup`; the
// promise API is not used by it and stays as it is.
const systemLookup = dns.lookup;
const isLoopbackName = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost');
function loopbackLookup(hostname: string, options: unknown, callback?: unknown): void {
  const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
  if (!isLoopbackName(hostname.toLowerCase())) {
    (systemLookup as (...args: unknown[]) => void)(hostname, options, callback);
    return;
  }
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
  process.nextTick(() =>
    all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4),
  );
}
beforeAll(() => {
  dns.lookup = loopbackLookup as typeof dns.lookup;
});
afterAll(() => {
  dns.lookup = systemLookup;
});

/** One call as it went over the wire. */
interface Exchange {
  authorization: string | undefined;
  host: string | undefined;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

type Operation =
  | 'createBucket'
  | 'deleteBucket'
  | 'getBucketMetadata'
  | 'getBucketLocation'
  | 'setBucketEncryption'
  | 'getBucketEncryption'
  | 'deleteBucketEncryption'
  | 'putBucketPublicAccessBlock'
  | 'getBucketPublicAccessBlock'
  | 'deleteBucketPublicAccessBlock'
  | 'getBucketAcl';

/** Runs an operation, recording the request's Authorization and Host and the raw response. */
async function call(
  client: InstanceType<typeof ObsClient>,
  operation: Operation,
  params: OperationParams,
): Promise<{ result: ObsResult; exchange: Exchange }> {
  const chunks: Buffer[] = [];
  const exchange: Exchange = { authorization: undefined, host: undefined, status: 0, headers: {}, body: '' };
  const sent = client[operation]({
    ...params,
    RequestHook: (request) => {
      exchange.authorization = request.getHeader('authorization')?.toString();
      exchange.host = request.getHeader('host')?.toString();
    },
    // Listening here as well as in the SDK: both get every chunk (the SDK attaches its own
    // listener synchronously right after this hook returns).
    ResponseHook: (response) => {
      exchange.status = response.statusCode ?? 0;
      exchange.headers = response.headers;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
    },
  });
  try {
    const result = await sent;
    exchange.body = Buffer.concat(chunks).toString('utf8');
    return { result, exchange };
  } catch (error) {
    // The SDK rejects only when it cannot read the answer: show what the gateway sent.
    const body = Buffer.concat(chunks).toString('utf8').slice(0, 1_000);
    throw new Error(`${operation}: the SDK could not read the ${exchange.status} answer: ${body}`, {
      cause: error,
    });
  }
}

// Huawei's documented sample answer (test/fixtures/vendor), split into its status line, headers and body.
const [SAMPLE_HEAD = '', SAMPLE_BODY = ''] = readFileSync(
  new URL('../fixtures/vendor/obs-get-bucket-encryption-response.txt', import.meta.url),
  'utf8',
).split('\n\n');
const SAMPLE_KEY = '4f1cd4de-ab64-4807-920a-47fc42e7f0d0';

/** A document with the whitespace between elements removed and the namespace's region/domain neutral. */
const comparable = (xml: string) =>
  xml
    .replace(/>\s+</g, '><')
    .trim()
    .replace(/http:\/\/obs\.[^/"]+\/doc\//, 'http://obs.REGION.DOMAIN/doc/');

/** The `ApplyServerSideEncryptionByDefault` the SDK parsed out of a GetBucketEncryption answer. */
const parsedDefaults = (result: ObsResult) =>
  (
    result.InterfaceResult?.Rule as
      | { ApplyServerSideEncryptionByDefault?: Record<string, string> }
      | undefined
  )?.ApplyServerSideEncryptionByDefault;

/** PutBucketEncryption signed SigV4 (which the obs profile also accepts): the SDK's model has no ProjectID. */
async function putWithSigV4(gateway: string, bucket: string, body: string): Promise<number> {
  const url = new URL(`${gateway}/${bucket}?encryption`);
  const signed = await signV4({
    method: 'PUT',
    host: url.host,
    path: url.pathname,
    query: { encryption: '' },
    headers: { 'content-type': 'application/xml' },
    body,
    credentials: OWNER,
    signingDate: new Date(),
  });
  const response = await fetch(url, { method: 'PUT', headers: signed.headers, body });
  await response.arrayBuffer();
  return response.status;
}

describe.each([
  {
    addressing: 'path-style',
    options: { path_style: true },
    scheme: 'AWS',
    own: 'x-amz-',
    foreign: 'x-obs-',
    // GetBucketLocation after an AWS signature: S3's document (us-east-1 is S3's empty constraint).
    sdkLocation: '',
    location:
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n?<LocationConstraint xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"\s*\/?>(<\/LocationConstraint>)?$/,
  },
  {
    addressing: 'virtual-hosted',
    options: {},
    scheme: 'OBS',
    own: 'x-obs-',
    foreign: 'x-amz-',
    // After an OBS signature: OBS's own, as its API reference shows it ("Obtaining Bucket Location").
    sdkLocation: 'us-east-1',
    location:
      /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>\n<Location xmlns="http:\/\/obs\.us-east-1\.myhuaweicloud\.com\/doc\/2015-06-30\/">us-east-1<\/Location>$/,
  },
])(
  'esdk-obs-nodejs, $addressing, against the obs profile',
  ({ addressing, options, scheme, own, foreign, location, sdkLocation }) => {
    const gateway = inject('gateways').obs;
    const port = new URL(gateway).port;
    let client: InstanceType<typeof ObsClient>;
    const bucket = uniqueBucket('obs');
    const exchanges: Exchange[] = [];
    const run = async (operation: Operation, params: OperationParams = {}) => {
      const { result, exchange } = await call(client, operation, { Bucket: bucket, ...params });
      exchanges.push(exchange);
      return { result, exchange };
    };

    beforeAll(async () => {
      client = new ObsClient({
        access_key_id: OWNER.accessKeyId,
        secret_access_key: OWNER.secretAccessKey,
        // A name, not 127.0.0.1: the SDK forces path-style for an IP address.
        server: `http://localhost:${port}`,
        max_retry_count: 0,
        timeout: 20,
        ...options,
      });
      // The client finishes configuring itself a tick after construction.
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    afterAll(() => client.close());

    it('returns 200 for createBucket, with the request id the SDK reports', async () => {
      const { result, exchange } = await run('createBucket');
      expect(result.CommonMsg.Status).toBe(200);
      expect(exchange.headers.location).toBe(`/${bucket}`);
      expect(result.CommonMsg.RequestId).toMatch(/^[0-9A-F]{16}$/);
      expect(result.CommonMsg.RequestId).toBe(exchange.headers[`${own}request-id`]);
    });

    // After an OBS signature the SDK names the region in OBS's <Location> (always, us-east-1 too); after
    // an AWS signature in S3's <LocationConstraint>, where us-east-1 is never named (AWS's answer).
    it('creates a bucket with its region named as the SDK names it', async () => {
      const named = uniqueBucket('obs-location');
      const { result } = await call(client, 'createBucket', { Bucket: named, Location: 'us-east-1' });
      if (scheme === 'OBS') {
        expect(result.CommonMsg.Status).toBe(200);
        const head = await call(client, 'getBucketMetadata', { Bucket: named });
        expect(head.result.InterfaceResult?.Location).toBe('us-east-1');
        expect((await call(client, 'deleteBucket', { Bucket: named })).result.CommonMsg.Status).toBe(204);
      } else {
        expect([result.CommonMsg.Status, result.CommonMsg.Code]).toEqual([400, 'InvalidLocationConstraint']);
      }
    });

    it('returns the bucket region to getBucketMetadata (HeadBucket) in the dialect the SDK reads', async () => {
      const { result, exchange } = await run('getBucketMetadata');
      expect(result.CommonMsg.Status).toBe(200);
      expect(result.InterfaceResult?.Location).toBe('us-east-1');
      expect(result.InterfaceResult?.RequestId).toBe(exchange.headers[`${own}request-id`]);
      expect(exchange.headers['x-amz-bucket-region'] ?? exchange.headers['x-obs-bucket-location']).toBe(
        'us-east-1',
      );
    });

    it('returns the bucket region to getBucketLocation in the document of its signature', async () => {
      const { result, exchange } = await run('getBucketLocation');
      expect(result.CommonMsg.Status).toBe(200);
      expect(exchange.body).toMatch(location);
      expect(result.InterfaceResult?.Location).toBe(sdkLocation);
    });

    it('returns 404 NoSuchEncryptionConfiguration from getBucketEncryption when nothing is set', async () => {
      const { result, exchange } = await run('getBucketEncryption');
      expect([result.CommonMsg.Status, result.CommonMsg.Code]).toEqual([
        404,
        'NoSuchEncryptionConfiguration',
      ]);
      expect(exchange.body).toContain(`<BucketName>${bucket}</BucketName>`);
      expect(result.CommonMsg.RequestId).toMatch(/^[0-9A-F]{16}$/);
      expect(result.CommonMsg.RequestId).toBe(exchange.headers[`${own}request-id`]);
    });

    it('returns kms and its key from getBucketEncryption after setBucketEncryption', async () => {
      const set = await run('setBucketEncryption', {
        Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'kms', KMSMasterKeyID: KMS_KEY } },
      });
      expect(set.result.CommonMsg).toMatchObject({ Status: 200, Code: '' });
      const { result, exchange } = await run('getBucketEncryption');
      expect(result.CommonMsg.Status).toBe(200);
      expect(result.CommonMsg.RequestId).toBe(exchange.headers[`${own}request-id`]);
      expect(parsedDefaults(result)).toEqual({ SSEAlgorithm: 'kms', KMSMasterKeyID: KMS_KEY });
      expect(exchange.headers['content-type']).toBe('application/xml');
      expect(exchange.body).toContain(`<ServerSideEncryptionConfiguration xmlns="${OBS_NAMESPACE}">`);
    });

    it('answers a presigned URL from createSignedUrlSync with the same configuration, until it expires', async () => {
      const { SignedUrl, ActualSignedRequestHeaders } = client.createSignedUrlSync({
        Method: 'GET',
        Bucket: bucket,
        SpecialParam: 'encryption',
        Expires: 5,
      });
      expect(SignedUrl).toContain(scheme === 'AWS' ? '?AWSAccessKeyId=' : '?AccessKeyId=');
      // Sent as a browser would: the URL, with the headers the SDK says it signed (its Host). fetch()
      // cannot set Host, so node:http, to the gateway's address.
      const get = () =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const url = new URL(SignedUrl);
          const request = http.get(
            `${gateway}${url.pathname === '' ? '/' : url.pathname}${url.search}`,
            { headers: ActualSignedRequestHeaders },
            (response) => {
              const chunks: Buffer[] = [];
              response.on('data', (chunk: Buffer) => chunks.push(chunk));
              response.on('end', () =>
                resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
              );
            },
          );
          request.on('error', reject);
        });
      const answer = await get();
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(`<KMSMasterKeyID>${KMS_KEY}</KMSMasterKeyID>`);
      // Valid until its Expires (whole seconds), refused after.
      const expiresMs = Number(new URL(SignedUrl).searchParams.get('Expires')) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresMs - Date.now()) + 1_100));
      const expired = await get();
      expect(expired.status).toBe(403);
      expect(expired.body).toContain('<Message>Request has expired</Message>');
    });

    it("answers getBucketEncryption as Huawei's documented sample, apart from ids, dates, whitespace and namespace host", async () => {
      expect(
        (
          await run('setBucketEncryption', {
            Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'kms', KMSMasterKeyID: SAMPLE_KEY } },
          })
        ).result.CommonMsg.Status,
      ).toBe(200);
      const { exchange } = await run('getBucketEncryption');
      expect(comparable(exchange.body)).toBe(comparable(SAMPLE_BODY));
      const sampleHeaders = SAMPLE_HEAD.split('\n').slice(1);
      expect(SAMPLE_HEAD.split('\n')[0]).toBe(`HTTP/1.1 ${exchange.status} OK`);
      for (const line of sampleHeaders) {
        const [name = '', value = ''] = line.split(/: (.*)/s).map((part) => part.trim());
        const header = name.toLowerCase();
        // Server names the vendor's own software: not ours to claim (docs/behaviour.md).
        if (header === 'server') continue;
        // The ids differ by nature; they come in the dialect of the request's signature.
        if (header.startsWith('x-obs-')) {
          expect(exchange.headers[header.replace('x-obs-', own)], header).toMatch(/\S/);
          continue;
        }
        expect(exchange.headers[header], header).toBe(value);
      }
    });

    it('returns AES256 from getBucketEncryption after setBucketEncryption replaces kms', async () => {
      const set = await run('setBucketEncryption', {
        Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      });
      expect(set.result.CommonMsg.Status).toBe(200);
      const { result, exchange } = await run('getBucketEncryption');
      // The SDK reports an element the answer does not have as ''.
      expect(parsedDefaults(result)).toEqual({ SSEAlgorithm: 'AES256', KMSMasterKeyID: '' });
      expect(exchange.body).not.toContain('KMSMasterKeyID');
    });

    it('returns a configuration with a ProjectID (put by a SigV4 client) to getBucketEncryption', async () => {
      const defaults = `<SSEAlgorithm>kms</SSEAlgorithm><KMSMasterKeyID>${KMS_KEY}</KMSMasterKeyID><ProjectID>${PROJECT_ID}</ProjectID>`;
      const body = `<ServerSideEncryptionConfiguration xmlns="${OBS_NAMESPACE}"><Rule><ApplyServerSideEncryptionByDefault>${defaults}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
      expect(await putWithSigV4(gateway, bucket, body)).toBe(200);
      const { result, exchange } = await run('getBucketEncryption');
      expect(parsedDefaults(result)).toEqual({ SSEAlgorithm: 'kms', KMSMasterKeyID: KMS_KEY });
      expect(exchange.body).toContain(
        `<ApplyServerSideEncryptionByDefault>${defaults}</ApplyServerSideEncryptionByDefault>`,
      );
    });

    it('returns 204 for deleteBucketEncryption, then 404 NoSuchEncryptionConfiguration', async () => {
      expect((await run('deleteBucketEncryption')).result.CommonMsg.Status).toBe(204);
      const { result } = await run('getBucketEncryption');
      expect([result.CommonMsg.Status, result.CommonMsg.Code]).toEqual([
        404,
        'NoSuchEncryptionConfiguration',
      ]);
    });

    it("returns a new bucket's Block Public Access (all on), then what putBucketPublicAccessBlock set, in OBS's namespace", async () => {
      const flags = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];
      const before = await run('getBucketPublicAccessBlock');
      expect(before.result.CommonMsg.Status).toBe(200);
      expect(flags.map((flag) => before.result.InterfaceResult?.[flag])).toEqual([
        'true',
        'true',
        'true',
        'true',
      ]);
      expect(before.exchange.body).toContain(`<PublicAccessBlockConfiguration xmlns="${OBS_NAMESPACE}">`);
      const put = await run('putBucketPublicAccessBlock', {
        BlockPublicAcls: true,
        IgnorePublicAcls: false,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: false,
      });
      expect(put.result.CommonMsg).toMatchObject({ Status: 200, Code: '' });
      const after = await run('getBucketPublicAccessBlock');
      expect(flags.map((flag) => after.result.InterfaceResult?.[flag])).toEqual([
        'true',
        'false',
        'true',
        'false',
      ]);
      expect((await run('deleteBucketPublicAccessBlock')).result.CommonMsg.Status).toBe(204);
      const gone = await run('getBucketPublicAccessBlock');
      expect([gone.result.CommonMsg.Status, gone.result.CommonMsg.Code]).toEqual([
        404,
        'NoSuchPublicAccessBlockConfiguration',
      ]);
    });

    it(`returns the owner's FULL_CONTROL to getBucketAcl, in OBS's documented form only to an OBS signature (${scheme})`, async () => {
      const { result, exchange } = await run('getBucketAcl');
      expect(result.CommonMsg.Status).toBe(200);
      expect(result.InterfaceResult?.Owner).toMatchObject({ ID: OWNER.accountId });
      expect(result.InterfaceResult?.Grants).toEqual([
        expect.objectContaining({
          Grantee: expect.objectContaining({ ID: OWNER.accountId }),
          Permission: 'FULL_CONTROL',
        }),
      ]);
      // OBS's form has no xsi:type and a Delivered element; S3's, answered to V2 (whose model writes
      // xsi:type, and which boto3 and the AWS CLI read as the grantee's Type), the reverse.
      expect(exchange.body.includes('<Delivered>false</Delivered>')).toBe(scheme === 'OBS');
      expect(exchange.body.includes('xsi:type="CanonicalUser"')).toBe(scheme === 'AWS');
    });

    it('returns 204 for deleteBucket, then 404 NoSuchBucket', async () => {
      expect((await run('deleteBucket')).result.CommonMsg.Status).toBe(204);
      const { result } = await run('getBucketEncryption');
      expect([result.CommonMsg.Status, result.CommonMsg.Code]).toEqual([404, 'NoSuchBucket']);
    });

    it(`returns every call signed ${scheme} and addressed ${addressing}`, () => {
      expect(exchanges.length).toBeGreaterThanOrEqual(10);
      const prefix = new RegExp(`^${scheme} ${OWNER.accessKeyId}:[A-Za-z0-9+/]{27}=$`);
      for (const exchange of exchanges) expect(exchange.authorization).toMatch(prefix);
      const host = addressing === 'path-style' ? 'localhost' : `${bucket}.localhost`;
      expect(new Set(exchanges.map((exchange) => exchange.host))).toEqual(new Set([host]));
    });

    it(`returns ${own}request-id and ${own}id-2 (and no ${foreign}*) on every response`, () => {
      for (const { headers } of exchanges) {
        expect(headers[`${own}request-id`]).toMatch(/^[0-9A-F]{16}$/);
        expect(headers[`${own}id-2`]).toBeTruthy();
        expect(Object.keys(headers).filter((name) => name.startsWith(foreign))).toEqual([]);
      }
    });
  },
);
