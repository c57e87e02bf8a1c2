// Fuzzing the route Lambdas with fast-check: raw API Gateway events (anything a client or a broken
// proxy could send) and validly signed requests with generated paths, queries, headers and bodies
// (so that the fuzz reaches the handlers, the parsers and DynamoDB Local, not only authentication).
// Whatever the input: no exception escapes the handler, no 5xx other than 501 NotImplemented, every
// body is a well-formed S3 XML document (JSON for a bucket policy, empty where S3 sends none), and
// nothing internal — a stack frame, an SDK or DynamoDB message, the table — reaches the client.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { listBuckets } from '../../functions/list-buckets.ts';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { handler as serviceRoute } from '../../functions/route-service.ts';
import { config } from '../../lib/config.ts';
import { S3_ERRORS, S3Error } from '../../lib/errors.ts';
import { decodeEvent } from '../../lib/http/addressing.ts';
import type { AuthenticatedRequest } from '../../lib/http/dispatch.ts';
import { issueContinuationToken } from '../../lib/listing.ts';
import { gatewayEvent } from '../helpers/gateway-event.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { type Result, send } from '../helpers/invoke.ts';
import { lambdaContext, md5, type RequestShape, signedEvent } from '../helpers/signed-event.ts';

const RUNS = 400;
const ownBucket = uniqueBucket('fuzz');
const otherBucket = uniqueBucket('fuzz-other');

beforeAll(async () => {
  expect((await send({ method: 'PUT', path: `/${ownBucket}` })).statusCode).toBe(200);
  expect((await send({ method: 'PUT', path: `/${otherBucket}`, identity: SECOND_IDENTITY })).statusCode).toBe(
    200,
  );
});

// What must never reach a client unless the request itself carried it (SignatureDoesNotMatch echoes
// the canonical request, so a header the fuzzer named "Exception" comes back, rightly).
const LEAKS = [
  /\n\s+at /,
  /\bat [\w$.<>]+ \(/,
  /\.ts:\d+/,
  /node_modules/,
  /Exception/,
  /dynamodb/i,
  /com\.amazonaws/,
  /ConditionalCheckFailed|ValidationException|ResourceNotFound/,
  /BUCKET#|KEY#|ACCOUNT#/,
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML forbids is the point
const NOT_XML_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/u;
const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });
const EMPTY_SUCCESS = new Set([200, 204]);

/** Runs one event through the route API Gateway would pick, and checks the answer. */
async function checkAnswer(event: APIGatewayProxyEventV2): Promise<void> {
  const route = event.rawPath === '/' || event.rawPath === '' ? serviceRoute : bucketRoute;
  let result: Result;
  try {
    result = (await route(event, lambdaContext())) as Result;
  } catch (error) {
    throw new Error(`the handler threw: ${String(error)}`);
  }
  const method = String(event.requestContext?.http?.method ?? 'GET').toUpperCase();
  const input = JSON.stringify(event);
  const context = `${method} ${event.rawPath}?${event.rawQueryString} → ${result.statusCode} ${result.body?.slice(0, 300)}`;

  expect(Number.isInteger(result.statusCode), context).toBe(true);
  expect(result.statusCode >= 200 && result.statusCode < 600, context).toBe(true);
  expect(result.statusCode < 500 || result.statusCode === 501, context).toBe(true);
  expect(result.headers['x-amz-request-id'], context).toMatch(/^[0-9A-F]{16}$/);
  for (const value of Object.values(result.headers)) expect(String(value), context).not.toMatch(/[\r\n]/);

  const body = result.body ?? '';
  if (body === '') {
    // S3 sends no body for HEAD, nor for a PUT or DELETE that succeeded.
    expect(method === 'HEAD' || EMPTY_SUCCESS.has(result.statusCode), context).toBe(true);
    return;
  }
  // An echo of the request is no leak, in whatever case S3 echoes it (the method is upper-cased:
  // `key#` comes back as `KEY#`); the HostId is random base64 and reads as anything.
  const answered = body.replace(/<HostId>[^<]*<\/HostId>/, '');
  for (const leak of [...LEAKS, new RegExp(config().tableName)]) {
    if (leak.test(answered)) {
      expect(new RegExp(leak.source, 'i').test(input), `${context}: leaks ${leak}`).toBe(true);
    }
  }
  if (result.headers['content-type'] === 'application/json') {
    // GetBucketPolicy: the policy as it was put.
    expect(result.statusCode, context).toBe(200);
    expect(() => JSON.parse(body), context).not.toThrow();
    return;
  }
  expect(result.headers['content-type'], context).toBe('application/xml');
  expect(XMLValidator.validate(body), context).toBe(true);
  // fast-xml-parser's validator lets characters through that XML 1.0 forbids; a client's parser does not.
  expect(body, context).not.toMatch(NOT_XML_CHAR);
  expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<'), context).toBe(true);
  const document = xmlParser.parse(body) as Record<string, Record<string, string> | undefined>;
  if (result.statusCode >= 300) {
    const error = document.Error;
    expect(error, context).toBeDefined();
    expect(Object.keys(S3_ERRORS), context).toContain(error?.Code);
    expect(S3_ERRORS[error?.Code as keyof typeof S3_ERRORS][0], context).toBe(result.statusCode);
    expect(error?.Message, context).toBeTruthy();
    expect(error?.RequestId, context).toBe(result.headers['x-amz-request-id']);
  } else {
    expect(
      [
        'ServerSideEncryptionConfiguration',
        'ListAllMyBucketsResult',
        'ListBucketResult',
        'LocationConstraint',
        // GetBucketAcl: `acl` is among the fuzzed subresources.
        'AccessControlPolicy',
      ],
      context,
    ).toContain(Object.keys(document).find((name) => name !== '?xml'));
  }
}

