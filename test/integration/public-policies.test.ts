// What Block Public Access does to bucket policies (docs/behaviour.md › Block Public Access), through
// the route Lambdas in-process against DynamoDB Local: BlockPublicPolicy refusing a public
// PutBucketPolicy with AWS's answer — also when the flag is turned on while the put is on its way —
// and letting it in once the configuration is deleted, on legacy-default buckets and on buckets older
// than the setting; RestrictPublicBuckets taking a public policy's grants from other accounts (and the
// non-public delegations beside them) while Deny statements still apply and the owner stays at one
// request; GetBucketPolicyStatus in each profile. Refusals change nothing.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '../../lib/config.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import { readConfiguration } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { AES256_NO_NAMESPACE_XML } from '../helpers/bodies.ts';
import { withEnvironment } from '../helpers/environment.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { countDynamoRequests, errorCode, expectS3Error, type Result, send } from '../helpers/invoke.ts';
import { policyOf, statement } from '../helpers/policies.ts';
import { racedEncryptionWrite } from '../helpers/raced-write.ts';
import { errorDocument } from '../helpers/s3-error.ts';
import { md5 } from '../helpers/signed-event.ts';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const KMS = AES256_NO_NAMESPACE_XML.replace('AES256', 'aws:kms');

type Flags = Partial<
  Record<'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets', boolean>
>;
const blockBody = (flags: Flags) =>
  `<PublicAccessBlockConfiguration xmlns="${S3_NAMESPACE}">${Object.entries(flags)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('')}</PublicAccessBlockConfiguration>`;

const answer = (result: Result) => `${result.statusCode} ${errorCode(result) ?? ''}`.trim();
const putPolicy = (bucket: string, policy: string, identity = OWNER, headers: Record<string, string> = {}) =>
  send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: policy, identity, headers });
const getPolicy = (bucket: string) => send({ method: 'GET', path: `/${bucket}`, query: 'policy' });
const putBlock = (bucket: string, flags: Flags) =>
  send({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'publicAccessBlock',
    body: blockBody(flags),
    headers: { 'content-md5': md5(blockBody(flags)) },
  });
const deleteBlock = (bucket: string) =>
  send({ method: 'DELETE', path: `/${bucket}`, query: 'publicAccessBlock' });
const getEncryption = (bucket: string, identity = OWNER) =>
  send({ method: 'GET', path: `/${bucket}`, query: 'encryption', identity });
const putEncryption = (bucket: string, identity = OWNER, body = KMS) =>
  send({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body,
    headers: { 'content-md5': md5(body) },
    identity,
  });
const getPolicyStatus = (bucket: string, identity = OWNER) =>
  send({ method: 'GET', path: `/${bucket}`, query: 'policyStatus', identity });

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('pub');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  return bucket;
}

/** A grant to everyone of reading the encryption configuration: public (s3:Get*). */
const toEveryone = (bucket: string, action = 's3:GetEncryptionConfiguration') =>
  statement('Allow', '*', action, bucket);
/** A grant to the second account only: not public. */
const toSecondAccount = (bucket: string, action = 's3:PutEncryptionConfiguration') =>
  statement('Allow', { AWS: SECOND_IDENTITY.accountId }, action, bucket);

const blockedMessage = (bucket: string) =>
  `User: arn:aws:iam::${OWNER.accountId}:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.`;

/** Expects AWS's BlockPublicPolicy refusal. */
function expectBlockedAnswer(bucket: string, refused: Result) {
  const document = expectS3Error(refused, 403, 'AccessDenied');
  expect(document?.message.replaceAll('&quot;', '"')).toBe(blockedMessage(bucket));
}

/** Expects AWS's BlockPublicPolicy refusal, the bucket item unchanged. */
async function expectBlocked(bucket: string, policy: string) {
  const before = await storage().buckets.getBucket(bucket);
  expectBlockedAnswer(bucket, await putPolicy(bucket, policy));
  expect(await storage().buckets.getBucket(bucket)).toEqual(before);
}

