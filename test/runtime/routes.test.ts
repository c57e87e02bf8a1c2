// What `serverless deploy` ships, served as Lambda serves it: each packaged function under AWS's runtime
// interface client on Node 24 (one runtime per function, started once, reused for every invocation),
// its environment from the packaged template, DynamoDB Local for the table, a KMS endpoint for the
// stack's key (every access key here is sealed by KMS, so every signed request opens one through the
// bundled KMS client). Requests are signed by the real clients (test/unit/auth/helpers.ts: the SDK v3
// signer and S3Client, the presigner, AWS CLI request shapes, Huawei's OBS SDK) and delivered as API
// Gateway delivers them (test/helpers/gateway-event.ts). An init error, an invocation error or an
// answer that is not S3's fails the test with the runtime's own output.
// RUNTIME_OUTPUT=1 prints the runtime's output for the first request of each route.
import { crc32 } from 'node:zlib';
import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BUCKET_OPERATIONS } from '../../functions/operations.ts';
import { gatewayEvent } from '../helpers/gateway-event.ts';
import {
  ALICE,
  captureObsRequests,
  captureSdkRequest,
  ENCRYPTION_XML,
  md5Base64,
  presignSdkUrl,
  signV4,
  type WireRequest,
} from '../unit/auth/helpers.ts';
import { DOMAIN, type Profile, REGION } from './global-setup.ts';
import { LambdaProcess } from './lambda.ts';
import { seedAlice } from './seed.ts';

const { functions, dynamodbEndpoint, kmsEndpoint, kmsKeyArn, tableName } = inject('runtime');

// Test-only: where the Lambdas find AWS's endpoints (the SDK's own AWS_ENDPOINT_URL_<SERVICE> settings).
const ENDPOINTS = { AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint, AWS_ENDPOINT_URL_KMS: kmsEndpoint };

const lambdas = new Map<string, LambdaProcess>();
const ROUTES: Record<string, string> = {
  'ANY /': 'service',
  'ANY /{bucket}': 'bucket',
  'ANY /{bucket}/{proxy+}': 'object',
};
/** Operations seen per route (aws profile), for the coverage check at the end. */
const served = new Map<string, Set<string>>();
const printed = new Set<string>();

beforeAll(async () => {
  // ALICE's secret sealed by the stack's key through KMS, as `npm run admin` does in AWS.
  Object.assign(process.env, ENDPOINTS, { AWS_ACCESS_KEY_ID: 'AKIDSEED', AWS_SECRET_ACCESS_KEY: 'seed' });
  await seedAlice(dynamodbEndpoint, tableName, kmsKeyArn);
  const all = (Object.entries(functions) as [Profile, typeof functions.aws][]).flatMap(([profile, specs]) =>
    specs.map(async (spec) =>
      lambdas.set(`${profile}/${spec.name}`, await LambdaProcess.start(spec, REGION, ENDPOINTS)),
    ),
  );
  await Promise.all(all);
});

afterAll(async () => {
  await Promise.all([...lambdas.values()].map((lambda) => lambda.stop()));
});

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  route: string;
  /** What the runtime wrote while serving it. */
  output: string;
}

