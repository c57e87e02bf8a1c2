// The one authorization path (lib/auth/authorize.ts), walked for every bucket operation of the
// operation table (functions/operations.ts) × every kind of caller, in-process against DynamoDB Local;
// the bucket item is read back after each refusal. Then concurrency: writers under a Deny that cannot
// apply to them never fail each other, and a policy changed under a policy-checked write makes it
// re-evaluate.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { BUCKET_OPERATIONS } from '../../functions/operations.ts';
import { config } from '../../lib/config.ts';
import { encryptionCodec } from '../../lib/encryption/codec.ts';
import type { S3Action } from '../../lib/policy/index.ts';
import { type BucketRecord, readConfiguration } from '../../lib/storage/buckets.ts';
import { storage } from '../../lib/storage/index.ts';
import { AES256_NO_NAMESPACE_XML } from '../helpers/bodies.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { countDynamoRequests, errorCode, type Result, send } from '../helpers/invoke.ts';
import { policyOf, statement } from '../helpers/policies.ts';
import { racedEncryptionWrite } from '../helpers/raced-write.ts';
import { md5, type RequestShape } from '../helpers/signed-event.ts';

const KMS =
  '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/authz</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
const AES = AES256_NO_NAMESPACE_XML;
/** An account that is neither the owner nor the second identity: "somebody else" in policies. */
const THIRD_ACCOUNT = '333344445555';

interface OperationRow {
  /** The action AWS documents for it: the operation table's row must name the same. */
  action: S3Action;
  /** The request, for a bucket. */
  request(bucket: string): Omit<RequestShape, 'identity'>;
  /** The status of success. */
  ok: number;
}

/** A Put of a configuration subresource as AWS CLI v2 sends it (Content-MD5). */
const putShape =
  (query: string) =>
  (bucket: string, body: string, headers: Record<string, string> = {}) => ({
    method: 'PUT',
    path: `/${bucket}`,
    query,
    body,
    headers: { 'content-md5': md5(body), ...headers },
  });
const putEncryptionShape = putShape('encryption');
const PUBLIC_ACCESS_BLOCK =
  '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>';
const OWNERSHIP_CONTROLS =
  '<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>';

// How to call each operation and the action AWS authorizes it as (docs/security.md "What is authorized, and how").
// The operation list and the action the service authorizes each as come from functions/operations.ts
// (each operation's module):
// a new operation without a row here fails, and so does a row of the table naming another action.
const ROWS: Record<string, OperationRow> = {
  HeadBucket: { action: 's3:ListBucket', ok: 200, request: (b) => ({ method: 'HEAD', path: `/${b}` }) },
  DeleteBucket: { action: 's3:DeleteBucket', ok: 204, request: (b) => ({ method: 'DELETE', path: `/${b}` }) },
  GetBucketLocation: {
    action: 's3:GetBucketLocation',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'location' }),
  },
  ListObjects: { action: 's3:ListBucket', ok: 200, request: (b) => ({ method: 'GET', path: `/${b}` }) },
  ListObjectVersions: {
    action: 's3:ListBucketVersions',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'versions' }),
  },
  ListObjectsV2: {
    action: 's3:ListBucket',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'list-type=2' }),
  },
  PutBucketEncryption: {
    action: 's3:PutEncryptionConfiguration',
    ok: 200,
    request: (b) => putEncryptionShape(b, AES),
  },
  GetBucketEncryption: {
    action: 's3:GetEncryptionConfiguration',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'encryption' }),
  },
  DeleteBucketEncryption: {
    action: 's3:PutEncryptionConfiguration',
    ok: 204,
    request: (b) => ({ method: 'DELETE', path: `/${b}`, query: 'encryption' }),
  },
  PutBucketPolicy: {
    action: 's3:PutBucketPolicy',
    ok: 204,
    request: (b) => ({
      method: 'PUT',
      path: `/${b}`,
      query: 'policy',
      body: policyOf(statement('Allow', { AWS: THIRD_ACCOUNT }, 's3:GetEncryptionConfiguration', b)),
    }),
  },
  GetBucketPolicy: {
    action: 's3:GetBucketPolicy',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'policy' }),
  },
  DeleteBucketPolicy: {
    action: 's3:DeleteBucketPolicy',
    ok: 204,
    request: (b) => ({ method: 'DELETE', path: `/${b}`, query: 'policy' }),
  },
  // Every case's bucket has a policy (bucketWith), so the status answers 200.
  GetBucketPolicyStatus: {
    action: 's3:GetBucketPolicyStatus',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'policyStatus' }),
  },
  // AWS's API reference: Delete of the two is authorized as their Put.
  PutPublicAccessBlock: {
    action: 's3:PutBucketPublicAccessBlock',
    ok: 200,
    request: (b) => putShape('publicAccessBlock')(b, PUBLIC_ACCESS_BLOCK),
  },
  GetPublicAccessBlock: {
    action: 's3:GetBucketPublicAccessBlock',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'publicAccessBlock' }),
  },
  DeletePublicAccessBlock: {
    action: 's3:PutBucketPublicAccessBlock',
    ok: 204,
    request: (b) => ({ method: 'DELETE', path: `/${b}`, query: 'publicAccessBlock' }),
  },
  PutBucketOwnershipControls: {
    action: 's3:PutBucketOwnershipControls',
    ok: 200,
    request: (b) => putShape('ownershipControls')(b, OWNERSHIP_CONTROLS),
  },
  GetBucketOwnershipControls: {
    action: 's3:GetBucketOwnershipControls',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'ownershipControls' }),
  },
  DeleteBucketOwnershipControls: {
    action: 's3:PutBucketOwnershipControls',
    ok: 204,
    request: (b) => ({ method: 'DELETE', path: `/${b}`, query: 'ownershipControls' }),
  },
  GetBucketAcl: {
    action: 's3:GetBucketAcl',
    ok: 200,
    request: (b) => ({ method: 'GET', path: `/${b}`, query: 'acl' }),
  },
  PutBucketAcl: {
    action: 's3:PutBucketAcl',
    ok: 200,
    request: (b) => putShape('acl')(b, '', { 'x-amz-acl': 'private' }),
  },
};