// ---- Generators ----------------------------------------------------------------------------------

const anyText = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
    fc.constantFrom('\uD800', '\u0000', '\r\n', '%', '%%', '%zz', '%FF', '%C0%AF'),
  );

const pieces = (tokens: readonly string[], maxLength: number, separator = '') =>
  fc
    .array(
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: anyText(12) }),
      {
        maxLength,
      },
    )
    .map((parts) => parts.join(separator));

const PATH_TOKENS = [
  '/',
  ownBucket,
  otherBucket,
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '%00',
  '%20',
  'key',
  '//',
  '%',
  'AB',
];
const QUERY_TOKENS = [
  'encryption',
  'encryption=',
  'policy',
  'acl',
  'cors',
  'uploads',
  'apiversion',
  'x-id=GetObject',
  'X-Amz-Algorithm=AWS4-HMAC-SHA256',
  `X-Amz-Credential=${OWNER.accessKeyId}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request`,
  'X-Amz-Date=20260101T000000Z',
  'X-Amz-Expires=60',
  'X-Amz-SignedHeaders=host',
  `X-Amz-Signature=${'0'.repeat(64)}`,
  'Signature=abc',
  'AWSAccessKeyId=AKIA',
];
const HEADER_NAMES = [
  'authorization',
  'host',
  'x-amz-date',
  'date',
  'x-amz-content-sha256',
  'content-md5',
  'content-length',
  'content-type',
  'x-amz-checksum-crc32',
  'x-amz-checksum-sha256',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-expected-bucket-owner',
  'x-amz-security-token',
  'expect',
];
const HEADER_VALUES = [
  `AWS4-HMAC-SHA256 Credential=${OWNER.accessKeyId}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
  'AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=',
  'AWS4-HMAC-SHA256',
  `AWS ${OWNER.accessKeyId}:c2lnbmF0dXJl`,
  'OBS a:b',
  'Basic YTpi',
  '20260101T000000Z',
  'UNSIGNED-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'CRC32',
  'AAAAAA==',
  '1099511627776',
  '-1',
  `${ownBucket}.localhost`,
  'localhost:3000',
  '100-continue',
  OWNER.accountId,
];

const XML_TOKENS = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
  '<ServerSideEncryptionConfiguration>',
  '</ServerSideEncryptionConfiguration>',
  '<Rule>',
  '</Rule>',
  '<ApplyServerSideEncryptionByDefault>',
  '</ApplyServerSideEncryptionByDefault>',
  '<SSEAlgorithm>',
  '</SSEAlgorithm>',
  'AES256',
  'aws:kms',
  'aws:kms:dsse',
  '<KMSMasterKeyID>',
  '</KMSMasterKeyID>',
  'alias/fuzz',
  'arn:aws:kms:us-east-1:123456789012:key/fuzz',
  '<BucketKeyEnabled>true</BucketKeyEnabled>',
  '<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  '&e;',
  '&amp;',
  '&#0;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?pi?>',
  '<__proto__>',
  '<CreateBucketConfiguration>',
  '</CreateBucketConfiguration>',
  '<LocationConstraint>',
  '</LocationConstraint>',
  'us-east-1',
  'eu-west-1',
  '{"Version":"2012-10-17","Statement":[',
  `{"Effect":"Allow","Principal":{"AWS":"${SECOND_IDENTITY.accountId}"},"Action":"s3:GetEncryptionConfiguration","Resource":"arn:aws:s3:::${ownBucket}"}`,
  `{"Effect":"Deny","Principal":{"AWS":"${SECOND_IDENTITY.accountId}"},"Action":"s3:*","Resource":"arn:aws:s3:::${ownBucket}"}`,
  ']}',
  ',',
  '"__proto__":',
];

const VALID_CONFIGURATION = fc
  .record({
    algorithm: fc.constantFrom('AES256', 'aws:kms', 'aws:kms:dsse'),
    key: fc.option(fc.constantFrom('alias/fuzz', 'arn:aws:kms:us-east-1:123456789012:key/fuzz')),
    bucketKey: fc.boolean(),
  })
  .map(
    ({ algorithm, key, bucketKey }) =>
      `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm>${
        key && algorithm !== 'AES256' ? `<KMSMasterKeyID>${key}</KMSMasterKeyID>` : ''
      }</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${bucketKey}</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
  );

