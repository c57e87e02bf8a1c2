// Two accounts through the real SDK and the local gateway: isolation, a bucket policy granting,
// denying and withdrawn; and presigned URLs (@aws-sdk/s3-request-presigner) for every operation of the table.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { BUCKET_OPERATIONS, SERVICE_OPERATIONS } from '../../functions/operations.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { s3Client } from '../helpers/s3-client.ts';
import { captureSdkRequest, presignedUrl } from '../helpers/signer.ts';

/** Any S3 client command: the commands' generic types do not unify across the client and the presigner. */
type S3Command = object;

const client = s3Client;
const a = client(OWNER);
const b = client(SECOND_IDENTITY);
afterAll(() => {
  a.destroy();
  b.destroy();
});

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return `${error.$metadata.httpStatusCode} ${error.name}`;
    throw error;
  }
  return 'succeeded';
}

const KMS = {
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/a-key' },
    },
  ],
};
const policy = (bucket: string, ...statements: { Effect: string; Action: string }[]) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({
      ...statement,
      Principal: { AWS: `arn:aws:iam::${SECOND_IDENTITY.accountId}:root` },
      Resource: `arn:aws:s3:::${bucket}`,
    })),
  });

describe('two accounts through the SDK', () => {
  it('isolates, grants, denies and withdraws as the bucket policy says', async () => {
    const bucket = uniqueBucket('acct');
    await a.send(new CreateBucketCommand({ Bucket: bucket }));
    await a.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: KMS }));

    // B is denied everything and sees nothing of A's bucket.
    expect(await errorName(b.send(new GetBucketEncryptionCommand({ Bucket: bucket })))).toBe(
      '403 AccessDenied',
    );
    expect(
      await errorName(
        b.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: KMS })),
      ),
    ).toBe('403 AccessDenied');
    expect(await errorName(b.send(new DeleteBucketEncryptionCommand({ Bucket: bucket })))).toBe(
      '403 AccessDenied',
    );
    expect(await errorName(b.send(new GetBucketPolicyCommand({ Bucket: bucket })))).toBe('403 AccessDenied');
    expect((await errorName(b.send(new HeadBucketCommand({ Bucket: bucket })))).startsWith('403 ')).toBe(
      true,
    );
    expect(await errorName(b.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe('403 AccessDenied');
    const listed = await b.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((entry) => entry.Name) ?? []).not.toContain(bucket);

    // A grants B Get only: B can get, not put.
    await a.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: policy(bucket, { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration' }),
      }),
    );
    const seen = await b.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(
      seen.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
    ).toBe('alias/a-key');
    expect(
      await errorName(
        b.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: KMS })),
      ),
    ).toBe('403 AccessDenied');

    // A Deny added by A wins over the Allow.
    await a.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: policy(
          bucket,
          { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration' },
          { Effect: 'Deny', Action: 's3:GetEncryptionConfiguration' },
        ),
      }),
    );
    expect(await errorName(b.send(new GetBucketEncryptionCommand({ Bucket: bucket })))).toBe(
      '403 AccessDenied',
    );

    // Deleting the policy restores denial.
    await a.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: policy(bucket, { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration' }),
      }),
    );
    expect((await b.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(
      200,
    );
    await a.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    expect(await errorName(b.send(new GetBucketEncryptionCommand({ Bucket: bucket })))).toBe(
      '403 AccessDenied',
    );
    expect(await errorName(a.send(new GetBucketPolicyCommand({ Bucket: bucket })))).toBe(
      '404 NoSuchBucketPolicy',
    );
  });
});