// Every authenticated operation on an existing bucket; CreateBucket makes one (BucketAlreadyExists).
// The table's rows import their modules on first use, and the action is the module's.
const OPERATIONS = await Promise.all(
  BUCKET_OPERATIONS.filter((operation) => !operation.anonymous && operation.name !== 'CreateBucket').map(
    async (operation) => (await operation.load?.()) ?? operation,
  ),
);

const POLICY_ACTIONS = new Set<S3Action>([
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
]);

interface Caller {
  name: string;
  identity: typeof OWNER;
  headers?: Record<string, string>;
  /** The bucket's policy for this case, given the operation's action. */
  policy(bucket: string, action: S3Action): string;
  /** What the caller gets for an operation authorized as `action` with success status `ok`. */
  expect(action: S3Action, ok: number): string;
}

// A policy every case carries, so GetBucketPolicy has one to return and no case runs without a policy.
const unrelatedGrant = (bucket: string) =>
  statement('Allow', { AWS: THIRD_ACCOUNT }, 's3:GetEncryptionConfiguration', bucket);

const CALLERS: Caller[] = [
  {
    name: 'the owner',
    identity: OWNER,
    policy: (b) => policyOf(unrelatedGrant(b)),
    expect: (_action, ok) => `${ok}`,
  },
  {
    name: 'another account the policy grants the action',
    identity: SECOND_IDENTITY,
    policy: (b, action) => policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, action, b)),
    // AWS: the bucket-policy operations belong to the owner's account, granted or not.
    expect: (action, ok) => (POLICY_ACTIONS.has(action) ? '405 MethodNotAllowed' : `${ok}`),
  },
  {
    name: 'the owner under an explicit Deny of the action',
    identity: OWNER,
    policy: (b, action) => policyOf(unrelatedGrant(b), statement('Deny', '*', action, b)),
    // AWS exempts the owner from a Deny on the policy actions only (it cannot lock itself out).
    expect: (action, ok) => (POLICY_ACTIONS.has(action) ? `${ok}` : '403 AccessDenied'),
  },
  {
    name: 'another account the policy does not grant',
    identity: SECOND_IDENTITY,
    policy: (b) => policyOf(unrelatedGrant(b)),
    expect: () => '403 AccessDenied',
  },
  {
    name: 'the owner naming another expected owner',
    identity: OWNER,
    headers: { 'x-amz-expected-bucket-owner': SECOND_IDENTITY.accountId },
    policy: (b) => policyOf(unrelatedGrant(b)),
    expect: () => '403 AccessDenied',
  },
  {
    name: 'a granted account naming the owner as expected owner',
    identity: SECOND_IDENTITY,
    headers: { 'x-amz-expected-bucket-owner': OWNER.accountId },
    policy: (b, action) => policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, action, b)),
    expect: (action, ok) => (POLICY_ACTIONS.has(action) ? '405 MethodNotAllowed' : `${ok}`),
  },
  {
    name: 'the owner naming itself as expected owner',
    identity: OWNER,
    headers: { 'x-amz-expected-bucket-owner': OWNER.accountId },
    policy: (b) => policyOf(unrelatedGrant(b)),
    expect: (_action, ok) => `${ok}`,
  },
];