const BODY = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: pieces(XML_TOKENS, 25) },
  { weight: 4, arbitrary: VALID_CONFIGURATION },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  },
);

const HEADERS = fc.dictionary(
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HEADER_NAMES) }, { weight: 1, arbitrary: anyText(16) }),
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HEADER_VALUES) },
    { weight: 1, arbitrary: anyText(40) },
  ),
  { maxKeys: 6 },
);

const RAW_EVENT = fc
  .record({
    method: fc.oneof(
      fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'get', 'TRACE'),
      anyText(8),
    ),
    path: fc.oneof(
      fc.constant('/'),
      pieces(PATH_TOKENS, 6).map((path) => (path.startsWith('/') ? path : `/${path}`)),
    ),
    query: pieces(QUERY_TOKENS, 5, '&'),
    headers: HEADERS,
    body: BODY,
    base64: fc.boolean(),
    context: fc.boolean(),
  })
  .map(({ method, path, query, headers, body, base64, context }) => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: query,
      headers: { host: 'localhost:3000', ...headers },
      isBase64Encoded: base64,
      ...(body === undefined ? {} : { body: base64 ? Buffer.from(body, 'latin1').toString('base64') : body }),
      ...(context ? { requestContext: { http: { method, path, sourceIp: '127.0.0.1' } } } : {}),
    };
    return event as unknown as APIGatewayProxyEventV2;
  });

// Signed requests: a query the signer can encode (tokens only), anything else generated.
const SIGNED_QUERY = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('encryption', 'encryption=', 'policy') },
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .subarray(['encryption', 'policy', 'acl', 'x-id=PutBucketEncryption', 'apiversion'], {
        minLength: 2,
        maxLength: 2,
      })
      .map((names) => names.join('&')),
  },
);

const SIGNED_BUCKET = fc.oneof(
  { weight: 5, arbitrary: fc.constant(ownBucket) },
  { weight: 1, arbitrary: fc.constant(otherBucket) },
  { weight: 1, arbitrary: fc.constantFrom(`${ownBucket}-gone`, 'ab', 'Upper', `${ownBucket}..x`) },
  // Upper case: never a valid name, so the fuzzer cannot create buckets other tests might use.
  {
    weight: 1,
    arbitrary: anyText(10).map((text) => `Fuzz${encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, ''))}`),
  },
);

const SIGNED_SHAPE = fc
  .record({
    method: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE') },
      { weight: 1, arbitrary: fc.constantFrom('HEAD', 'POST') },
    ),
    bucket: SIGNED_BUCKET,
    suffix: fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('/', '/key') },
    ),
    virtualHosted: fc.boolean(),
    query: SIGNED_QUERY,
    body: BODY,
    integrity: fc.oneof(
      { weight: 4, arbitrary: fc.constant('md5') },
      { weight: 1, arbitrary: fc.constantFrom('none', 'wrong', 'crc32-garbage') },
    ),
    expectedOwner: fc.option(fc.constantFrom(OWNER.accountId, SECOND_IDENTITY.accountId, 'x'), { freq: 4 }),
    second: fc.constantFrom(false, false, false, true),
  })
  .map(({ method, bucket: named, suffix, virtualHosted, query, body, integrity, expectedOwner, second }) => {
    // DeleteBucket on the two fuzzed buckets would end the run's interest in them: aim it elsewhere.
    const bucket = method === 'DELETE' && query === '' ? `${named}-gone` : named;
    const headers: Record<string, string> = {};
    const bytes = Buffer.from(body ?? '', 'latin1');
    if (integrity === 'md5') headers['content-md5'] = md5(bytes);
    if (integrity === 'wrong') headers['content-md5'] = md5('other');
    if (integrity === 'crc32-garbage') headers['x-amz-checksum-crc32'] = 'not-a-crc';
    if (expectedOwner) headers['x-amz-expected-bucket-owner'] = expectedOwner;
    const shape: RequestShape = {
      method,
      path: virtualHosted ? `/${suffix.replace(/^\//, '')}` : `/${bucket}${suffix}`,
      query,
      headers,
      ...(body === undefined ? {} : { body: bytes }),
      ...(virtualHosted ? { host: `${bucket.toLowerCase()}.localhost:3000` } : {}),
      ...(second ? { identity: SECOND_IDENTITY } : {}),
    };
    return shape;
  });

