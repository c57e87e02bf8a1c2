// End to end: Block Public Access (with its effect on bucket policies, and GetBucketPolicyStatus),
// Object Ownership and bucket ACLs as unmodified clients call them,
// through serverless-offline — SDK v3 (CRC32 checksums, `/b/?publicAccessBlock=`), AWS CLI v1 (`aws`
// on PATH: CRC32), AWS CLI v2 (/usr/bin/aws: Content-MD5) and boto3, each a real process isolated
// from the machine's AWS configuration.
import {
  CreateBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runClient as run } from '../helpers/client-process.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { policyOf, statement } from '../helpers/policies.ts';
import { failure, s3Client } from '../helpers/s3-client.ts';

const gateway = inject('gateways').aws;
const owner = s3Client();
afterAll(() => owner.destroy());

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const OWNER_GRANT = {
  Grantee: { ID: OWNER.accountId, Type: 'CanonicalUser' },
  Permission: 'FULL_CONTROL',
};

/** A grant to everyone (public: lib/policy/public.ts), and one to a named account (not public). */
const publicPolicy = (bucket: string) =>
  policyOf(statement('Allow', '*', 's3:GetEncryptionConfiguration', bucket));
const accountPolicy = (bucket: string) =>
  policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:GetEncryptionConfiguration', bucket));

describe('SDK v3', () => {
  it('answers GetBucketPolicyStatus: 404 without a policy, BlockPublicPolicy refusing a public one, IsPublic as put', async () => {
    const bucket = uniqueBucket('e2e-pst');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(await failure(owner.send(new GetBucketPolicyStatusCommand({ Bucket: bucket })))).toEqual({
      name: 'NoSuchBucketPolicy',
      status: 404,
    });
    expect(
      await failure(owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicPolicy(bucket) }))),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await failure(owner.send(new GetBucketPolicyStatusCommand({ Bucket: bucket })))).toEqual({
      name: 'NoSuchBucketPolicy',
      status: 404,
    });
    await owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: accountPolicy(bucket) }));
    const named = await owner.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
    expect(named.PolicyStatus).toEqual({ IsPublic: false });
    await owner.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    await owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicPolicy(bucket) }));
    const open = await owner.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
    expect(open.PolicyStatus).toEqual({ IsPublic: true });
  });

  it('reads the defaults of a new bucket, puts, gets and deletes Block Public Access', async () => {
    const bucket = uniqueBucket('e2e-pab');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    const defaults = await owner.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(defaults.PublicAccessBlockConfiguration).toEqual(ALL_ON);
    const put = await owner.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: false },
      }),
    );
    expect(put.$metadata.httpStatusCode).toBe(200);
    const got = await owner.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(got.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    const removed = await owner.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    expect(removed.$metadata.httpStatusCode).toBe(204);
    expect(await failure(owner.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))).toEqual({
      name: 'NoSuchPublicAccessBlockConfiguration',
      status: 404,
    });
  });

  it('creates with ObjectOwnership, puts, gets and deletes ownership controls', async () => {
    const bucket = uniqueBucket('e2e-own');
    await owner.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'ObjectWriter' }));
    const created = await owner.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
    expect(created.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'ObjectWriter' }] });
    await owner.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    const put = await owner.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
    expect(put.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    await owner.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }));
    expect(await failure(owner.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))).toEqual({
      name: 'OwnershipControlsNotFoundError',
      status: 404,
    });
  });

  it("answers the owner's FULL_CONTROL, accepts ACL private and refuses public-read", async () => {
    const bucket = uniqueBucket('e2e-acl');
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    const acl = await owner.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect({ Owner: acl.Owner, Grants: acl.Grants }).toEqual({
      Owner: { ID: OWNER.accountId },
      Grants: [OWNER_GRANT],
    });
    const put = await owner.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(
      await failure(owner.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }))),
    ).toEqual({
      name: 'AccessControlListNotSupported',
      status: 400,
    });
    expect(
      await failure(
        owner.send(new CreateBucketCommand({ Bucket: uniqueBucket('e2e-acl'), ACL: 'public-read' })),
      ),
    ).toEqual({ name: 'InvalidBucketAclWithObjectOwnership', status: 400 });
  });
});