describe('BlockPublicPolicy', () => {
  it("refuses a public policy on a new bucket with 403 AccessDenied and AWS's message, keeping the policy it had", async () => {
    const bucket = await newBucket();
    const kept = policyOf(toSecondAccount(bucket));
    expect(answer(await putPolicy(bucket, kept))).toBe('204');
    await expectBlocked(bucket, policyOf(toEveryone(bucket)));
    // One public statement among others makes the whole policy public.
    await expectBlocked(bucket, policyOf(toSecondAccount(bucket), toEveryone(bucket, 's3:ListBucket')));
    expect((await getPolicy(bucket)).body).toBe(kept);
  });

  it('accepts the public policy once DeletePublicAccessBlock has run (204), or with the flag off', async () => {
    const bucket = await newBucket();
    const policy = policyOf(toEveryone(bucket));
    await expectBlocked(bucket, policy);
    expect(answer(await deleteBlock(bucket))).toBe('204');
    expect(answer(await putPolicy(bucket, policy))).toBe('204');
    expect((await getPolicy(bucket)).body).toBe(policy);

    const other = await newBucket();
    expect(answer(await putBlock(other, { BlockPublicAcls: true, RestrictPublicBuckets: true }))).toBe('200');
    expect(answer(await putPolicy(other, policy.replaceAll(bucket, other)))).toBe('204');
  });

  it('leaves a public policy already in place when the flag is turned on (AWS: "doesn\'t affect existing bucket policies")', async () => {
    const bucket = await newBucket();
    expect(answer(await deleteBlock(bucket))).toBe('204');
    const policy = policyOf(toEveryone(bucket));
    expect(answer(await putPolicy(bucket, policy))).toBe('204');
    expect(answer(await putBlock(bucket, { BlockPublicPolicy: true }))).toBe('200');
    expect((await getPolicy(bucket)).body).toBe(policy);
    // Only a new public policy is refused.
    await expectBlocked(bucket, policy);
  });

  it('accepts a policy that is not public, and a Deny on everyone', async () => {
    const bucket = await newBucket();
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    const limited = {
      ...toEveryone(bucket),
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    };
    expect(answer(await putPolicy(bucket, policyOf(limited)))).toBe('204');
    expect(answer(await putPolicy(bucket, policyOf(statement('Deny', '*', 's3:*', bucket))))).toBe('204');
  });

  it('answers authorization, the bucket and the body before the flag', async () => {
    const bucket = await newBucket();
    const policy = policyOf(toEveryone(bucket));
    expectS3Error(await putPolicy(bucket, policy, SECOND_IDENTITY), 403, 'AccessDenied');
    expect(errorDocument((await putPolicy(bucket, policy, SECOND_IDENTITY)).body)?.message).toBe(
      'Access Denied',
    );
    expect(
      answer(
        await putPolicy(bucket, policy, OWNER, { 'x-amz-expected-bucket-owner': SECOND_IDENTITY.accountId }),
      ),
    ).toBe('403 AccessDenied');
    expect(
      errorDocument(
        (await putPolicy(bucket, policy, OWNER, { 'x-amz-expected-bucket-owner': SECOND_IDENTITY.accountId }))
          .body,
      )?.message,
    ).toBe('Access Denied');
    expect(answer(await putPolicy(uniqueBucket('missing'), policy))).toBe('404 NoSuchBucket');
    expect(
      answer(await putPolicy(bucket, policy.replace('s3:GetEncryptionConfiguration', 's3:GetNothing'))),
    ).toBe('400 MalformedPolicy');
  });

  it('holds when the flag is turned on after the request arrived: the write itself is conditioned on it', async () => {
    const bucket = await newBucket();
    expect(answer(await deleteBlock(bucket))).toBe('204');
    const client = storage().client;
    let turnedOn = false;
    const name = 'turnBlockPublicPolicyOn';
    // Just before the policy's UpdateItem leaves, a concurrent PutPublicAccessBlock lands.
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          UpdateExpression?: string;
          ExpressionAttributeNames?: Record<string, string>;
        };
        const writesPolicy = Object.values(input.ExpressionAttributeNames ?? {}).includes('policy');
        if (!turnedOn && input.UpdateExpression && writesPolicy) {
          turnedOn = true;
          expect(answer(await putBlock(bucket, { BlockPublicPolicy: true }))).toBe('200');
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      expectBlockedAnswer(bucket, await putPolicy(bucket, policyOf(toEveryone(bucket))));
    } finally {
      client.middlewareStack.remove(name);
    }
    expect(turnedOn).toBe(true);
    expect(answer(await getPolicy(bucket))).toBe('404 NoSuchBucketPolicy');
  });

  it('makes one DynamoDB request for a public policy put or refused', async () => {
    const bucket = await newBucket();
    const policy = policyOf(toEveryone(bucket));
    await getPolicy(bucket); // the credential is cached from here on
    const refused = await countDynamoRequests(() => putPolicy(bucket, policy));
    expect([answer(refused.result), refused.requests]).toEqual(['403 AccessDenied', 1]);
    expect(answer(await deleteBlock(bucket))).toBe('204');
    const put = await countDynamoRequests(() => putPolicy(bucket, policy));
    expect([answer(put.result), put.requests]).toEqual(['204', 1]);
  });

  describe('with S3_BUCKET_DEFAULTS=legacy (ceph/s3-tests puts public policies on fresh buckets)', () => {
    withEnvironment({ S3_BUCKET_DEFAULTS: 'legacy' });

    it('accepts a public policy on a new bucket', async () => {
      const bucket = await newBucket();
      const policy = policyOf(toEveryone(bucket, 's3:*'));
      expect(answer(await putPolicy(bucket, policy))).toBe('204');
      expect((await getPolicy(bucket)).body).toBe(policy);
    });
  });

  it('accepts a public policy on a bucket created before Block Public Access existed here (no attribute)', async () => {
    const bucket = await newBucket();
    await storage().client.send(
      new UpdateItemCommand({
        TableName: config().tableName,
        Key: { pk: { S: `BUCKET#${bucket}` }, sk: { S: 'BUCKET' } },
        UpdateExpression: 'REMOVE publicAccessBlock',
      }),
    );
    expect(answer(await putPolicy(bucket, policyOf(toEveryone(bucket))))).toBe('204');
  });
});