// ListBuckets' parameters: every one reaches a DynamoDB Query (prefix: a key condition; the token: an
// ExclusiveStartKey), so anything DynamoDB refuses must be answered before it (a 500 otherwise).
const LONG = fc
  .integer({ min: 60, max: 2500 })
  .chain((length) =>
    fc.constantFrom('a', 'é', '😀', '-', '%').map((unit) => unit.repeat(length).slice(0, length)),
  );
const LISTING_VALUE = fc.oneof(
  { weight: 3, arbitrary: anyText(24) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9.-]{0,80}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 1, arbitrary: LONG },
  { weight: 1, arbitrary: fc.constantFrom('', '\u0000', '\uDFFF\uD800', ownBucket, 'fuzz-') },
);
const TOKEN = fc.oneof(
  { weight: 2, arbitrary: LISTING_VALUE },
  // Tokens this service issues, for the caller or another account: the ExclusiveStartKey path.
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(OWNER.accountId, SECOND_IDENTITY.accountId),
        fc.stringMatching(/^[a-z0-9.-]{1,63}$/),
      )
      .map(([account, name]) => issueContinuationToken(account, name)),
  },
);
const LISTING_QUERY = fc
  .record(
    {
      prefix: LISTING_VALUE,
      'continuation-token': TOKEN,
      'bucket-region': fc.oneof(fc.constantFrom('us-east-1', 'US-EAST-1', 'eu-west-1', 'zz'), LISTING_VALUE),
      'max-buckets': fc.oneof(
        fc.integer({ min: -5, max: 10_005 }).map(String),
        fc.constantFrom('99999999999', '+1', '01', ' 1'),
        LISTING_VALUE,
      ),
    },
    { requiredKeys: [] },
  )
  .chain((parameters) =>
    fc.shuffledSubarray(Object.entries(parameters), { minLength: 0 }).map((entries) => entries),
  );

/** ListBuckets run as the owner on these (decoded) parameters, past authentication: its status. */
async function listBucketsStatus(query: ReadonlyArray<readonly [string, string]>): Promise<number> {
  const request = decodeEvent(
    gatewayEvent({
      method: 'GET',
      path: '/',
      rawQueryString: '',
      headers: { host: 'localhost:3000' },
      body: Buffer.alloc(0),
    }),
    'fuzz',
    'localhost',
  );
  const authenticated: AuthenticatedRequest = {
    ...request,
    query,
    caller: { accountId: OWNER.accountId, accessKeyId: OWNER.accessKeyId },
  };
  if (listBuckets.target !== 'service' || listBuckets.anonymous)
    throw new Error('ListBuckets is a service operation');
  try {
    return (await listBuckets.handle(authenticated)).statusCode;
  } catch (error) {
    if (error instanceof S3Error) return error.statusCode;
    throw error;
  }
}

describe('the route Lambdas under fuzzing', () => {
  it('answer any raw event with a well-formed S3 answer that reveals nothing internal', async () => {
    await fc.assert(fc.asyncProperty(RAW_EVENT, checkAnswer), { numRuns: RUNS });
  });

  it('answer any signed request with a well-formed S3 answer that reveals nothing internal', async () => {
    await fc.assert(
      fc.asyncProperty(SIGNED_SHAPE, async (shape) => checkAnswer(await signedEvent(shape))),
      { numRuns: RUNS },
    );
  });

  it('answer any signed ListBuckets, whatever its parameters, with a well-formed S3 answer', async () => {
    await fc.assert(
      fc.asyncProperty(LISTING_QUERY, async (entries) => {
        // The signer can only encode well-formed text; ill-formed values are the next property's.
        const query = entries
          .filter(([, value]) => value.isWellFormed())
          .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
          .join('&');
        await checkAnswer(await signedEvent({ method: 'GET', path: '/', query }));
      }),
      { numRuns: RUNS },
    );
  });

  it('answer ListBuckets with any parameter values, lone surrogates and NULs included, below 500', async () => {
    await fc.assert(
      fc.asyncProperty(LISTING_QUERY, async (entries) => {
        const status = await listBucketsStatus(entries);
        expect(status, JSON.stringify(entries).slice(0, 300)).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });
});
