import { createHash } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '../../lib/config.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import { setConfiguration } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { AES256_NO_NAMESPACE_XML } from '../helpers/bodies.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { errorCode, putEncryption as putConfiguration, type Result, send } from '../helpers/invoke.ts';
import { policyOf, statement } from '../helpers/policies.ts';

const AES = AES256_NO_NAMESPACE_XML;
const KMS = AES.replace('AES256', 'aws:kms');

const putPolicy = (bucket: string, policy: string, identity = OWNER) =>
  send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: policy, identity });
const putEncryption = (bucket: string, body: string, identity = OWNER) =>
  putConfiguration(bucket, body, { identity });
const getEncryption = (bucket: string, identity = OWNER) =>
  send({ method: 'GET', path: `/${bucket}`, query: 'encryption', identity });
const deleteEncryption = (bucket: string, identity = OWNER) =>
  send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption', identity });

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('pol');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  return bucket;
}

const code = (result: Result) => `${result.statusCode} ${errorCode(result) ?? ''}`.trim();

describe('Put/Get/DeleteBucketPolicy', () => {
  it('stores the policy verbatim and deletes it', async () => {
    const bucket = await newBucket();
    const policy = policyOf(
      statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:GetEncryptionConfiguration', bucket),
    );
    expect(code(await putPolicy(bucket, policy))).toBe('204');
    const got = await send({ method: 'GET', path: `/${bucket}`, query: 'policy' });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.body).toBe(policy);
    expect(code(await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }))).toBe('204');
    const gone = await send({ method: 'GET', path: `/${bucket}`, query: 'policy' });
    expect(code(gone)).toBe('404 NoSuchBucketPolicy');
    expect(code(await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }))).toBe('204');
  });

  it.each([
    ['bad JSON', '{"Version":'],
    ['an unknown action', (b: string) => policyOf(statement('Allow', '*', 's3:GetEncryption', b))],
    [
      'an unknown condition key',
      (b: string) =>
        policyOf({
          ...statement('Allow', '*', 's3:*', b),
          Condition: { StringEquals: { 's3:NotAKey': 'x' } },
        }),
    ],
    [
      'a condition key no action of the statement supports',
      (b: string) =>
        policyOf({
          ...statement('Allow', '*', 's3:GetBucketLocation', b),
          Condition: { StringEquals: { 's3:prefix': 'x' } },
        }),
    ],
    ['another bucket', () => policyOf(statement('Allow', '*', 's3:*', 'not-this-bucket'))],
  ])('answers 400 MalformedPolicy for %s and keeps the old policy', async (_what, make) => {
    const bucket = await newBucket();
    const original = policyOf(
      statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:GetEncryptionConfiguration', bucket),
    );
    await putPolicy(bucket, original);
    const text = typeof make === 'string' ? make : make(bucket);
    expect(code(await putPolicy(bucket, text))).toBe('400 MalformedPolicy');
    expect((await send({ method: 'GET', path: `/${bucket}`, query: 'policy' })).body).toBe(original);
  });

  it('answers NoSuchBucket before looking at the policy', async () => {
    expect(code(await putPolicy(uniqueBucket('missing'), 'not json'))).toBe('404 NoSuchBucket');
  });

  // AWS: without the permission 403; with it, from another account, 405 MethodNotAllowed.
  it.each([
    ['PUT', 's3:*', '405 MethodNotAllowed'],
    ['GET', 's3:*', '405 MethodNotAllowed'],
    ['DELETE', 's3:*', '405 MethodNotAllowed'],
    ['PUT', 's3:GetEncryptionConfiguration', '403 AccessDenied'],
    ['GET', 's3:GetEncryptionConfiguration', '403 AccessDenied'],
    ['DELETE', 's3:GetEncryptionConfiguration', '403 AccessDenied'],
  ])(
    'lets only the owner %s the policy (another account granted %s: %s)',
    async (method, granted, answer) => {
      const bucket = await newBucket();
      const policy = policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, granted, bucket));
      expect(code(await putPolicy(bucket, policy))).toBe('204');
      const result = await send({
        method,
        path: `/${bucket}`,
        query: 'policy',
        identity: SECOND_IDENTITY,
        ...(method === 'PUT' ? { body: policyOf(statement('Allow', '*', 's3:*', bucket)) } : {}),
      });
      expect(code(result)).toBe(answer);
      expect(result.body).not.toContain('Statement');
      expect((await send({ method: 'GET', path: `/${bucket}`, query: 'policy' })).body).toBe(policy);
    },
  );
});