/** A bucket whose policy holds a public grant of `publicAction` and the second account's grant of `grantedAction`. */
async function publicBucket(flags: Flags, publicAction = 's3:GetEncryptionConfiguration') {
  const bucket = await newBucket();
  expect(answer(await putBlock(bucket, flags))).toBe('200');
  const policy = policyOf(toEveryone(bucket, publicAction), toSecondAccount(bucket));
  expect(answer(await putPolicy(bucket, policy))).toBe('204');
  return bucket;
}

describe('RestrictPublicBuckets', () => {
  it('takes every grant of a public policy from other accounts, the delegation to a named account included', async () => {
    const bucket = await publicBucket({ RestrictPublicBuckets: true });
    const before = await storage().buckets.getBucket(bucket);
    expect(answer(await getEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(await storage().buckets.getBucket(bucket)).toEqual(before);
  });

  it('leaves the grants as written with the flag off', async () => {
    const bucket = await publicBucket({});
    expect(answer(await getEncryption(bucket, SECOND_IDENTITY))).toBe('200');
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('200');
  });

  it('does nothing to a policy that is not public ("only applies to buckets that have public policies")', async () => {
    const bucket = await newBucket();
    expect(answer(await putBlock(bucket, { RestrictPublicBuckets: true, BlockPublicPolicy: true }))).toBe(
      '200',
    );
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('200');
  });

  it('gives the grant back when the flag is turned off, or the public statement removed', async () => {
    const bucket = await publicBucket({ RestrictPublicBuckets: true });
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('200');
    expect(answer(await putPolicy(bucket, policyOf(toEveryone(bucket), toSecondAccount(bucket))))).toBe(
      '204',
    );
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(answer(await putBlock(bucket, {}))).toBe('200');
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('200');
  });

  it('answers another account granted a bucket-policy action 403 rather than 405: the grant is gone', async () => {
    const bucket = await publicBucket({ RestrictPublicBuckets: true }, 's3:*');
    expect(answer(await getPolicy(bucket))).toBe('200');
    expect(
      answer(await send({ method: 'GET', path: `/${bucket}`, query: 'policy', identity: SECOND_IDENTITY })),
    ).toBe('403 AccessDenied');
    expect(answer(await putBlock(bucket, {}))).toBe('200');
    expect(
      answer(await send({ method: 'GET', path: `/${bucket}`, query: 'policy', identity: SECOND_IDENTITY })),
    ).toBe('405 MethodNotAllowed');
  });

  it('never denies the owner: its writes stay one request; a Deny still binds everyone', async () => {
    const bucket = await publicBucket({ RestrictPublicBuckets: true });
    await getEncryption(bucket); // the credential is cached from here on
    const owner = await countDynamoRequests(() => putEncryption(bucket));
    expect([answer(owner.result), owner.requests]).toEqual(['200', 1]);
    const read = await countDynamoRequests(() => getEncryption(bucket));
    expect([answer(read.result), read.requests]).toEqual(['200', 1]);
    const denying = policyOf(
      toEveryone(bucket),
      toSecondAccount(bucket),
      statement('Deny', '*', 's3:PutEncryptionConfiguration', bucket),
    );
    expect(answer(await putPolicy(bucket, denying))).toBe('204');
    expect(answer(await putEncryption(bucket))).toBe('403 AccessDenied');
    expect(answer(await putEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(answer(await getEncryption(bucket))).toBe('200');
  });

  it("refuses another account's write when the flag is turned on between its evaluation and its write", async () => {
    const bucket = await publicBucket({});
    const buckets = storage().buckets;
    const before = readConfiguration(encryptionCodec, await buckets.getBucket(bucket));
    const { outcome, guards } = await racedEncryptionWrite(bucket, async () => {
      expect(answer(await putBlock(bucket, { RestrictPublicBuckets: true }))).toBe('200');
    });
    expect(outcome).toBe('AccessDenied');
    // The owner-path attempt, then the granted write refused by the flag; re-evaluated, it is denied.
    expect(guards.map((guard) => ('owner' in guard ? 'owner' : 'policy'))).toEqual(['owner', 'policy']);
    expect(readConfiguration(encryptionCodec, await buckets.getBucket(bucket))).toEqual(before);
  });
});

describe('GetBucketPolicyStatus', () => {
  const document = (
    isPublic: boolean,
    namespace = S3_NAMESPACE,
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n',
  ) => `${declaration}<PolicyStatus xmlns="${namespace}"><IsPublic>${isPublic}</IsPublic></PolicyStatus>`;

  it('answers IsPublic false for a policy that is not public, true for a public one', async () => {
    const bucket = await newBucket();
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    const status = await getPolicyStatus(bucket);
    expect([status.statusCode, status.headers['content-type'], status.body]).toEqual([
      200,
      'application/xml',
      document(false),
    ]);
    expect(answer(await deleteBlock(bucket))).toBe('204');
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket), toEveryone(bucket))))).toBe(
      '204',
    );
    expect((await getPolicyStatus(bucket)).body).toBe(document(true));
  });

  it('reports the policy, whatever RestrictPublicBuckets does to it', async () => {
    const bucket = await publicBucket({ RestrictPublicBuckets: true });
    expect((await getPolicyStatus(bucket)).body).toBe(document(true));
  });

  it('answers 404 NoSuchBucketPolicy (with BucketName) without a policy, before it and after it is deleted', async () => {
    const bucket = await newBucket();
    const none = expectS3Error(await getPolicyStatus(bucket), 404, 'NoSuchBucketPolicy');
    expect(none?.message).toBe('The bucket policy does not exist');
    expect(none?.fields).toBe(`<BucketName>${bucket}</BucketName>`);
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    expect(answer(await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }))).toBe('204');
    expectS3Error(await getPolicyStatus(bucket), 404, 'NoSuchBucketPolicy');
  });

  it('answers 404 NoSuchBucket for a missing bucket, 403 to another account unless granted', async () => {
    expectS3Error(await getPolicyStatus(uniqueBucket('missing')), 404, 'NoSuchBucket');
    const bucket = await newBucket();
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    expect(answer(await getPolicyStatus(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    const granted = policyOf(toSecondAccount(bucket, 's3:GetBucketPolicyStatus'));
    expect(answer(await putPolicy(bucket, granted))).toBe('204');
    expect((await getPolicyStatus(bucket, SECOND_IDENTITY)).body).toBe(document(false));
  });

  it('binds the owner to a Deny of s3:GetBucketPolicyStatus (not a bucket-policy action)', async () => {
    const bucket = await newBucket();
    expect(
      answer(await putPolicy(bucket, policyOf(statement('Deny', '*', 's3:GetBucketPolicyStatus', bucket)))),
    ).toBe('204');
    expect(answer(await getPolicyStatus(bucket))).toBe('403 AccessDenied');
  });

  it('makes one DynamoDB request', async () => {
    const bucket = await newBucket();
    expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
    await getPolicyStatus(bucket); // the credential and the parsed policy are cached from here on
    const { requests, result } = await countDynamoRequests(() => getPolicyStatus(bucket));
    expect([answer(result), requests]).toEqual(['200', 1]);
  });

  describe('obs profile (Huawei OBS, "Obtaining the Public Access Status of a Bucket Policy")', () => {
    withEnvironment({ S3_PROFILE: 'obs' });

    it("answers in OBS's namespace and declaration", async () => {
      const bucket = await newBucket();
      expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
      expect((await getPolicyStatus(bucket)).body).toBe(
        document(
          false,
          'http://obs.us-east-1.myhuaweicloud.com/doc/2015-06-30/',
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        ),
      );
    });
  });

  describe('qstorage profile (QStorage, "GetBucketPolicyStatus")', () => {
    withEnvironment({ S3_PROFILE: 'qstorage' });

    it("answers S3's document", async () => {
      const bucket = await newBucket();
      expect(answer(await putPolicy(bucket, policyOf(toSecondAccount(bucket))))).toBe('204');
      expect((await getPolicyStatus(bucket)).body).toBe(document(false));
    });
  });
});
