// Block Public Access, Object Ownership and bucket ACLs through the route Lambdas in-process against
// DynamoDB Local: what a new bucket answers (AWS's defaults since April 2023, or none with
// S3_BUCKET_DEFAULTS=legacy, or none for a bucket created before they existed), Put/Get/Delete of
// each, CreateBucket's x-amz-object-ownership and ACL headers, PutBucketAcl's answers, what each
// vendor profile serves, and the DynamoDB requests each call costs. Refusals change nothing.
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { config } from '../../lib/config.ts';
import { computeChecksum } from '../../lib/integrity.ts';
import { storage } from '../../lib/storage/index.ts';
import { withEnvironment } from '../helpers/environment.ts';
import { gatewayEvent } from '../helpers/gateway-event.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { countDynamoRequests, expectS3Error, type Result, send } from '../helpers/invoke.ts';
import { lambdaContext, md5, type RequestShape } from '../helpers/signed-event.ts';
import { signV2 } from '../helpers/signer.ts';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const OBS_NAMESPACE = 'http://obs.us-east-1.myhuaweicloud.com/doc/2015-06-30/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const OBS_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
type Flags = Partial<Record<(typeof FLAGS)[number], boolean>>;
/** A PutPublicAccessBlock body with these flags (the others left out). */
const blockBody = (flags: Flags) =>
  `<PublicAccessBlockConfiguration xmlns="${S3_NAMESPACE}">${Object.entries(flags)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('')}</PublicAccessBlockConfiguration>`;
/** What GetPublicAccessBlock answers: all four flags, in AWS's order. */
const blockDocument = (flags: Flags, namespace = S3_NAMESPACE, declaration = XML_DECLARATION) =>
  `${declaration}<PublicAccessBlockConfiguration xmlns="${namespace}">${FLAGS.map(
    (name) => `<${name}>${flags[name] ?? false}</${name}>`,
  ).join('')}</PublicAccessBlockConfiguration>`;
const ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const ownershipBody = (value: string) =>
  `<OwnershipControls xmlns="${S3_NAMESPACE}"><Rule><ObjectOwnership>${value}</ObjectOwnership></Rule></OwnershipControls>`;
const ownershipDocument = (value: string) => `${XML_DECLARATION}${ownershipBody(value)}`;

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const ownerAcl = (owner = OWNER.accountId) =>
  `${XML_DECLARATION}<AccessControlPolicy xmlns="${S3_NAMESPACE}"><Owner><ID>${owner}</ID></Owner><AccessControlList><Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${owner}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`;
const aclGranting = (extraGrant: string) =>
  ownerAcl().replace('</AccessControlList>', `${extraGrant}</AccessControlList>`);
const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
const PUBLIC_READ_GRANT = `<Grant><Grantee ${XSI} xsi:type="Group"><URI>${ALL_USERS_URI}</URI></Grantee><Permission>READ</Permission></Grant>`;
const userGrant = (id: string) =>
  `<Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${id}</ID></Grantee><Permission>READ</Permission></Grant>`;

/** A configuration Put as AWS CLI v2 sends it (Content-MD5), unless `headers` say otherwise. */
const put = (
  bucket: string,
  query: string,
  body: string,
  headers: Record<string, string> = { 'content-md5': md5(body) },
  identity = OWNER,
) => send({ method: 'PUT', path: `/${bucket}`, query, body, headers, identity });
const get = (bucket: string, query: string, identity = OWNER) =>
  send({ method: 'GET', path: `/${bucket}`, query, identity });
const remove = (bucket: string, query: string) => send({ method: 'DELETE', path: `/${bucket}`, query });
const putAcl = (bucket: string, headers: Record<string, string>, body = '') =>
  put(bucket, 'acl', body, { 'content-md5': md5(body), ...headers });

async function newBucket(headers: Record<string, string> = {}): Promise<string> {
  const bucket = uniqueBucket('secure');
  const created = await send({ method: 'PUT', path: `/${bucket}`, headers });
  expect(created.statusCode, created.body).toBe(200);
  return bucket;
}

const itemOf = async (bucket: string) =>
  (
    await storage().client.send(
      new GetItemCommand({
        TableName: config().tableName,
        Key: { pk: { S: `BUCKET#${bucket}` }, sk: { S: 'BUCKET' } },
        ConsistentRead: true,
      }),
    )
  ).Item;