/** Sends a request through API Gateway's event to the function of its route; fails on anything not S3's. */
async function call(wire: WireRequest, operation: string, profile: Profile = 'aws'): Promise<Answer> {
  const event = gatewayEvent(wire);
  const route = ROUTES[event.routeKey] ?? '';
  const lambda = lambdas.get(`${profile}/${route}`);
  if (!lambda) throw new Error(`no function for ${event.routeKey}`);
  const { outcome, output } = await lambda.invoke(event);
  const context = `${wire.method} ${wire.path}?${wire.rawQueryString} (${operation}, ${profile}/${route})`;
  if (outcome.kind === 'error') {
    throw new Error(
      `${context}: the runtime reported ${outcome.errorType}: ${outcome.errorMessage}\n${output}`,
    );
  }
  const answer = outcome.payload as Partial<Answer> & { isBase64Encoded?: boolean };
  const requestId = answer.headers?.['x-amz-request-id'] ?? answer.headers?.['x-obs-request-id'];
  const isS3 =
    typeof answer.statusCode === 'number' &&
    typeof answer.body === 'string' &&
    answer.isBase64Encoded === false &&
    /^[0-9A-F]{16}$/.test(requestId ?? '') &&
    (answer.statusCode < 300 ||
      wire.method === 'HEAD' ||
      (answer.headers?.['content-type'] === 'application/xml' &&
        /^<\?xml version="1.0" encoding="UTF-8"\?>\s*<Error><Code>\w+<\/Code>/.test(answer.body ?? '')));
  if (!isS3) throw new Error(`${context}: not an S3 answer: ${JSON.stringify(answer)}\n${output}`);
  if (profile === 'aws') {
    if (!served.has(route)) served.set(route, new Set());
    served.get(route)?.add(operation);
  }
  if (process.env.RUNTIME_OUTPUT && !printed.has(`${profile}/${route}`)) {
    printed.add(`${profile}/${route}`);
    console.info(`--- ${context} → ${answer.statusCode}\n${output}`);
  }
  return { ...(answer as Answer), route, output };
}

const errorCode = (answer: Answer) => /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];
const crc32Base64 = (body: string) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc32(body));
  return bytes.toString('base64');
};
let counter = 0;
const bucketName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

/** The three ways a bucket is addressed, each reaching its own route. */
const ADDRESSING = {
  // Virtual-hosted under the custom domain: `ANY /` (the service function).
  service: (bucket: string) => ({ host: `${bucket}.${DOMAIN}`, path: '/' }),
  // AWS CLI path-style: `ANY /{bucket}`.
  bucket: (bucket: string) => ({ host: DOMAIN, path: `/${bucket}` }),
  // SDK v3 path-style with the trailing slash: `ANY /{bucket}/{proxy+}`.
  object: (bucket: string) => ({ host: DOMAIN, path: `/${bucket}/` }),
} as const;

const PUBLIC_ACCESS_BLOCK =
  '<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>';
const OBJECT_WRITER =
  '<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>';