// AWS CLI v1 (on PATH) sends a CRC32 checksum; v2 (Debian's awscli 2.x at /usr/bin/aws) Content-MD5.
describe.each([
  ['v1', 'aws'],
  ['v2', '/usr/bin/aws'],
])('AWS CLI %s (%s), unmodified', (_version, binary) => {
  const s3api = (...args: string[]) =>
    run(binary, ['--endpoint-url', gateway, '--output', 'json', 's3api', ...args]);
  const json = async (...args: string[]) => {
    const result = await s3api(...args);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as unknown);
  };

  it('runs put/get/delete-public-access-block, put/get-bucket-ownership-controls, get-bucket-acl, put-bucket-acl --acl private, put-bucket-policy, get-bucket-policy-status', async () => {
    const bucket = uniqueBucket(`cli-${binary.length}`);
    await json('create-bucket', '--bucket', bucket);
    expect(await json('get-public-access-block', '--bucket', bucket)).toEqual({
      PublicAccessBlockConfiguration: ALL_ON,
    });
    await json(
      'put-public-access-block',
      '--bucket',
      bucket,
      '--public-access-block-configuration',
      'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
    );
    expect(await json('get-public-access-block', '--bucket', bucket)).toEqual({
      PublicAccessBlockConfiguration: { ...ALL_ON, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    });
    await json('delete-public-access-block', '--bucket', bucket);

    await json(
      'put-bucket-ownership-controls',
      '--bucket',
      bucket,
      '--ownership-controls',
      'Rules=[{ObjectOwnership=BucketOwnerPreferred}]',
    );
    expect(await json('get-bucket-ownership-controls', '--bucket', bucket)).toEqual({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
    });
    expect(await json('get-bucket-acl', '--bucket', bucket)).toEqual({
      Owner: { ID: OWNER.accountId },
      Grants: [OWNER_GRANT],
    });
    await json('put-bucket-acl', '--bucket', bucket, '--acl', 'private');
    // Block Public Access deleted above: a public policy goes in, and its status reads public.
    await json('put-bucket-policy', '--bucket', bucket, '--policy', publicPolicy(bucket));
    expect(await json('get-bucket-policy-status', '--bucket', bucket)).toEqual({
      PolicyStatus: { IsPublic: true },
    });
    // Eleven Python process starts, each a second or more (five on a loaded machine).
  }, 300_000);
});

describe('boto3', () => {
  it('reads the defaults, puts and deletes Block Public Access and ownership controls, reads the ACL and the policy status', async () => {
    const bucket = uniqueBucket('e2e-boto3');
    const script = `
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
bucket = sys.argv[2]
out = {}
s3.create_bucket(Bucket=bucket)
out["defaults"] = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
out["put"] = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
s3.delete_public_access_block(Bucket=bucket)
try:
    s3.get_public_access_block(Bucket=bucket)
except ClientError as error:
    out["deleted"] = [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
out["ownership"] = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
s3.delete_bucket_ownership_controls(Bucket=bucket)
try:
    s3.get_bucket_ownership_controls(Bucket=bucket)
except ClientError as error:
    out["no_ownership"] = error.response["Error"]["Code"]
acl = s3.get_bucket_acl(Bucket=bucket)
out["acl"] = {"Owner": acl["Owner"], "Grants": acl["Grants"]}
out["put_acl"] = s3.put_bucket_acl(Bucket=bucket, ACL="private")["ResponseMetadata"]["HTTPStatusCode"]
try:
    s3.get_bucket_policy_status(Bucket=bucket)
except ClientError as error:
    out["no_policy"] = [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
s3.put_bucket_policy(Bucket=bucket, Policy=sys.argv[3])
out["policy_status"] = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]
print(json.dumps(out))
`;
    const result = await run('python3', ['-c', script, gateway, bucket, publicPolicy(bucket)]);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout)).toEqual({
      defaults: ALL_ON,
      put: {
        BlockPublicAcls: false,
        IgnorePublicAcls: false,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: true,
      },
      deleted: ['NoSuchPublicAccessBlockConfiguration', 404],
      ownership: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      no_ownership: 'OwnershipControlsNotFoundError',
      acl: { Owner: { ID: OWNER.accountId }, Grants: [OWNER_GRANT] },
      put_acl: 200,
      no_policy: ['NoSuchBucketPolicy', 404],
      // Block Public Access deleted above: the public policy goes in.
      policy_status: { IsPublic: true },
    });
  });
});