/** Asserts the answer and that the bucket item is as it was. */
async function refusedUnchanged(bucket: string, call: () => Promise<Result>, status: number, code: string) {
  const before = await storage().buckets.getBucket(bucket);
  const result = await call();
  expectS3Error(result, status, code);
  expect(await storage().buckets.getBucket(bucket)).toEqual(before);
  return result;
}

describe('a new bucket (AWS since April 2023)', () => {
  it('answers Block Public Access all on, BucketOwnerEnforced, and the owner full control', async () => {
    const bucket = await newBucket();
    const block = await get(bucket, 'publicAccessBlock');
    expect([block.statusCode, block.headers['content-type'], block.body]).toEqual([
      200,
      'application/xml',
      blockDocument(ALL),
    ]);
    expect((await get(bucket, 'ownershipControls')).body).toBe(ownershipDocument('BucketOwnerEnforced'));
    expect((await get(bucket, 'acl')).body).toBe(ownerAcl());
  });

  it.each(['BucketOwnerPreferred', 'ObjectWriter', 'BucketOwnerEnforced'])(
    'takes CreateBucket x-amz-object-ownership: %s',
    async (value) => {
      const bucket = await newBucket({ 'x-amz-object-ownership': value });
      expect((await get(bucket, 'ownershipControls')).body).toBe(ownershipDocument(value));
      expect((await get(bucket, 'publicAccessBlock')).body).toBe(blockDocument(ALL));
    },
  );

  it.each([['RandomValue'], ['']])(
    'refuses x-amz-object-ownership %j with 400 InvalidArgument and creates nothing',
    async (value) => {
      const bucket = uniqueBucket('secure');
      const result = await send({
        method: 'PUT',
        path: `/${bucket}`,
        headers: { 'x-amz-object-ownership': value },
      });
      const document = expectS3Error(result, 400, 'InvalidArgument');
      expect(document?.message).toBe(`Invalid x-amz-object-ownership header: ${value}`);
      expect(document?.fields).toBe('<ArgumentName>x-amz-object-ownership</ArgumentName>');
      expect(await itemOf(bucket)).toBeUndefined();
    },
  );

  it.each([
    ['x-amz-acl: public-read', { 'x-amz-acl': 'public-read' }],
    [
      'x-amz-grant-read to everyone',
      { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' },
    ],
    [
      'x-amz-acl: public-read with x-amz-object-ownership: BucketOwnerEnforced',
      { 'x-amz-acl': 'public-read', 'x-amz-object-ownership': 'BucketOwnerEnforced' },
    ],
  ])(
    'refuses %s with 400 InvalidBucketAclWithObjectOwnership and creates nothing',
    async (_name, headers) => {
      const bucket = uniqueBucket('secure');
      const result = await send({ method: 'PUT', path: `/${bucket}`, headers });
      const document = expectS3Error(result, 400, 'InvalidBucketAclWithObjectOwnership');
      expect(document?.message).toBe(
        'Bucket cannot have ACLs set with ObjectOwnership&apos;s BucketOwnerEnforced setting', // escaped, as all text here
      );
      expect(await itemOf(bucket)).toBeUndefined();
    },
  );

  it("creates a bucket with the owner's own ACL: x-amz-acl private, or full control to the owner", async () => {
    await newBucket({ 'x-amz-acl': 'private' });
    await newBucket({ 'x-amz-grant-full-control': `id="${OWNER.accountId}"` });
  });

  it('answers 501 NotImplemented to a public ACL with ACLs enabled (ObjectWriter), and creates nothing', async () => {
    const bucket = uniqueBucket('secure');
    const result = await send({
      method: 'PUT',
      path: `/${bucket}`,
      headers: { 'x-amz-acl': 'public-read', 'x-amz-object-ownership': 'ObjectWriter' },
    });
    expectS3Error(result, 501, 'NotImplemented');
    expect(await itemOf(bucket)).toBeUndefined();
  });
});

describe('PutPublicAccessBlock → GetPublicAccessBlock → DeletePublicAccessBlock', () => {
  it('stores what AWS CLI v2 sends (Content-MD5): a flag left out is false', async () => {
    const bucket = await newBucket();
    const result = await put(
      bucket,
      'publicAccessBlock',
      blockBody({ BlockPublicAcls: true, IgnorePublicAcls: true }),
    );
    expect([result.statusCode, result.body]).toEqual([200, '']);
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(
      blockDocument({ BlockPublicAcls: true, IgnorePublicAcls: true }),
    );
  });

  it('stores what SDK v3 sends (CRC32, /b/?publicAccessBlock=, XML declaration)', async () => {
    const bucket = await newBucket();
    const body = `<?xml version="1.0" encoding="UTF-8"?>${blockBody({ RestrictPublicBuckets: true })}`;
    const result = await send({
      method: 'PUT',
      path: `/${bucket}/`,
      query: 'publicAccessBlock=',
      body,
      headers: {
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': await computeChecksum('CRC32', Buffer.from(body)),
      },
    });
    expect(result.statusCode).toBe(200);
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(
      blockDocument({ RestrictPublicBuckets: true }),
    );
  });

  it('deletes it with 204, then answers 404 NoSuchPublicAccessBlockConfiguration; deleting again is 204', async () => {
    const bucket = await newBucket();
    expect((await remove(bucket, 'publicAccessBlock')).statusCode).toBe(204);
    const missing = await get(bucket, 'publicAccessBlock');
    const document = expectS3Error(missing, 404, 'NoSuchPublicAccessBlockConfiguration', {
      resource: `/${bucket}`,
    });
    expect(document?.message).toBe('The public access block configuration was not found');
    expect(document?.fields).toBe(`<BucketName>${bucket}</BucketName>`);
    expect((await remove(bucket, 'publicAccessBlock')).statusCode).toBe(204);
    expect((await put(bucket, 'publicAccessBlock', blockBody(ALL))).statusCode).toBe(200);
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(blockDocument(ALL));
  });

  it.each([
    [
      'a flag that is not a boolean',
      blockBody({}).replace('</Public', '<BlockPublicAcls>yes</BlockPublicAcls></Public'),
      'MalformedXML',
    ],
    [
      'an unknown element',
      blockBody({}).replace('</Public', '<BlockPublicAccess>true</BlockPublicAccess></Public'),
      'MalformedXML',
    ],
    ['another root', ownershipBody('ObjectWriter'), 'MalformedXML'],
    ['an empty body', '', 'MalformedXML'],
  ])('refuses %s with 400 %s and changes nothing', async (_name, body, code) => {
    const bucket = await newBucket();
    await refusedUnchanged(bucket, () => put(bucket, 'publicAccessBlock', body), 400, code);
  });

  it('refuses a Put without a checksum (400 InvalidRequest) or with a wrong one (400 BadDigest)', async () => {
    const bucket = await newBucket();
    const body = blockBody({});
    const missing = await refusedUnchanged(
      bucket,
      () => put(bucket, 'publicAccessBlock', body, {}),
      400,
      'InvalidRequest',
    );
    expect(missing.body).toContain(
      'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
    );
    await refusedUnchanged(
      bucket,
      () => put(bucket, 'publicAccessBlock', body, { 'content-md5': md5('other') }),
      400,
      'BadDigest',
    );
  });

  it('answers 404 NoSuchBucket before looking at the body (AWS checks the bucket first)', async () => {
    const bucket = uniqueBucket('none');
    expectS3Error(await put(bucket, 'publicAccessBlock', 'not xml'), 404, 'NoSuchBucket');
    expectS3Error(await get(bucket, 'publicAccessBlock'), 404, 'NoSuchBucket');
    expectS3Error(await remove(bucket, 'publicAccessBlock'), 404, 'NoSuchBucket');
  });

  it('answers 403 AccessDenied to another account, even for a bad body, and learns it nothing', async () => {
    const bucket = await newBucket();
    await refusedUnchanged(
      bucket,
      () => put(bucket, 'publicAccessBlock', 'not xml', { 'content-md5': md5('not xml') }, SECOND_IDENTITY),
      403,
      'AccessDenied',
    );
    expectS3Error(await get(bucket, 'publicAccessBlock', SECOND_IDENTITY), 403, 'AccessDenied');
  });

  it('answers 405 MethodNotAllowed to POST ?publicAccessBlock', async () => {
    const bucket = await newBucket();
    expectS3Error(
      await send({ method: 'POST', path: `/${bucket}`, query: 'publicAccessBlock' }),
      405,
      'MethodNotAllowed',
    );
  });
});

describe('PutBucketOwnershipControls → GetBucketOwnershipControls → DeleteBucketOwnershipControls', () => {
  it('stores each setting, deletes with 204, then answers 404 OwnershipControlsNotFoundError', async () => {
    const bucket = await newBucket();
    for (const value of ['ObjectWriter', 'BucketOwnerPreferred', 'BucketOwnerEnforced']) {
      expect((await put(bucket, 'ownershipControls', ownershipBody(value))).statusCode).toBe(200);
      expect((await get(bucket, 'ownershipControls')).body).toBe(ownershipDocument(value));
    }
    expect((await remove(bucket, 'ownershipControls')).statusCode).toBe(204);
    const document = expectS3Error(
      await get(bucket, 'ownershipControls'),
      404,
      'OwnershipControlsNotFoundError',
    );
    expect(document?.message).toBe('The bucket ownership controls were not found');
    expect(document?.fields).toBe(`<BucketName>${bucket}</BucketName>`);
    expect((await remove(bucket, 'ownershipControls')).statusCode).toBe(204);
  });

  // LocalStack's AWS-validated snapshots (TestS3BucketOwnershipControls): each is MalformedXML.
  it.each([
    [
      'two rules',
      ownershipBody('ObjectWriter').replace(
        '</Rule>',
        '</Rule><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule>',
      ),
    ],
    ['another value', ownershipBody('RandomValue')],
    ['no rule', `<OwnershipControls xmlns="${S3_NAMESPACE}"></OwnershipControls>`],
  ])('refuses %s with 400 MalformedXML and changes nothing', async (_name, body) => {
    const bucket = await newBucket();
    await refusedUnchanged(bucket, () => put(bucket, 'ownershipControls', body), 400, 'MalformedXML');
  });
});

describe('GetBucketAcl and PutBucketAcl', () => {
  it("accepts the owner's full control (canned private, the grant, the AccessControlPolicy) and changes nothing", async () => {
    const bucket = await newBucket();
    const before = await storage().buckets.getBucket(bucket);
    for (const [headers, body] of [
      [{ 'x-amz-acl': 'private' }, ''],
      [{ 'x-amz-acl': 'bucket-owner-full-control' }, ''],
      [{ 'x-amz-grant-full-control': `id="${OWNER.accountId}"` }, ''],
      [{}, ownerAcl()],
    ] as const) {
      const result = await putAcl(bucket, headers, body);
      expect([result.statusCode, result.body]).toEqual([200, '']);
    }
    expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    expect((await get(bucket, 'acl')).body).toBe(ownerAcl());
  });

  it.each([
    ['x-amz-acl: public-read', { 'x-amz-acl': 'public-read' }, ''],
    ['x-amz-grant-read to another account', { 'x-amz-grant-read': `id="${SECOND_IDENTITY.accountId}"` }, ''],
    ['an AccessControlPolicy granting everyone READ', {}, aclGranting(PUBLIC_READ_GRANT)],
  ])(
    'refuses %s with 400 AccessControlListNotSupported under BucketOwnerEnforced',
    async (_name, headers, body) => {
      const bucket = await newBucket();
      const result = await refusedUnchanged(
        bucket,
        () => putAcl(bucket, headers, body),
        400,
        'AccessControlListNotSupported',
      );
      expect(result.body).toContain('<Message>The bucket does not allow ACLs</Message>');
    },
  );

  it('answers 501 NotImplemented to an ACL granting others with ACLs enabled (ObjectWriter, or no ownership controls)', async () => {
    const writer = await newBucket({ 'x-amz-object-ownership': 'ObjectWriter' });
    await refusedUnchanged(
      writer,
      () => putAcl(writer, { 'x-amz-grant-read': `id="${SECOND_IDENTITY.accountId}"` }),
      501,
      'NotImplemented',
    );
    expect((await putAcl(writer, { 'x-amz-acl': 'private' })).statusCode).toBe(200);
    const none = await newBucket();
    expect((await remove(none, 'ownershipControls')).statusCode).toBe(204);
    expect((await remove(none, 'publicAccessBlock')).statusCode).toBe(204);
    await refusedUnchanged(
      none,
      () => putAcl(none, {}, aclGranting(PUBLIC_READ_GRANT)),
      501,
      'NotImplemented',
    );
  });

  // ceph/s3-tests test_block_public_put_bucket_acls; AWS User Guide, "Blocking public access": with
  // BlockPublicAcls, "PUT Bucket acl and PUT Object acl calls fail if the specified ACL is public".
  it.each([
    ['x-amz-acl: public-read', { 'x-amz-acl': 'public-read' }, ''],
    ['x-amz-acl: public-read-write', { 'x-amz-acl': 'public-read-write' }, ''],
    ['x-amz-acl: authenticated-read', { 'x-amz-acl': 'authenticated-read' }, ''],
    ['x-amz-grant-read to everyone', { 'x-amz-grant-read': `uri="${ALL_USERS_URI}"` }, ''],
    ['an AccessControlPolicy granting everyone READ', {}, aclGranting(PUBLIC_READ_GRANT)],
  ])(
    'refuses %s with 403 AccessDenied while BlockPublicAcls is on (ACLs enabled)',
    async (_name, headers, body) => {
      const bucket = await newBucket({ 'x-amz-object-ownership': 'ObjectWriter' });
      await refusedUnchanged(bucket, () => putAcl(bucket, headers, body), 403, 'AccessDenied');
      // The other three flags do not refuse it; BlockPublicAcls alone does.
      const others = blockBody({ ...ALL, BlockPublicAcls: false });
      expect((await put(bucket, 'publicAccessBlock', others)).statusCode).toBe(200);
      await refusedUnchanged(bucket, () => putAcl(bucket, headers, body), 501, 'NotImplemented');
    },
  );

  it.each([
    ['a grant header', { 'x-amz-grant-read': 'id="_foo"' }, '', 'id'],
    ['an AccessControlPolicy', {}, aclGranting(userGrant('_foo')), 'CanonicalUser/ID'],
    ['a canonical id of AWS form', { 'x-amz-grant-full-control': `id="${'7'.repeat(64)}"` }, '', 'id'],
  ])(
    'refuses a grantee id that is no account id, in %s, with 400 InvalidArgument "Invalid id"',
    async (_name, headers, body, argument) => {
      const bucket = await newBucket({ 'x-amz-object-ownership': 'ObjectWriter' });
      const result = await refusedUnchanged(
        bucket,
        () => putAcl(bucket, headers, body),
        400,
        'InvalidArgument',
      );
      expect(result.body).toContain('<Message>Invalid id</Message>');
      expect(result.body).toContain(`<ArgumentName>${argument}</ArgumentName>`);
    },
  );

  it('answers an unknown canned ACL with an empty Message, as AWS does', async () => {
    const bucket = await newBucket();
    const result = await refusedUnchanged(
      bucket,
      () => putAcl(bucket, { 'x-amz-acl': 'fake-acl' }),
      400,
      'InvalidArgument',
    );
    expect(result.body).toContain(
      '<Message></Message><ArgumentName>x-amz-acl</ArgumentName><ArgumentValue>fake-acl</ArgumentValue>',
    );
  });

  // LocalStack's AWS-validated snapshot test_s3_bucket_acl_exceptions: validation comes before Object Ownership.
  it.each([
    ['an unknown canned ACL', { 'x-amz-acl': 'fake-acl' }, '', 'InvalidArgument'],
    ['a grant of unknown syntax', { 'x-amz-grant-write': 'fakekey="1234"' }, '', 'InvalidArgument'],
    [
      'a canned ACL with a grant',
      { 'x-amz-acl': 'private', 'x-amz-grant-read': `id="${OWNER.accountId}"` },
      '',
      'InvalidRequest',
    ],
    ['a canned ACL with a body', { 'x-amz-acl': 'private' }, ownerAcl(), 'UnexpectedContent'],
    ['no ACL at all', {}, '', 'MissingSecurityHeader'],
    [
      'an AccessControlPolicy without Owner',
      {},
      ownerAcl().replace(/<Owner>.*<\/Owner>/, ''),
      'MalformedACLError',
    ],
    [
      'another Owner',
      {},
      ownerAcl().replace(`<Owner><ID>${OWNER.accountId}`, '<Owner><ID>wrong-id'),
      'InvalidArgument',
    ],
  ])('refuses %s with 400 %s', async (_name, headers, body, code) => {
    const bucket = await newBucket();
    const result = await refusedUnchanged(bucket, () => putAcl(bucket, headers, body), 400, code);
    if (code === 'MissingSecurityHeader')
      expect(result.body).toContain('<MissingHeaderName>x-amz-acl</MissingHeaderName>');
  });

  it('refuses a PutBucketAcl without a checksum with 400 InvalidRequest', async () => {
    const bucket = await newBucket();
    await refusedUnchanged(
      bucket,
      () => put(bucket, 'acl', '', { 'x-amz-acl': 'private' }),
      400,
      'InvalidRequest',
    );
  });
});

describe('S3_BUCKET_DEFAULTS=legacy (buckets as before April 2023)', () => {
  withEnvironment({ S3_BUCKET_DEFAULTS: 'legacy' });

  it('creates a bucket with no Block Public Access and no ownership controls: both Gets answer 404', async () => {
    const bucket = await newBucket();
    expectS3Error(await get(bucket, 'publicAccessBlock'), 404, 'NoSuchPublicAccessBlockConfiguration');
    expectS3Error(await get(bucket, 'ownershipControls'), 404, 'OwnershipControlsNotFoundError');
    expect((await get(bucket, 'acl')).body).toBe(ownerAcl());
    const item = await itemOf(bucket);
    expect(item?.publicAccessBlock).toBeUndefined();
    expect(item?.ownershipControls).toBeUndefined();
  });

  it('still takes x-amz-object-ownership and the configurations put later', async () => {
    const bucket = await newBucket({ 'x-amz-object-ownership': 'BucketOwnerEnforced' });
    expect((await get(bucket, 'ownershipControls')).body).toBe(ownershipDocument('BucketOwnerEnforced'));
    expect((await put(bucket, 'publicAccessBlock', blockBody({ BlockPublicPolicy: true }))).statusCode).toBe(
      200,
    );
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(blockDocument({ BlockPublicPolicy: true }));
  });

  it('answers 501 NotImplemented to CreateBucket with a public ACL (ACLs enabled, but none kept here)', async () => {
    const bucket = uniqueBucket('legacy');
    expectS3Error(
      await send({ method: 'PUT', path: `/${bucket}`, headers: { 'x-amz-acl': 'public-read' } }),
      501,
      'NotImplemented',
    );
    expect(await itemOf(bucket)).toBeUndefined();
  });
});

describe('a bucket created before these configurations existed (no attribute on its item)', () => {
  it('answers as a pre-2023 AWS bucket: 404 for both Gets, the owner full control for its ACL', async () => {
    const bucket = await newBucket();
    await storage().client.send(
      new UpdateItemCommand({
        TableName: config().tableName,
        Key: { pk: { S: `BUCKET#${bucket}` }, sk: { S: 'BUCKET' } },
        UpdateExpression: 'REMOVE publicAccessBlock, ownershipControls',
      }),
    );
    expectS3Error(await get(bucket, 'publicAccessBlock'), 404, 'NoSuchPublicAccessBlockConfiguration');
    expectS3Error(await get(bucket, 'ownershipControls'), 404, 'OwnershipControlsNotFoundError');
    expect((await get(bucket, 'acl')).body).toBe(ownerAcl());
    // ACLs are not disabled on it: an ACL granting others is not kept here (501), not refused as disabled.
    expectS3Error(await putAcl(bucket, { 'x-amz-acl': 'public-read' }), 501, 'NotImplemented');
  });
});

describe('DeleteBucket', () => {
  it('leaves a deletion marker without the configurations; the name re-created starts from the defaults', async () => {
    const bucket = await newBucket({ 'x-amz-object-ownership': 'ObjectWriter' });
    expect((await put(bucket, 'publicAccessBlock', blockBody({}))).statusCode).toBe(200);
    expect((await send({ method: 'DELETE', path: `/${bucket}` })).statusCode).toBe(204);
    const marker = await itemOf(bucket);
    expect(marker?.deletedAt).toBeDefined();
    expect(marker?.publicAccessBlock).toBeUndefined();
    expect(marker?.ownershipControls).toBeUndefined();
    expectS3Error(await get(bucket, 'publicAccessBlock'), 404, 'NoSuchBucket');
    expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(blockDocument(ALL));
    expect((await get(bucket, 'ownershipControls')).body).toBe(ownershipDocument('BucketOwnerEnforced'));
  });
});

describe('DynamoDB requests per call (steady state, the credential cached)', () => {
  const count = async (shape: RequestShape, status: number) => {
    const { requests, result } = await countDynamoRequests(() => send(shape));
    expect(result.statusCode, result.body).toBe(status);
    return requests;
  };

  it('makes one request for each new Get and Put, and for CreateBucket and DeleteBucket with their defaults', async () => {
    const bucket = await newBucket();
    await get(bucket, 'acl'); // the credential is cached from here on
    const shapes: Array<[string, RequestShape, number]> = [
      [
        'PutPublicAccessBlock',
        {
          method: 'PUT',
          path: `/${bucket}`,
          query: 'publicAccessBlock',
          body: blockBody(ALL),
          headers: { 'content-md5': md5(blockBody(ALL)) },
        },
        200,
      ],
      ['GetPublicAccessBlock', { method: 'GET', path: `/${bucket}`, query: 'publicAccessBlock' }, 200],
      ['DeletePublicAccessBlock', { method: 'DELETE', path: `/${bucket}`, query: 'publicAccessBlock' }, 204],
      [
        'PutBucketOwnershipControls',
        {
          method: 'PUT',
          path: `/${bucket}`,
          query: 'ownershipControls',
          body: ownershipBody('ObjectWriter'),
          headers: { 'content-md5': md5(ownershipBody('ObjectWriter')) },
        },
        200,
      ],
      ['GetBucketOwnershipControls', { method: 'GET', path: `/${bucket}`, query: 'ownershipControls' }, 200],
      [
        'DeleteBucketOwnershipControls',
        { method: 'DELETE', path: `/${bucket}`, query: 'ownershipControls' },
        204,
      ],
      ['GetBucketAcl', { method: 'GET', path: `/${bucket}`, query: 'acl' }, 200],
      [
        'PutBucketAcl',
        {
          method: 'PUT',
          path: `/${bucket}`,
          query: 'acl',
          body: '',
          headers: { 'x-amz-acl': 'private', 'content-md5': md5('') },
        },
        200,
      ],
    ];
    const requests: Record<string, number> = {};
    for (const [name, shape, status] of shapes) requests[name] = await count(shape, status);
    const other = uniqueBucket('secure');
    requests.CreateBucket = await count({ method: 'PUT', path: `/${other}` }, 200);
    requests.DeleteBucket = await count({ method: 'DELETE', path: `/${other}` }, 204);
    expect(requests).toEqual(
      Object.fromEntries(
        [...shapes.map(([name]) => name), 'CreateBucket', 'DeleteBucket'].map((name) => [name, 1]),
      ),
    );
  });
});

describe('qstorage profile: what QStorage documents', () => {
  withEnvironment({ S3_PROFILE: 'qstorage' });

  it('answers 501 NotImplemented to Put/GetPublicAccessBlock and Put/DeleteBucketOwnershipControls', async () => {
    const bucket = await newBucket();
    for (const call of [
      () => put(bucket, 'publicAccessBlock', blockBody(ALL)),
      () => get(bucket, 'publicAccessBlock'),
      () => put(bucket, 'ownershipControls', ownershipBody('ObjectWriter')),
      () => remove(bucket, 'ownershipControls'),
    ]) {
      await refusedUnchanged(bucket, call, 501, 'NotImplemented');
    }
  });

  it('serves DeletePublicAccessBlock, GetBucketOwnershipControls, Get/PutBucketAcl and x-amz-object-ownership', async () => {
    const bucket = await newBucket({ 'x-amz-object-ownership': 'BucketOwnerPreferred' });
    expect((await get(bucket, 'ownershipControls')).body).toBe(ownershipDocument('BucketOwnerPreferred'));
    expect((await remove(bucket, 'publicAccessBlock')).statusCode).toBe(204);
    expect((await itemOf(bucket))?.publicAccessBlock).toBeUndefined();
    expect((await get(bucket, 'acl')).body).toBe(ownerAcl());
    expect((await putAcl(bucket, { 'x-amz-acl': 'private' })).statusCode).toBe(200);
  });
});

describe('obs profile: what Huawei OBS documents', () => {
  withEnvironment({ S3_PROFILE: 'obs' });

  it("serves Put/Get/DeletePublicAccessBlock in OBS's namespace and declaration, a checksum optional", async () => {
    const bucket = await newBucket();
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(
      blockDocument(ALL, OBS_NAMESPACE, OBS_DECLARATION),
    );
    const body = `<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>`;
    expect((await put(bucket, 'publicAccessBlock', body, {})).statusCode).toBe(200);
    expect((await get(bucket, 'publicAccessBlock')).body).toBe(
      blockDocument({ BlockPublicPolicy: true }, OBS_NAMESPACE, OBS_DECLARATION),
    );
    expect((await remove(bucket, 'publicAccessBlock')).statusCode).toBe(204);
    expectS3Error(await get(bucket, 'publicAccessBlock'), 404, 'NoSuchPublicAccessBlockConfiguration');
  });

  it('has no Object Ownership: 501 to the ownership controls and to x-amz-object-ownership, none stored', async () => {
    const bucket = await newBucket();
    expect((await itemOf(bucket))?.ownershipControls).toBeUndefined();
    for (const call of [
      () => get(bucket, 'ownershipControls'),
      () => put(bucket, 'ownershipControls', ownershipBody('ObjectWriter')),
      () => remove(bucket, 'ownershipControls'),
    ]) {
      await refusedUnchanged(bucket, call, 501, 'NotImplemented');
    }
    const named = uniqueBucket('obs');
    expectS3Error(
      await send({ method: 'PUT', path: `/${named}`, headers: { 'x-amz-object-ownership': 'ObjectWriter' } }),
      501,
      'NotImplemented',
    );
    expect(await itemOf(named)).toBeUndefined();
  });

  it("answers GetBucketAcl in OBS's documented form to an OBS signature, S3's grantee to SigV4, and 501 to an ACL granting others", async () => {
    const bucket = await newBucket();
    const obsSigned = signV2({
      scheme: 'OBS',
      method: 'GET',
      host: `${bucket}.localhost`,
      path: '/',
      rawQueryString: 'acl',
      resource: `/${bucket}/?acl`,
      credentials: OWNER,
    });
    const obsAnswer = (await bucketRoute(
      gatewayEvent(obsSigned) as APIGatewayProxyEventV2,
      lambdaContext(),
    )) as Result;
    expect(obsAnswer.body).toBe(
      `${OBS_DECLARATION}<AccessControlPolicy xmlns="${OBS_NAMESPACE}"><Owner><ID>${OWNER.accountId}</ID></Owner><AccessControlList><Grant><Grantee><ID>${OWNER.accountId}</ID></Grantee><Permission>FULL_CONTROL</Permission><Delivered>false</Delivered></Grant></AccessControlList></AccessControlPolicy>`,
    );
    // A SigV4 (or V2) client reads the grantee's xsi:type: boto3 and the AWS CLI name it Type.
    expect((await get(bucket, 'acl')).body).toBe(
      `${OBS_DECLARATION}<AccessControlPolicy xmlns="${OBS_NAMESPACE}"><Owner><ID>${OWNER.accountId}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${OWNER.accountId}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
    );
    expect((await putAcl(bucket, { 'x-amz-acl': 'private' })).statusCode).toBe(200);
    await refusedUnchanged(
      bucket,
      () => putAcl(bucket, { 'x-amz-acl': 'log-delivery-write' }),
      501,
      'NotImplemented',
    );
    // A public ACL meets the bucket's BlockPublicAcls first.
    await refusedUnchanged(bucket, () => putAcl(bucket, { 'x-amz-acl': 'public-read' }), 403, 'AccessDenied');
  });
});