const answer = (result: Result) => `${result.statusCode} ${errorCode(result) ?? ''}`.trim();

async function bucketWith(policy: (bucket: string) => string): Promise<string> {
  const bucket = uniqueBucket('authz');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  expect((await send(putEncryptionShape(bucket, KMS))).statusCode).toBe(200);
  // Set explicitly, whatever the deployment's new-bucket defaults: their Gets answer 404 without.
  expect((await send(putShape('publicAccessBlock')(bucket, PUBLIC_ACCESS_BLOCK))).statusCode).toBe(200);
  expect((await send(putShape('ownershipControls')(bucket, OWNERSHIP_CONTROLS))).statusCode).toBe(200);
  expect(
    (await send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: policy(bucket) })).statusCode,
  ).toBe(204);
  return bucket;
}

describe('authorization of every bucket operation', () => {
  it('has a row for every operation of the operation table, which names the action AWS documents', () => {
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(8);
    for (const { name, action } of OPERATIONS) {
      expect(Object.keys(ROWS)).toContain(name);
      expect({ name, action }).toEqual({ name, action: ROWS[name]?.action });
    }
  });

  const cases = OPERATIONS.flatMap(({ name, action }) =>
    CALLERS.map((caller) => [name, caller.name, caller, action] as const),
  );

  it.each(cases)('%s by %s', async (operation, _name, caller, action) => {
    const row = ROWS[operation];
    if (!row || !action) throw new Error(`no row or no action for ${operation}`);
    const bucket = await bucketWith((b) => caller.policy(b, action));
    const before = await storage().buckets.getBucket(bucket);
    const shape = row.request(bucket);
    const result = await send({
      ...shape,
      headers: { ...shape.headers, ...caller.headers },
      identity: caller.identity,
    });
    const expected = caller.expect(action, row.ok);
    // HEAD answers carry no body, hence no code.
    expect(shape.method === 'HEAD' ? `${result.statusCode}` : answer(result)).toBe(
      shape.method === 'HEAD' ? expected.split(' ')[0] : expected,
    );
    if (result.statusCode >= 300) {
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    }
  });
});

describe('DynamoDB requests per write under a Deny that cannot apply to the writer', () => {
  it('keeps the owner at one request per write, DeleteBucket included', async () => {
    const bucket = await bucketWith((b) =>
      policyOf(
        statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:PutEncryptionConfiguration', b),
        statement('Deny', { AWS: THIRD_ACCOUNT }, 's3:*', b),
        statement('Deny', '*', 's3:GetBucketLocation', b),
        {
          ...statement('Deny', '*', 's3:*', b),
          Condition: {
            StringNotEquals: { 'aws:PrincipalAccount': [OWNER.accountId, SECOND_IDENTITY.accountId] },
          },
        },
      ),
    );
    const count = async (shape: RequestShape) => {
      const { requests, result } = await countDynamoRequests(() => send(shape));
      expect(result.statusCode).toBeLessThan(300);
      return requests;
    };
    expect(await count(putEncryptionShape(bucket, AES))).toBe(1);
    expect(await count({ method: 'DELETE', path: `/${bucket}`, query: 'encryption' })).toBe(1);
    expect(await count({ method: 'GET', path: `/${bucket}`, query: 'encryption' })).toBe(1);
    expect(await count({ method: 'HEAD', path: `/${bucket}` })).toBe(1);
    expect(await count({ ...putEncryptionShape(bucket, KMS), identity: SECOND_IDENTITY })).toBe(2);
    expect(await count({ method: 'DELETE', path: `/${bucket}` })).toBe(1);
  });
});

