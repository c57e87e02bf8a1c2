// The corpus of real policies (test/fixtures/policies/cases.json) through the handlers, in-process
// against DynamoDB Local: every policy AWS accepts is accepted by PutBucketPolicy (204) on a bucket
// whose Block Public Access was deleted, read back by GetBucketPolicy byte for byte as put, and
// answered by GetBucketPolicyStatus as public exactly when the corpus marks it `public` (403 to the
// owner where the policy's own Deny binds it, `deniesOwner`); on a new bucket
// (Block Public Access on) the public ones are refused with AWS's BlockPublicPolicy answer and the
// others accepted. Every policy AWS refuses is answered 400 MalformedPolicy with AWS's message, and
// the bucket keeps the policy it had. Then what the policies do to this service's own
// operations (issue 18, point 3).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AES256_NO_NAMESPACE_XML } from '../helpers/bodies.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { expectS3Error, putEncryption, type Result, send } from '../helpers/invoke.ts';
import { policyOf, statement } from '../helpers/policies.ts';
import { errorDocument } from '../helpers/s3-error.ts';
import { md5 } from '../helpers/signed-event.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/policies');
const PLACEHOLDER = 'amzn-s3-demo-bucket';

interface Cases {
  accepted: Array<{ file: string; common?: boolean; public?: boolean; deniesOwner?: boolean }>;
  refused: Array<{ file: string; message: string }>;
}
const cases = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as Cases;
/** The fixture's text for `bucket` (AWS's documentation placeholder replaced). */
const fixture = (file: string, bucket: string) =>
  readFileSync(join(FIXTURES, file), 'utf8').replaceAll(PLACEHOLDER, bucket);

const putPolicy = (bucket: string, body: string, identity = OWNER) =>
  send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body, identity });
const getPolicy = (bucket: string) => send({ method: 'GET', path: `/${bucket}`, query: 'policy' });
/** The bucket's policy, or `none`. */
const storedPolicy = async (bucket: string) => {
  const got = await getPolicy(bucket);
  return got.statusCode === 200 ? got.body : `none (${got.statusCode})`;
};
const getPolicyStatus = (bucket: string) =>
  send({ method: 'GET', path: `/${bucket}`, query: 'policyStatus' });
const unescaped = (text: string) =>
  text
    .replaceAll('&apos;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('fix');
  expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  return bucket;
}

