// End to end: the 11 common policies of issue 18 (test/fixtures/policies/cases.json, `common`) and a
// refused one, through the real @aws-sdk/client-s3 against serverless-offline: PutBucketPolicy
// accepts each, GetBucketPolicy returns it as put, and a refused policy is MalformedPolicy with AWS's
// message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueBucket } from '../helpers/identities.ts';
import { s3Client } from '../helpers/s3-client.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/policies');
const cases = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as {
  accepted: Array<{ file: string; common?: boolean }>;
};
const common = cases.accepted.filter((entry) => entry.common).map(({ file }) => [file]);
const fixture = (file: string, bucket: string) =>
  readFileSync(join(FIXTURES, file), 'utf8').replaceAll('amzn-s3-demo-bucket', bucket);

const owner = s3Client();
const bucket = uniqueBucket('sdkpol');
beforeAll(async () => {
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => owner.destroy());

describe('bucket policies through the SDK', () => {
  it('has the 11 common policies of the issue to send', () => {
    expect(common).toHaveLength(11);
  });

  it.each(common)('puts %s and reads it back as put', async (file) => {
    const policy = fixture(file, bucket);
    const put = await owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    expect(put.$metadata.httpStatusCode).toBe(204);
    const got = await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    expect(got.Policy).toBe(policy);
  });

  it("answers MalformedPolicy with AWS's message for a policy AWS refuses", async () => {
    let refusal: unknown;
    try {
      await owner.send(
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: fixture('refused/object-action-on-bucket.json', bucket),
        }),
      );
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(S3ServiceException);
    expect((refusal as S3ServiceException).name).toBe('MalformedPolicy');
    expect((refusal as S3ServiceException).message).toBe(
      'Action does not apply to any resource(s) in statement',
    );
  });

  it("denies over the local stack's http under the TLS-only policy, until the owner deletes it", async () => {
    await owner.send(
      new PutBucketPolicyCommand({ Bucket: bucket, Policy: fixture('accepted/tls-only.json', bucket) }),
    );
    let refusal: unknown;
    try {
      await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    } catch (error) {
      refusal = error;
    }
    expect((refusal as S3ServiceException).name).toBe('AccessDenied');
    await owner.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    const encryption = await owner.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
  });
});