describe('presigned URLs', () => {
  /** The body the SDK serialises for a command: sent once through a client that records instead of sending. */
  /** The body the SDK serialises for `command` (undefined for none). */
  async function serialisedBody(command: S3Command): Promise<string | undefined> {
    const { body } = await captureSdkRequest(command);
    return body.length > 0 ? body.toString('utf8') : undefined;
  }

  /** Presigns with the SDK; the request is then sent with fetch, with the body the SDK serialised. */
  async function presigned(command: S3Command, options: { signingDate?: Date } = {}) {
    const body = await serialisedBody(command);
    const signer = client(OWNER);
    const url = await presignedUrl(signer, command, options);
    signer.destroy();
    return { url, body };
  }

  async function call(command: S3Command, method: string, options: { signingDate?: Date } = {}) {
    const { url, body } = await presigned(command, options);
    const response = await fetch(url, { method, ...(body !== undefined ? { body } : {}) });
    return { status: response.status, text: await response.text() };
  }

  it('works for every operation', async () => {
    const bucket = uniqueBucket('pre');
    const steps: [string, S3Command, string, number][] = [
      ['CreateBucket', new CreateBucketCommand({ Bucket: bucket }), 'PUT', 200],
      ['HeadBucket', new HeadBucketCommand({ Bucket: bucket }), 'HEAD', 200],
      ['ListBuckets', new ListBucketsCommand({}), 'GET', 200],
      [
        'PutBucketEncryption',
        new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: KMS }),
        'PUT',
        200,
      ],
      ['GetBucketEncryption', new GetBucketEncryptionCommand({ Bucket: bucket }), 'GET', 200],
      ['GetBucketLocation', new GetBucketLocationCommand({ Bucket: bucket }), 'GET', 200],
      ['ListObjects', new ListObjectsCommand({ Bucket: bucket }), 'GET', 200],
      ['ListObjectsV2', new ListObjectsV2Command({ Bucket: bucket }), 'GET', 200],
      ['ListObjectVersions', new ListObjectVersionsCommand({ Bucket: bucket }), 'GET', 200],
      ['DeleteBucketEncryption', new DeleteBucketEncryptionCommand({ Bucket: bucket }), 'DELETE', 204],
      [
        'PutBucketPolicy',
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: policy(bucket, { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration' }),
        }),
        'PUT',
        204,
      ],
      ['GetBucketPolicy', new GetBucketPolicyCommand({ Bucket: bucket }), 'GET', 200],
      ['GetBucketPolicyStatus', new GetBucketPolicyStatusCommand({ Bucket: bucket }), 'GET', 200],
      ['DeleteBucketPolicy', new DeleteBucketPolicyCommand({ Bucket: bucket }), 'DELETE', 204],
      [
        'PutPublicAccessBlock',
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: { BlockPublicPolicy: true },
        }),
        'PUT',
        200,
      ],
      ['GetPublicAccessBlock', new GetPublicAccessBlockCommand({ Bucket: bucket }), 'GET', 200],
      ['DeletePublicAccessBlock', new DeletePublicAccessBlockCommand({ Bucket: bucket }), 'DELETE', 204],
      [
        'PutBucketOwnershipControls',
        new PutBucketOwnershipControlsCommand({
          Bucket: bucket,
          OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
        }),
        'PUT',
        200,
      ],
      ['GetBucketOwnershipControls', new GetBucketOwnershipControlsCommand({ Bucket: bucket }), 'GET', 200],
      [
        'DeleteBucketOwnershipControls',
        new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }),
        'DELETE',
        204,
      ],
      ['GetBucketAcl', new GetBucketAclCommand({ Bucket: bucket }), 'GET', 200],
      ['PutBucketAcl', new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }), 'PUT', 200],
      ['DeleteBucket', new DeleteBucketCommand({ Bucket: bucket }), 'DELETE', 204],
    ];
    const results: string[] = [];
    for (const [name, command, method] of steps) {
      const { status, text } = await call(command, method);
      results.push(`${name} ${status}${status >= 300 ? ` ${/<Code>([^<]*)/.exec(text)?.[1]}` : ''}`);
    }
    expect(results).toEqual(steps.map(([name, , , status]) => `${name} ${status}`));
    // Every signed operation of the table (not the anonymous apiversion probe) has a step.
    const signed = [...SERVICE_OPERATIONS, ...BUCKET_OPERATIONS].filter((operation) => !operation.anonymous);
    expect(new Set(steps.map(([name]) => name))).toEqual(new Set(signed.map((operation) => operation.name)));
  });

  it('stores through a presigned PutBucketEncryption what the SDK serialised', async () => {
    const bucket = uniqueBucket('pre');
    await a.send(new CreateBucketCommand({ Bucket: bucket }));
    await call(
      new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: KMS }),
      'PUT',
    );
    const got = await a.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(got.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual(
      KMS.Rules[0]?.ApplyServerSideEncryptionByDefault,
    );
  });

  it('answers 403 AccessDenied "Request has expired" to an expired URL', async () => {
    const { status, text } = await call(new ListBucketsCommand({}), 'GET', {
      signingDate: new Date(Date.now() - 600_000),
    });
    expect(status).toBe(403);
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('Request has expired');
  });

  it('answers SignatureDoesNotMatch to a URL whose query was changed', async () => {
    const { url } = await presigned(new GetBucketEncryptionCommand({ Bucket: uniqueBucket('pre') }));
    const response = await fetch(url.replace(/pre-[^/?]+/, 'someone-elses-bucket'));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