describe('PutBucketPolicy, GetBucketPolicy and GetBucketPolicyStatus on the corpus', () => {
  /** A bucket without Block Public Access (deleted): every policy AWS accepts goes in. */
  let bucket: string;
  /** A new bucket: Block Public Access on, as AWS's since April 2023. */
  let blocking: string;
  beforeAll(async () => {
    bucket = await newBucket();
    expect(
      (await send({ method: 'DELETE', path: `/${bucket}`, query: 'publicAccessBlock' })).statusCode,
    ).toBe(204);
    blocking = await newBucket();
  });

  // GetBucketPolicyStatus is not one of the three actions the owner's account keeps under its own Deny
  // (docs/accounts.md): the policies marked `deniesOwner` deny it to these in-process requests (plain
  // HTTP, no VPC endpoint, no role), so the owner is answered 403 — the Deny evaluated, as AWS does.
  it.each(cases.accepted.map((entry) => [entry.file, entry.public === true, entry.deniesOwner === true]))(
    'accepts %s, reads it back byte for byte and answers its status public: %s (owner denied: %s)',
    async (file, isPublic, deniesOwner) => {
      const text = fixture(file, bucket);
      const put = await putPolicy(bucket, text);
      expect(put.statusCode, put.body).toBe(204);
      const got = await getPolicy(bucket);
      expect(got.statusCode).toBe(200);
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.body).toBe(text);
      const status = await getPolicyStatus(bucket);
      if (deniesOwner) {
        expectS3Error(status, 403, 'AccessDenied');
        return;
      }
      expect(status.statusCode, status.body).toBe(200);
      expect(status.body).toBe(
        `<?xml version="1.0" encoding="UTF-8"?>\n<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>${isPublic}</IsPublic></PolicyStatus>`,
      );
    },
  );

  it.each(cases.accepted.map((entry) => [entry.file, entry.public === true]))(
    'on a bucket blocking public policies, puts %s unless it is public (%s)',
    async (file, isPublic) => {
      const before = await storedPolicy(blocking);
      const put = await putPolicy(blocking, fixture(file, blocking));
      if (!isPublic) {
        expect(put.statusCode, put.body).toBe(204);
        return;
      }
      expectS3Error(put, 403, 'AccessDenied');
      expect(unescaped(errorDocument(put.body)?.message ?? '')).toBe(
        `User: arn:aws:iam::${OWNER.accountId}:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${blocking}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
      );
      expect(await storedPolicy(blocking)).toBe(before);
    },
  );

  it.each(cases.refused.map(({ file, message }) => [file, message]))(
    'refuses %s with AWS\'s message "%s", keeping the policy it had',
    async (file, message) => {
      const kept = policyOf(statement('Allow', { AWS: SECOND_IDENTITY.accountId }, 's3:ListBucket', bucket));
      expect((await putPolicy(bucket, kept)).statusCode).toBe(204);
      const refused = await putPolicy(bucket, fixture(file, bucket));
      expectS3Error(refused, 400, 'MalformedPolicy');
      expect(unescaped(errorDocument(refused.body)?.message ?? '')).toBe(message);
      expect((await getPolicy(bucket)).body).toBe(kept);
    },
  );
});

describe("the issue's policies on this service's operations", () => {
  const code = (result: Result) =>
    `${result.statusCode} ${/<Code>([^<]*)/.exec(result.body)?.[1] ?? ''}`.trim();
  const getEncryption = (bucket: string, identity = OWNER) =>
    send({ method: 'GET', path: `/${bucket}`, query: 'encryption', identity });

  it('denies bucket operations under a Deny on s3:* unless the SSE header is set: bucket operations carry none', async () => {
    const bucket = await newBucket();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: SECOND_IDENTITY.accountId },
          Action: 's3:*',
          Resource: `arn:aws:s3:::${bucket}`,
        },
        {
          Sid: 'DenyWithoutSSE',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
        },
      ],
    });
    expect((await putPolicy(bucket, policy)).statusCode).toBe(204);
    // The key is absent from every bucket operation's context, and a negated operator holds on an
    // absent key: the Deny applies — to the owner too, on every action but the policy ones.
    expectS3Error(await getEncryption(bucket), 403, 'AccessDenied');
    expectS3Error(await putEncryption(bucket, AES256_NO_NAMESPACE_XML), 403, 'AccessDenied');
    expectS3Error(await send({ method: 'GET', path: `/${bucket}`, query: 'location' }), 403, 'AccessDenied');
    expectS3Error(await send({ method: 'HEAD', path: `/${bucket}` }), 403, 'AccessDenied', {
      method: 'HEAD',
    });
    expectS3Error(await getEncryption(bucket, SECOND_IDENTITY), 403, 'AccessDenied');
    expectS3Error(await send({ method: 'DELETE', path: `/${bucket}` }), 403, 'AccessDenied');
    // The owner is exempt on the policy actions, so it can take the policy back.
    expect(code(await getPolicy(bucket))).toBe('200');
    expect(code(await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }))).toBe('204');
    expect(code(await getEncryption(bucket))).toBe('200');
  });

  it('denies every request on the local stack (http) under a TLS-only policy, and lets the owner remove it', async () => {
    const bucket = await newBucket();
    expect((await putPolicy(bucket, fixture('accepted/tls-only.json', bucket))).statusCode).toBe(204);
    expectS3Error(await getEncryption(bucket), 403, 'AccessDenied');
    expectS3Error(await putEncryption(bucket, AES256_NO_NAMESPACE_XML), 403, 'AccessDenied');
    expect(code(await send({ method: 'DELETE', path: `/${bucket}`, query: 'policy' }))).toBe('204');
    expect(code(await getEncryption(bucket))).toBe('200');
  });

  it('grants a listing by s3:prefix, and no HeadBucket through it', async () => {
    const bucket = await newBucket();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: SECOND_IDENTITY.accountId },
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${bucket}`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
          Condition: { StringLike: { 's3:prefix': 'home/${aws:userid}/*' } },
        },
      ],
    });
    expect((await putPolicy(bucket, policy)).statusCode).toBe(204);
    const list = (query: string) =>
      send({ method: 'GET', path: `/${bucket}`, query: `list-type=2&${query}`, identity: SECOND_IDENTITY });
    expect(code(await list(`prefix=home/${SECOND_IDENTITY.accountId}/docs/`))).toBe('200');
    expectS3Error(await list('prefix=home/someone-else/'), 403, 'AccessDenied');
    expectS3Error(await list('max-keys=10'), 403, 'AccessDenied');
    expectS3Error(
      await send({ method: 'HEAD', path: `/${bucket}`, identity: SECOND_IDENTITY }),
      403,
      'AccessDenied',
      {
        method: 'HEAD',
      },
    );
  });

  // AWS's Service Authorization Reference lists s3:prefix, s3:delimiter and s3:max-keys for
  // s3:ListBucketVersions as for s3:ListBucket: a Deny on them closes ListObjectVersions too.
  it('applies s3:prefix and s3:max-keys to ListObjectVersions as to ListObjects', async () => {
    const bucket = await newBucket();
    const listings = ['s3:ListBucket', 's3:ListBucketVersions'];
    const second = { AWS: SECOND_IDENTITY.accountId };
    const policy = policyOf(
      statement('Allow', second, listings, bucket),
      {
        ...statement('Deny', second, listings, bucket),
        Condition: { StringLike: { 's3:prefix': 'secret/*' } },
      },
      {
        ...statement('Deny', second, listings, bucket),
        Condition: { NumericGreaterThan: { 's3:max-keys': '10' } },
      },
    );
    expect((await putPolicy(bucket, policy)).statusCode).toBe(204);
    const list = (query: string) =>
      send({ method: 'GET', path: `/${bucket}`, query, identity: SECOND_IDENTITY });
    expect(code(await list('versions&max-keys=5'))).toBe('200');
    expect(code(await list('versions&prefix=public/&max-keys=10'))).toBe('200');
    expectS3Error(await list('versions&prefix=secret/x&max-keys=5'), 403, 'AccessDenied');
    // max-keys is 1000 when the query leaves it out.
    expectS3Error(await list('versions&prefix=public/'), 403, 'AccessDenied');
    expectS3Error(await list('versions&max-keys=1000'), 403, 'AccessDenied');
    expectS3Error(await list('list-type=2&prefix=secret/x&max-keys=5'), 403, 'AccessDenied');
    expect(code(await list('list-type=2&max-keys=5'))).toBe('200');
  });

  // AWS's Service Authorization Reference lists s3:x-amz-acl and s3:x-amz-grant-* for s3:PutBucketAcl.
  it("applies s3:x-amz-acl and s3:x-amz-grant-* to PutBucketAcl, the owner's requests included", async () => {
    const bucket = await newBucket();
    const putAcl = (headers: Record<string, string>, identity = OWNER, body = '') =>
      send({
        method: 'PUT',
        path: `/${bucket}`,
        query: 'acl',
        body,
        headers: { 'content-md5': md5(body), ...headers },
        identity,
      });
    const second = { AWS: SECOND_IDENTITY.accountId };
    const policy = policyOf(
      {
        ...statement('Allow', second, 's3:PutBucketAcl', bucket),
        Condition: { StringEquals: { 's3:x-amz-acl': 'private' } },
      },
      {
        ...statement('Deny', { AWS: OWNER.accountId }, 's3:PutBucketAcl', bucket),
        Condition: { StringEquals: { 's3:x-amz-acl': 'private' } },
      },
      {
        ...statement('Deny', '*', 's3:PutBucketAcl', bucket),
        Condition: { StringLike: { 's3:x-amz-grant-full-control': `*${SECOND_IDENTITY.accountId}*` } },
      },
    );
    expect((await putPolicy(bucket, policy)).statusCode).toBe(204);
    // The owner's canned `private` meets its Deny; the same ACL as a grant header does not.
    expectS3Error(await putAcl({ 'x-amz-acl': 'private' }), 403, 'AccessDenied');
    expect(code(await putAcl({ 'x-amz-grant-full-control': `id="${OWNER.accountId}"` }))).toBe('200');
    // The second account is granted PutBucketAcl only with `x-amz-acl: private`.
    expect(code(await putAcl({ 'x-amz-acl': 'private' }, SECOND_IDENTITY))).toBe('200');
    expectS3Error(
      await putAcl({ 'x-amz-grant-full-control': `id="${OWNER.accountId}"` }, SECOND_IDENTITY),
      403,
      'AccessDenied',
    );
    // A grant naming the second account meets the Deny to everyone (before the ACL itself is read).
    expectS3Error(
      await putAcl({ 'x-amz-grant-full-control': `id="${SECOND_IDENTITY.accountId}"` }),
      403,
      'AccessDenied',
    );
  });

  it('keeps SigV4-only, minimum-TLS and VPC-endpoint policies to what they say on this service', async () => {
    const bucket = await newBucket();
    const grant = statement(
      'Allow',
      { AWS: SECOND_IDENTITY.accountId },
      's3:GetEncryptionConfiguration',
      bucket,
    );
    const withFixture = (file: string) =>
      JSON.stringify({
        ...JSON.parse(fixture(file, bucket)),
        Statement: [grant, ...JSON.parse(fixture(file, bucket)).Statement],
      });
    // Signed with SigV4: the SigV4-only Deny does not apply.
    expect((await putPolicy(bucket, withFixture('accepted/sigv4-only.json'))).statusCode).toBe(204);
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('200');
    // API Gateway reports no TLS version: s3:TlsVersion is absent and NumericLessThan does not hold.
    expect((await putPolicy(bucket, withFixture('accepted/minimum-tls-1-2.json'))).statusCode).toBe(204);
    expect(code(await getEncryption(bucket, SECOND_IDENTITY))).toBe('200');
    // No request arrives through a VPC endpoint: aws:SourceVpce is absent and StringNotEquals holds.
    expect((await putPolicy(bucket, withFixture('accepted/vpc-endpoint-fence.json'))).statusCode).toBe(204);
    expectS3Error(await getEncryption(bucket, SECOND_IDENTITY), 403, 'AccessDenied');
  });
});
