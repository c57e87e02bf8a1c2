// End to end: the real @aws-sdk/client-s3 against serverless-offline, with its default behaviour
// (CRC32 checksums, `/bucket/?encryption=` paths, XML declaration in the body).
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { failure, s3Client } from '../helpers/s3-client.ts';

const client = s3Client;

const owner = client();
const other = client(SECOND_IDENTITY);
afterAll(() => {
  owner.destroy();
  other.destroy();
});

describe('bucket lifecycle through the SDK', () => {
  it('creates, heads, lists and deletes a bucket', async () => {
    const bucket = uniqueBucket('sdk');
    const created = await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(created.Location).toBe(`/${bucket}`);
    expect(created.BucketArn).toBe(`arn:aws:s3:::${bucket}`);
    const head = await owner.send(new HeadBucketCommand({ Bucket: bucket }));
    expect([head.BucketRegion, head.BucketArn, head.AccessPointAlias]).toEqual([
      'us-east-1',
      `arn:aws:s3:::${bucket}`,
      false,
    ]);
    const listed = await owner.send(new ListBucketsCommand({}));
    expect(listed.Owner?.ID).toBe(OWNER.accountId);
    expect(listed.Buckets?.map((b) => b.Name)).toContain(bucket);
    const entry = listed.Buckets?.find((b) => b.Name === bucket);
    expect(entry?.CreationDate).toBeInstanceOf(Date);
    expect(entry?.BucketArn).toBe(`arn:aws:s3:::${bucket}`);
    await owner.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(await failure(owner.send(new HeadBucketCommand({ Bucket: bucket })))).toEqual({
      name: 'NotFound',
      status: 404,
    });
  });

  it('answers 200 to re-creating an owned bucket in us-east-1, and reports BucketAlreadyExists', async () => {
    const bucket = uniqueBucket('sdk');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    // AWS's legacy us-east-1 behaviour (BucketAlreadyOwnedByYou elsewhere: compatibility.test.ts).
    const again = await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(await failure(other.send(new CreateBucketCommand({ Bucket: bucket })))).toEqual({
      name: 'BucketAlreadyExists',
      status: 409,
    });
  });

  // A client configured for another region: SDK v3's region redirect follows x-amz-bucket-region on a
  // HeadBucket's 400 (its regionRedirectMiddleware; other operations it redirects on a 301 only, which
  // AWS sends to a regional endpoint, not to a custom one).
  it('heads a bucket from a client in another region that follows region redirects', async () => {
    const bucket = uniqueBucket('sdk');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    const elsewhere = new S3Client({
      endpoint: inject('gateways').aws,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: OWNER,
      followRegionRedirects: true,
    });
    try {
      const head = await elsewhere.send(new HeadBucketCommand({ Bucket: bucket }));
      expect([head.$metadata.httpStatusCode, head.BucketRegion]).toEqual([200, 'us-east-1']);
      expect(await failure(elsewhere.send(new GetBucketEncryptionCommand({ Bucket: bucket })))).toEqual({
        name: 'AuthorizationHeaderMalformed',
        status: 400,
      });
    } finally {
      elsewhere.destroy();
    }
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const forged = client({ ...OWNER, secretAccessKey: 'wrong' });
    expect(await failure(forged.send(new ListBucketsCommand({})))).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    forged.destroy();
  });

  it('refuses an unknown key with InvalidAccessKeyId', async () => {
    const unknown = client({ ...OWNER, accessKeyId: 'AKIAUNKNOWNUNKNOWN00' });
    expect(await failure(unknown.send(new ListBucketsCommand({})))).toEqual({
      name: 'InvalidAccessKeyId',
      status: 403,
    });
    unknown.destroy();
  });

  it('refuses a session token with 400 InvalidToken, and the write it came with changes nothing', async () => {
    const bucket = uniqueBucket('sdk-token');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    const before = await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const temporary = client({ ...OWNER, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN' });
    expect(await failure(temporary.send(new ListBucketsCommand({})))).toEqual({
      name: 'InvalidToken',
      status: 400,
    });
    const put = new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/token' } },
        ],
      },
    });
    expect(await failure(temporary.send(put))).toEqual({ name: 'InvalidToken', status: 400 });
    const after = await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(after.ServerSideEncryptionConfiguration).toEqual(before.ServerSideEncryptionConfiguration);
    temporary.destroy();
  });
});

describe('bucket encryption through the SDK', () => {
  it('puts, gets and deletes a KMS configuration', async () => {
    const bucket = uniqueBucket('sdk');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    const defaults = await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(defaults.ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    ]);
    await owner.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/team-key',
              },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const got = await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(got.ServerSideEncryptionConfiguration?.Rules).toEqual([
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/team-key' },
        BucketKeyEnabled: true,
      },
    ]);
    await owner.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    const after = await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(
      after.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
  });

  it('answers the SDK with NoSuchBucket, AccessDenied and InvalidArgument', async () => {
    const bucket = uniqueBucket('sdk');
    expect(await failure(owner.send(new GetBucketEncryptionCommand({ Bucket: bucket })))).toEqual({
      name: 'NoSuchBucket',
      status: 404,
    });
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(await failure(other.send(new GetBucketEncryptionCommand({ Bucket: bucket })))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    const wrong = new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'alias/x' } },
        ],
      },
    });
    expect(await failure(owner.send(wrong))).toEqual({ name: 'InvalidArgument', status: 400 });
    expect(
      await failure(
        owner.send(new GetBucketEncryptionCommand({ Bucket: bucket, ExpectedBucketOwner: '999999999999' })),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
  });
});
