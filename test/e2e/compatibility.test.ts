// End to end: what S3 clients call around the encryption operations, through serverless-offline —
// SDK v3's ListBuckets and ListObjectsV2 paginators, GetBucketLocation (the SDK's region discovery),
// ListObjects, and boto3's ListBuckets paginator (a real Python client, run as a child process).
import {
  CreateBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  paginateListBuckets,
  paginateListObjectsV2,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runClient } from '../helpers/client-process.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { s3Client } from '../helpers/s3-client.ts';

const gateway = inject('gateways').aws;
const client = (identity = OWNER) => s3Client(identity, gateway);
const owner = client();
const other = client(SECOND_IDENTITY);
afterAll(() => {
  owner.destroy();
  other.destroy();
});

// This run's buckets: a prefix of their own, since every test file shares the two accounts.
const prefix = uniqueBucket('e2e-page');
const mine = ['a', 'b', 'c', 'd', 'e'].map((suffix) => `${prefix}-${suffix}`);
const theirs = `${prefix}-c2`;

beforeAll(async () => {
  for (const bucket of mine) await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  await other.send(new CreateBucketCommand({ Bucket: theirs }));
});

describe('ListBuckets pagination', () => {
  it("walks the caller's buckets with SDK v3's paginateListBuckets, two at a time, none of another account's", async () => {
    const pages: string[][] = [];
    for await (const page of paginateListBuckets({ client: owner, pageSize: 2 }, { Prefix: prefix })) {
      expect(page.Prefix).toBe(prefix);
      pages.push((page.Buckets ?? []).map((bucket) => bucket.Name ?? ''));
    }
    expect(pages).toEqual([mine.slice(0, 2), mine.slice(2, 4), mine.slice(4)]);
  });

  it('answers BucketRegion, and a ContinuationToken only while more follow', async () => {
    const first = await owner.send(new ListBucketsCommand({ Prefix: prefix, MaxBuckets: 4 }));
    expect(first.Buckets?.map((bucket) => bucket.BucketRegion)).toEqual([
      'us-east-1',
      'us-east-1',
      'us-east-1',
      'us-east-1',
    ]);
    expect(first.ContinuationToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const last = await owner.send(
      new ListBucketsCommand({ Prefix: prefix, MaxBuckets: 4, ContinuationToken: first.ContinuationToken }),
    );
    expect(last.Buckets?.map((bucket) => bucket.Name)).toEqual(mine.slice(4));
    expect(last.ContinuationToken).toBeUndefined();
  });

  it("refuses another account's continuation token with 400 InvalidArgument", async () => {
    const first = await owner.send(new ListBucketsCommand({ Prefix: prefix, MaxBuckets: 1 }));
    const refused = await other
      .send(new ListBucketsCommand({ Prefix: prefix, ContinuationToken: first.ContinuationToken }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(S3ServiceException);
    expect((refused as S3ServiceException).name).toBe('InvalidArgument');
    expect((refused as S3ServiceException).$metadata.httpStatusCode).toBe(400);
  });

  it("walks them with boto3's list_buckets paginator", async () => {
    // A real Python client: isolated from the machine's AWS configuration, bounded in time, and
    // answering JSON on stdout (any Python failure fails the test with its stderr).
    const script = `
import json, sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
pages = s3.get_paginator("list_buckets").paginate(Prefix=sys.argv[2], PaginationConfig={"PageSize": 2})
print(json.dumps([[b["Name"] for b in page.get("Buckets", [])] for page in pages]))
`;
    const { code, stdout, stderr } = await runClient('python3', ['-c', script, gateway, prefix]);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual([mine.slice(0, 2), mine.slice(2, 4), mine.slice(4)]);
  });
});

describe('GetBucketLocation', () => {
  it('answers an empty LocationConstraint for a us-east-1 bucket (the SDK reports it as undefined)', async () => {
    const location = await owner.send(new GetBucketLocationCommand({ Bucket: mine[0] }));
    expect(location.$metadata.httpStatusCode).toBe(200);
    expect(location.LocationConstraint).toBeUndefined();
  });
});

describe('object listings (always empty)', () => {
  it('answers ListObjectsV2 and its paginator with no keys', async () => {
    const listed = await owner.send(
      new ListObjectsV2Command({ Bucket: mine[0], Prefix: 'logs/', Delimiter: '/', EncodingType: 'url' }),
    );
    expect(listed).toMatchObject({
      Name: mine[0],
      Prefix: 'logs/',
      Delimiter: '/',
      KeyCount: 0,
      MaxKeys: 1000,
      IsTruncated: false,
      EncodingType: 'url',
    });
    expect(listed.Contents).toBeUndefined();
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: owner, pageSize: 10 }, { Bucket: mine[0] })) {
      pages++;
      expect(page.KeyCount).toBe(0);
    }
    expect(pages).toBe(1);
  });

  it('answers ListObjects (V1) with no keys', async () => {
    const listed = await owner.send(new ListObjectsCommand({ Bucket: mine[0], Marker: 'm' }));
    expect(listed).toMatchObject({
      Name: mine[0],
      Prefix: '',
      Marker: 'm',
      MaxKeys: 1000,
      IsTruncated: false,
    });
    expect(listed.Contents).toBeUndefined();
  });

  it('still answers 501 NotImplemented to an object operation', async () => {
    const refused = await owner.send(new GetObjectCommand({ Bucket: mine[0], Key: 'k' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as S3ServiceException).$metadata.httpStatusCode).toBe(501);
    expect((refused as S3ServiceException).name).toBe('NotImplemented');
  });
});