const policyFor = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ALICE.accountId}:root` },
        Action: 's3:GetEncryptionConfiguration',
        Resource: `arn:aws:s3:::${bucket}`,
      },
    ],
  });

describe.each(Object.keys(ADDRESSING) as (keyof typeof ADDRESSING)[])(
  'the %s function, every bucket operation (SigV4, AWS CLI shapes)',
  (route) => {
    it('creates, reads, configures, empties and deletes a bucket', async () => {
      const bucket = bucketName(route.slice(0, 3));
      const at = ADDRESSING[route](bucket);
      const signingDate = new Date();
      const sign = (
        method: string,
        query: Record<string, string>,
        extra: { body?: string; headers?: Record<string, string> } = {},
      ) => signV4({ method, ...at, query, signingDate, ...extra });
      const steps: Array<[string, () => Promise<WireRequest>, (answer: Answer) => void]> = [
        ['CreateBucket', () => sign('PUT', {}), (a) => expect(a.statusCode).toBe(200)],
        ['HeadBucket', () => sign('HEAD', {}), (a) => expect(a.statusCode).toBe(200)],
        [
          'PutBucketEncryption',
          // AWS CLI v2: Content-MD5.
          () =>
            sign(
              'PUT',
              { encryption: '' },
              { body: ENCRYPTION_XML, headers: { 'content-md5': md5Base64(ENCRYPTION_XML) } },
            ),
          (a) => expect(a.statusCode).toBe(200),
        ],
        [
          'GetBucketEncryption',
          () => sign('GET', { encryption: '' }),
          (a) => expect(a.body).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>'),
        ],
        [
          'DeleteBucketEncryption',
          () => sign('DELETE', { encryption: '' }),
          (a) => expect(a.statusCode).toBe(204),
        ],
        [
          'PutBucketPolicy',
          // AWS CLI (2025): CRC32 checksum.
          () =>
            sign(
              'PUT',
              { policy: '' },
              {
                body: policyFor(bucket),
                headers: {
                  'x-amz-sdk-checksum-algorithm': 'CRC32',
                  'x-amz-checksum-crc32': crc32Base64(policyFor(bucket)),
                },
              },
            ),
          (a) => expect(a.statusCode).toBe(204),
        ],
        [
          'GetBucketPolicy',
          () => sign('GET', { policy: '' }),
          (a) => expect(JSON.parse(a.body)).toEqual(JSON.parse(policyFor(bucket))),
        ],
        // The owner under a policy: authorization imports the policy language (its own chunk) now.
        ['HeadBucket (under the policy)', () => sign('HEAD', {}), (a) => expect(a.statusCode).toBe(200)],
        [
          'GetBucketPolicyStatus',
          () => sign('GET', { policyStatus: '' }),
          // A grant to one account: not public (lib/policy/public.ts).
          (a) => expect(a.body).toContain('<IsPublic>false</IsPublic>'),
        ],
        ['DeleteBucketPolicy', () => sign('DELETE', { policy: '' }), (a) => expect(a.statusCode).toBe(204)],
        [
          'GetPublicAccessBlock',
          () => sign('GET', { publicAccessBlock: '' }),
          // A new bucket's: all four on (AWS since April 2023).
          (a) => expect(a.body.match(/>true</g)).toHaveLength(4),
        ],
        [
          'PutPublicAccessBlock',
          // AWS CLI v2: Content-MD5.
          () =>
            sign(
              'PUT',
              { publicAccessBlock: '' },
              { body: PUBLIC_ACCESS_BLOCK, headers: { 'content-md5': md5Base64(PUBLIC_ACCESS_BLOCK) } },
            ),
          (a) => expect(a.statusCode).toBe(200),
        ],
        [
          'DeletePublicAccessBlock',
          () => sign('DELETE', { publicAccessBlock: '' }),
          (a) => expect(a.statusCode).toBe(204),
        ],
        [
          'PutBucketOwnershipControls',
          // AWS CLI v1 / SDK v3: CRC32.
          () =>
            sign(
              'PUT',
              { ownershipControls: '' },
              {
                body: OBJECT_WRITER,
                headers: {
                  'x-amz-sdk-checksum-algorithm': 'CRC32',
                  'x-amz-checksum-crc32': crc32Base64(OBJECT_WRITER),
                },
              },
            ),
          (a) => expect(a.statusCode).toBe(200),
        ],
        [
          'GetBucketOwnershipControls',
          () => sign('GET', { ownershipControls: '' }),
          (a) => expect(a.body).toContain('<ObjectOwnership>ObjectWriter</ObjectOwnership>'),
        ],
        [
          'DeleteBucketOwnershipControls',
          () => sign('DELETE', { ownershipControls: '' }),
          (a) => expect(a.statusCode).toBe(204),
        ],
        [
          'GetBucketAcl',
          () => sign('GET', { acl: '' }),
          (a) => expect(a.body).toContain('<Permission>FULL_CONTROL</Permission>'),
        ],
        [
          'PutBucketAcl',
          () =>
            sign('PUT', { acl: '' }, { headers: { 'x-amz-acl': 'private', 'content-md5': md5Base64('') } }),
          (a) => expect(a.statusCode).toBe(200),
        ],
        [
          'GetBucketLocation',
          () => sign('GET', { location: '' }),
          (a) => expect(a.body).toContain('<LocationConstraint'),
        ],
        ['ListObjects', () => sign('GET', {}), (a) => expect(a.body).toContain('<ListBucketResult')],
        [
          'ListObjectVersions',
          () => sign('GET', { versions: '' }),
          (a) => expect(a.body).toContain('<ListVersionsResult'),
        ],
        [
          'ListObjectsV2',
          () => sign('GET', { 'list-type': '2' }),
          (a) => expect(a.body).toContain('<KeyCount>0</KeyCount>'),
        ],
        [
          // OBS's probe: the aws profile does not implement it. A 501 is the client's doing, not an error.
          'HeadApiVersion',
          () => sign('HEAD', { apiversion: '' }),
          (a) => {
            expect(a.statusCode).toBe(501);
            expect(a.output).toContain('"status":501');
            expect(a.output).not.toContain('"level":"ERROR"');
          },
        ],
        ['DeleteBucket', () => sign('DELETE', {}), (a) => expect(a.statusCode).toBe(204)],
        ['HeadBucket (deleted)', () => sign('HEAD', {}), (a) => expect(a.statusCode).toBe(404)],
      ];
      for (const [operation, request, check] of steps) {
        const answer = await call(await request(), operation);
        expect(answer.route, operation).toBe(route);
        check(answer);
      }
    });
  },
);

describe('the service function, service operations', () => {
  it('lists the buckets (SDK v3 ListBucketsCommand)', async () => {
    const bucket = bucketName('lst');
    await call(
      await signV4({ method: 'PUT', ...ADDRESSING.bucket(bucket), signingDate: new Date() }),
      'CreateBucket',
    );
    const answer = await call(await captureSdkRequest(new ListBucketsCommand({}), new Date()), 'ListBuckets');
    expect(answer.route).toBe('service');
    expect(answer.body).toContain(`<Name>${bucket}</Name>`);
  });

  it('answers an unsigned HEAD /?apiversion 501 in the aws profile (OBS only), logged at INFO', async () => {
    const answer = await call(
      {
        method: 'HEAD',
        path: '/',
        rawQueryString: 'apiversion',
        headers: { host: DOMAIN },
        body: Buffer.alloc(0),
      },
      'HeadApiVersion',
    );
    expect(answer.route).toBe('service');
    expect(answer.statusCode).toBe(501);
    expect(answer.output).toMatch(/"level":"INFO","message":"request".*"status":501,"code":"NotImplemented"/);
    expect(answer.output).not.toContain('"level":"ERROR"');
  });
});

describe('the object function', () => {
  it('answers 501 NotImplemented for an object key', async () => {
    const answer = await call(
      await signV4({ method: 'GET', host: DOMAIN, path: '/some-bucket/some/key', signingDate: new Date() }),
      'GetObject',
    );
    expect(answer.route).toBe('object');
    expect([answer.statusCode, errorCode(answer)]).toEqual([501, 'NotImplemented']);
    expect(answer.output).not.toContain('"level":"ERROR"');
  });
});

describe('the SDK v3 S3Client and its presigner, through the packaged functions', () => {
  it('puts, gets and deletes the configuration as S3Client sends them (CRC32, /b/?encryption=)', async () => {
    const bucket = bucketName('sdk');
    await call(
      await signV4({ method: 'PUT', ...ADDRESSING.bucket(bucket), signingDate: new Date() }),
      'CreateBucket',
    );
    const put = await call(
      await captureSdkRequest(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/x' },
                BucketKeyEnabled: true,
              },
            ],
          },
        }),
        new Date(),
      ),
      'PutBucketEncryption',
    );
    expect(put.statusCode).toBe(200);
    const get = await call(
      await captureSdkRequest(new GetBucketEncryptionCommand({ Bucket: bucket }), new Date()),
      'GetBucketEncryption',
    );
    expect(get.body).toContain('<KMSMasterKeyID>alias/x</KMSMasterKeyID>');
    const removed = await call(
      await captureSdkRequest(new DeleteBucketEncryptionCommand({ Bucket: bucket }), new Date()),
      'DeleteBucketEncryption',
    );
    expect(removed.statusCode).toBe(204);
  });

  it('serves presigned GET and PUT URLs from @aws-sdk/s3-request-presigner', async () => {
    const bucket = bucketName('pre');
    await call(
      await signV4({ method: 'PUT', ...ADDRESSING.bucket(bucket), signingDate: new Date() }),
      'CreateBucket',
    );
    const body = `<?xml version="1.0" encoding="UTF-8"?>${ENCRYPTION_XML}`;
    const put = await call(
      await presignSdkUrl(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        }),
        'PUT',
        { signingDate: new Date(), body },
      ),
      'PutBucketEncryption',
    );
    expect(put.statusCode).toBe(200);
    const get = await call(
      await presignSdkUrl(new GetBucketEncryptionCommand({ Bucket: bucket }), 'GET', {
        signingDate: new Date(),
      }),
      'GetBucketEncryption',
    );
    expect(get.body).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>');
  });
});

describe("Huawei's OBS SDK (esdk-obs-nodejs) against the obs-profile package", () => {
  it.each([
    ['path-style, V2 signatures', { path_style: true }, 'AWS '],
    ['virtual-hosted, OBS signatures', {}, 'OBS '],
  ])('creates, configures, reads and deletes a bucket: %s', async (_name, options, scheme) => {
    const bucket = bucketName('obs');
    const clientOptions = { server: `http://${DOMAIN}`, ...options };
    const configuration = {
      Rule: {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'kms',
          KMSMasterKeyID:
            'cn-north-4:0d5ca48b7200d3d50f4cc00c1fe7d6a4:key/4f1cd4de-ab64-4807-920a-47fc42e7f0d0',
        },
      },
    };
    const operations: Array<
      [string, (client: Parameters<Parameters<typeof captureObsRequests>[1]>[0]) => Promise<unknown>]
    > = [
      ['CreateBucket', (client) => client.createBucket({ Bucket: bucket })],
      ['PutBucketEncryption', (client) => client.setBucketEncryption({ Bucket: bucket, ...configuration })],
      ['GetBucketEncryption', (client) => client.getBucketEncryption({ Bucket: bucket })],
      ['DeleteBucketEncryption', (client) => client.deleteBucketEncryption({ Bucket: bucket })],
      [
        'PutPublicAccessBlock',
        (client) => client.putBucketPublicAccessBlock({ Bucket: bucket, BlockPublicPolicy: true }),
      ],
      ['GetPublicAccessBlock', (client) => client.getBucketPublicAccessBlock({ Bucket: bucket })],
      // No policy on the bucket: OBS documents 404 NoSuchBucketPolicy.
      ['GetBucketPolicyStatus', (client) => client.getBucketPolicyPublicStatus({ Bucket: bucket })],
      ['GetBucketAcl', (client) => client.getBucketAcl({ Bucket: bucket })],
      ['DeleteBucket', (client) => client.deleteBucket({ Bucket: bucket })],
    ];
    const answers: Record<string, Answer> = {};
    for (const [operation, run] of operations) {
      for (const wire of await captureObsRequests(clientOptions, run, '3.0')) {
        const signed = wire.headers.authorization !== undefined;
        if (signed) expect(wire.headers.authorization?.startsWith(scheme)).toBe(true);
        answers[signed ? operation : `${operation} (negotiation)`] = await call(wire, operation, 'obs');
      }
    }
    expect(answers.CreateBucket?.statusCode).toBe(200);
    expect(answers.PutBucketEncryption?.statusCode).toBe(200);
    expect(answers.GetBucketEncryption?.body).toContain('<SSEAlgorithm>kms</SSEAlgorithm>');
    expect(answers.DeleteBucketEncryption?.statusCode).toBe(204);
    expect(answers.PutPublicAccessBlock?.statusCode).toBe(200);
    expect(answers.GetPublicAccessBlock?.body).toContain('<BlockPublicPolicy>true</BlockPublicPolicy>');
    expect(answers.GetPublicAccessBlock?.body).toContain('<BlockPublicAcls>false</BlockPublicAcls>');
    expect(answers.GetBucketPolicyStatus?.statusCode).toBe(404);
    expect(answers.GetBucketPolicyStatus?.body).toContain('<Code>NoSuchBucketPolicy</Code>');
    // OBS's own form (Delivered, no xsi:type) to an OBS signature; S3's grantee to V2.
    expect(answers.GetBucketAcl?.body?.includes('<Delivered>false</Delivered>')).toBe(scheme === 'OBS ');
    expect(answers.GetBucketAcl?.body?.includes('xsi:type="CanonicalUser"')).toBe(scheme === 'AWS ');
    expect(answers.DeleteBucket?.statusCode).toBe(204);
  });
});

describe('coverage', () => {
  it('served every bucket operation of the operation table on every route', () => {
    const bucketOperations = BUCKET_OPERATIONS.map(({ name }) => name);
    expect(bucketOperations.length).toBeGreaterThanOrEqual(21);
    for (const route of ['service', 'bucket', 'object']) {
      expect([...(served.get(route) ?? [])], route).toEqual(expect.arrayContaining(bucketOperations));
    }
    expect([...(served.get('service') ?? [])]).toContain('ListBuckets');
  });
});