describe('encryption operations under a bucket policy', () => {
  it('denies another account without a policy, on every operation', async () => {
    const bucket = await newBucket();
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(code(await putEncryption(bucket, KMS, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(code(await deleteEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(code(await send({ method: 'HEAD', path: `/${bucket}`, identity: SECOND_IDENTITY }))).toBe('403');
    expect(code(await send({ method: 'DELETE', path: `/${bucket}`, identity: SECOND_IDENTITY }))).toBe(
      '403 AccessDenied',
    );
  });

  it('lets a Get grant read but not write', async () => {
    const bucket = await newBucket();
    await putEncryption(bucket, KMS);
    await putPolicy(
      bucket,
      policyOf(
        statement(
          'Allow',
          { AWS: `arn:aws:iam::${SECOND_IDENTITY.accountId}:root` },
          's3:GetEncryptionConfiguration',
          bucket,
        ),
      ),
    );
    const got = await getEncryption(bucket, SECOND_IDENTITY);
    expect(got.statusCode).toBe(200);
    expect(got.body).toContain('<SSEAlgorithm>aws:kms</SSEAlgorithm>');
    expect(code(await putEncryption(bucket, AES, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(code(await deleteEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect((await getEncryption(bucket)).body).toContain('aws:kms');
  });

  it('lets a Put grant write and delete', async () => {
    const bucket = await newBucket();
    await putPolicy(
      bucket,
      policyOf(
        statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:PutEncryptionConfiguration', bucket),
      ),
    );
    expect(code(await putEncryption(bucket, KMS, SECOND_IDENTITY))).toBe('200');
    expect((await getEncryption(bucket)).body).toContain('aws:kms');
    expect(code(await deleteEncryption(bucket, SECOND_IDENTITY))).toBe('204');
    expect((await getEncryption(bucket)).body).toContain('AES256');
  });

  it('lets an explicit Deny win over an Allow, for the owner too', async () => {
    const bucket = await newBucket();
    await putPolicy(
      bucket,
      policyOf(
        statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:*', bucket),
        statement('Deny', '*', 's3:PutEncryptionConfiguration', bucket),
      ),
    );
    expect(code(await putEncryption(bucket, KMS, SECOND_IDENTITY))).toBe('403 AccessDenied');
    expect(code(await putEncryption(bucket, KMS))).toBe('403 AccessDenied');
    expect(code(await deleteEncryption(bucket))).toBe('403 AccessDenied');
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('200');
    expect((await getEncryption(bucket)).body).toContain('AES256');
  });

  it('restores denial when the policy is deleted', async () => {
    const bucket = await newBucket();
    const grant = statement(
      'Allow',
      { AWS: SECOND_IDENTITY.accountId },
      's3:GetEncryptionConfiguration',
      bucket,
    );
    expect(code(await putPolicy(bucket, policyOf(grant)))).toBe('204');
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('200');
    await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' });
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
  });

  it('drops the policy with the bucket', async () => {
    const bucket = await newBucket();
    const grant = statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:*', bucket);
    expect(code(await putPolicy(bucket, policyOf(grant)))).toBe('204');
    await send({ method: 'DELETE', path: `/${bucket}` });
    await send({ method: 'PUT', path: `/${bucket}` });
    expect(code(await send({ method: 'GET', path: `/${bucket}`, query: 'policy' }))).toBe(
      '404 NoSuchBucketPolicy',
    );
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('403 AccessDenied');
  });
});

describe('DynamoDB requests per call under a policy', () => {
  const counter = 'countPolicyRequests';
  let requests = 0;
  afterEach(() => {
    storage().client.middlewareStack.remove(counter);
  });
  const count = async (call: () => Promise<Result>) => {
    requests = 0;
    const result = await call();
    expect(result.statusCode).toBeLessThan(300);
    return requests;
  };

  it("keeps the owner's path at one request when the policy cannot deny, and uses two for a granted account", async () => {
    const bucket = await newBucket();
    await putPolicy(bucket, policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:*', bucket)));
    await getEncryption(bucket, SECOND_IDENTITY); // warm the credential cache
    storage().client.middlewareStack.add(
      (next) => async (args) => {
        requests++;
        return next(args);
      },
      { step: 'initialize', name: counter },
    );
    expect(await count(() => putEncryption(bucket, KMS))).toBe(1);
    expect(await count(() => getEncryption(bucket))).toBe(1);
    expect(await count(() => deleteEncryption(bucket))).toBe(1);
    expect(await count(() => getEncryption(bucket, SECOND_IDENTITY))).toBe(1);
    expect(await count(() => putEncryption(bucket, KMS, SECOND_IDENTITY))).toBe(2);
    expect(await count(() => deleteEncryption(bucket, SECOND_IDENTITY))).toBe(2);
  });
});

describe('the policy-checked write guard', () => {
  it('refuses a write evaluated against a bucket that was deleted and re-created by another account', async () => {
    const buckets = storage().buckets;
    const bucket = await newBucket();
    const evaluated = await buckets.getBucket(bucket);
    if (!evaluated) throw new Error('bucket missing');
    // Deleted, and re-created by another account up to the same version number.
    await send({ method: 'DELETE', path: `/${bucket}` });
    expect((await send({ method: 'PUT', path: `/${bucket}`, identity: SECOND_IDENTITY })).statusCode).toBe(
      200,
    );
    let current = await buckets.getBucket(bucket);
    while (current && current.version < evaluated.version) {
      await send({ method: 'DELETE', path: `/${bucket}`, query: 'encryption', identity: SECOND_IDENTITY });
      current = await buckets.getBucket(bucket);
    }
    expect(current?.version).toBe(evaluated.version);
    const stale = await buckets.updateBucket(
      bucket,
      {
        ownerId: evaluated.ownerId,
        createdAt: evaluated.createdAt,
        policyRevision: evaluated.policyRevision,
      },
      setConfiguration(encryptionCodec, {
        sseAlgorithm: 'aws:kms',
        bucketKeyEnabled: false,
        updatedAt: 'now',
        updatedBy: OWNER.accountId,
      }),
    );
    expect(stale.ok).toBe(false);
    expect((await getEncryption(bucket, SECOND_IDENTITY)).body).toContain('AES256');
  });
});

describe('a policy stored before this service served an action (its ownerDenyActions computed over another list)', () => {
  // A policy put before, say, PutPublicAccessBlock was served: its ownerDenyActions could not name that
  // action. The owner's one-request write must not take that silence for "cannot deny".
  const PUBLIC_ACCESS_BLOCK =
    '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>';
  const putPublicAccessBlock = (bucket: string) =>
    send({
      method: 'PUT',
      path: `/${bucket}`,
      query: 'publicAccessBlock',
      body: PUBLIC_ACCESS_BLOCK,
      headers: { 'content-md5': createHash('md5').update(PUBLIC_ACCESS_BLOCK).digest('base64') },
    });

  /** The item as the older service wrote it: no scope, and the new action not among the deniable ones. */
  async function storedByAnOlderService(bucket: string, scope?: string) {
    const client = storage().client;
    await client.send(
      new UpdateItemCommand({
        TableName: config().tableName,
        Key: { pk: { S: `BUCKET#${bucket}` }, sk: { S: 'BUCKET' } },
        UpdateExpression: scope
          ? 'SET ownerDenyActions = :old, ownerDenyScope = :scope'
          : 'SET ownerDenyActions = :old REMOVE ownerDenyScope',
        ExpressionAttributeValues: {
          ':old': { SS: ['s3:PutEncryptionConfiguration'] },
          ...(scope ? { ':scope': { S: scope } } : {}),
        },
      }),
    );
  }

  it.each([
    ['without a scope', undefined],
    ['with the scope of another list', 'v1-00000000'],
  ])('evaluates the owner write %s, and its Deny holds', async (_what, scope) => {
    const bucket = await newBucket();
    const policy = policyOf(statement('Deny', '*', 's3:PutBucketPublicAccessBlock', bucket));
    expect(code(await putPolicy(bucket, policy))).toBe('204');
    expect(code(await putPublicAccessBlock(bucket))).toBe('403 AccessDenied');
    await storedByAnOlderService(bucket, scope);
    expect(code(await putPublicAccessBlock(bucket))).toBe('403 AccessDenied');
    // What the policy does not deny still goes through, evaluated.
    expect(code(await putEncryption(bucket, AES))).toBe('200');
    const allowing = policyOf(
      statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:ListBucket', bucket),
    );
    expect(code(await putPolicy(bucket, allowing))).toBe('204');
    await storedByAnOlderService(bucket, scope);
    expect(code(await putPublicAccessBlock(bucket))).toBe('200');
  });
});