describe('a policy put before ownerDenyActions existed', () => {
  it("is evaluated on the owner's writes, so its Deny still binds the owner", async () => {
    const bucket = await bucketWith((b) =>
      policyOf(statement('Deny', '*', 's3:PutEncryptionConfiguration', b)),
    );
    // The item as the previous version stored it: a policyHasDeny flag, no analysis, no revision.
    await storage().client.send(
      new UpdateItemCommand({
        TableName: config().tableName,
        Key: { pk: { S: `BUCKET#${bucket}` }, sk: { S: 'BUCKET' } },
        UpdateExpression: 'SET policyHasDeny = :true REMOVE ownerDenyActions, policyRevision',
        ExpressionAttributeValues: { ':true': { BOOL: true } },
      }),
    );
    const before = await storage().buckets.getBucket(bucket);
    expect(answer(await send(putEncryptionShape(bucket, AES)))).toBe('403 AccessDenied');
    expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    expect(answer(await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }))).toBe('204');
    expect(answer(await send(putEncryptionShape(bucket, AES)))).toBe('200');
  });
});

describe('concurrent writes under a policy with a Deny', () => {
  it('lets every owner and granted write succeed when the Deny names a third account', async () => {
    const bucket = await bucketWith((b) =>
      policyOf(
        statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:PutEncryptionConfiguration', b),
        statement('Deny', { AWS: THIRD_ACCOUNT }, 's3:*', b),
      ),
    );
    const loop = (identity: typeof OWNER, writer: number) => async () => {
      const answers: string[] = [];
      for (let write = 0; write < 30; write++) {
        const body = KMS.replace('alias/authz', `alias/w${writer}-${write}`);
        const shape =
          write % 5 === 4
            ? { method: 'DELETE', path: `/${bucket}`, query: 'encryption' }
            : putEncryptionShape(bucket, body);
        answers.push(answer(await send({ ...shape, identity })));
      }
      return answers;
    };
    const writers = [
      ...Array.from({ length: 5 }, (_, index) => loop(OWNER, index)),
      ...Array.from({ length: 2 }, (_, index) => loop(SECOND_IDENTITY, 5 + index)),
    ];
    const answers = (await Promise.all(writers.map((writer) => writer()))).flat();
    expect(answers).toHaveLength(7 * 30);
    expect(answers.filter((text) => text !== '200' && text !== '204')).toEqual([]);
  });
});

describe('a policy-checked write and a concurrent policy change', () => {
  const grant = (bucket: string, action: string) =>
    policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, action, bucket));
  const putPolicy = (bucket: string, policy: string) =>
    send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: policy });

  it('re-evaluates and refuses when the grant was withdrawn in between', async () => {
    const bucket = await bucketWith((b) => grant(b, 's3:PutEncryptionConfiguration'));
    let afterChange: BucketRecord | undefined;
    const { outcome, guards } = await racedEncryptionWrite(bucket, async () => {
      expect((await putPolicy(bucket, grant(bucket, 's3:GetEncryptionConfiguration'))).statusCode).toBe(204);
      afterChange = await storage().buckets.getBucket(bucket);
    });
    expect(outcome).toBe('AccessDenied');
    // The owner-path attempt, then one policy-checked write refused by the changed revision.
    expect(guards.map((guard) => ('owner' in guard ? 'owner' : 'policy'))).toEqual(['owner', 'policy']);
    expect(await storage().buckets.getBucket(bucket)).toEqual(afterChange);
  });

  it('re-evaluates and writes when the changed policy still grants', async () => {
    const bucket = await bucketWith((b) => grant(b, 's3:PutEncryptionConfiguration'));
    const { outcome, guards } = await racedEncryptionWrite(bucket, async () => {
      expect((await putPolicy(bucket, grant(bucket, 's3:*EncryptionConfiguration'))).statusCode).toBe(204);
    });
    expect(outcome).toBe('written');
    expect(guards.map((guard) => ('owner' in guard ? 'owner' : 'policy'))).toEqual([
      'owner',
      'policy',
      'policy',
    ]);
    const written = readConfiguration(encryptionCodec, await storage().buckets.getBucket(bucket));
    expect(written?.kmsMasterKeyId).toBe('alias/raced');
  });

  it('is not disturbed by a concurrent configuration write', async () => {
    const bucket = await bucketWith((b) => grant(b, 's3:PutEncryptionConfiguration'));
    const { outcome, guards } = await racedEncryptionWrite(bucket, async () => {
      expect((await send(putEncryptionShape(bucket, AES))).statusCode).toBe(200);
    });
    expect(outcome).toBe('written');
    expect(guards).toHaveLength(2);
  });
});
