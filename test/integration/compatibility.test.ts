// What S3 clients call around the encryption operations: ListBuckets pagination, CreateBucket of a
// bucket the caller owns, GetBucketLocation, and the (empty) object listings — handlers invoked
// in-process against DynamoDB Local.
import { beforeAll, describe, expect, it } from 'vitest';
import { storage } from '../../lib/storage/index.ts';
import { OWNER, SECOND_IDENTITY, uniqueBucket } from '../helpers/identities.ts';
import { countDynamoRequests, expectS3Error, type Result, send } from '../helpers/invoke.ts';
import { secondAccountPolicy } from '../helpers/policies.ts';
import { inRegion } from '../helpers/region.ts';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const namesIn = (body: string) => [...body.matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => match[1] ?? '');
const tokenIn = (body: string) => /<ContinuationToken>([^<]*)<\/ContinuationToken>/.exec(body)?.[1];
const listBuckets = (query: string, identity = OWNER) => send({ method: 'GET', path: '/', query, identity });

/** Counts the DynamoDB requests the storage client sends while `run` runs. */
async function countRequests(run: () => Promise<unknown>): Promise<number> {
  return (await countDynamoRequests(run)).requests;
}

describe('ListBuckets pagination', () => {
  // Every test file shares the accounts, so each listing here is narrowed to this run's prefix.
  const prefix = uniqueBucket('page');
  const mine = [1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`);
  const theirs = [`${prefix}-0`, `${prefix}-3x`, `${prefix}-9`];

  beforeAll(async () => {
    for (const bucket of mine)
      expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
    for (const bucket of theirs) {
      expect((await send({ method: 'PUT', path: `/${bucket}`, identity: SECOND_IDENTITY })).statusCode).toBe(
        200,
      );
    }
    await listBuckets(''); // warm the credential cache: the counts below are the listing's own
  });

  it('walks the caller’s buckets in pages of max-buckets, one DynamoDB Query each, none of another account’s', async () => {
    const pages: string[][] = [];
    const requests: number[] = [];
    let token: string | undefined;
    do {
      const query = `max-buckets=2&prefix=${prefix}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
      let page: Result | undefined;
      requests.push(
        await countRequests(async () => {
          page = await listBuckets(query);
        }),
      );
      if (!page) throw new Error('no page');
      expect(page.statusCode).toBe(200);
      pages.push(namesIn(page.body));
      token = tokenIn(page.body);
    } while (token !== undefined && pages.length < 10);
    expect(pages).toEqual([mine.slice(0, 2), mine.slice(2, 4), mine.slice(4)]);
    expect(requests).toEqual([1, 1, 1]);
  });

  // Each bucket: Name, CreationDate, BucketRegion, BucketArn (S3's API model's order; LocalStack's
  // AWS-validated snapshots have the ARN of every bucket listed).
  it('answers Owner, Buckets, then the Prefix echoed and the ContinuationToken, in AWS’s order', async () => {
    const page = await listBuckets(`max-buckets=1&prefix=${prefix}`);
    expect(page.body).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<ListAllMyBucketsResult xmlns="${S3_NAMESPACE}"><Owner><ID>123456789012</ID></Owner>` +
          `<Buckets><Bucket><Name>${mine[0]}</Name><CreationDate>[^<]+</CreationDate><BucketRegion>us-east-1</BucketRegion><BucketArn>arn:aws:s3:::${mine[0]}</BucketArn></Bucket></Buckets>` +
          `<Prefix>${prefix}</Prefix><ContinuationToken>[A-Za-z0-9_-]+</ContinuationToken></ListAllMyBucketsResult>$`,
      ),
    );
  });

  it('answers the last page without a ContinuationToken, and an empty match as <Buckets/>', async () => {
    const last = await listBuckets(`max-buckets=5&prefix=${prefix}`);
    expect(namesIn(last.body)).toEqual(mine);
    expect(tokenIn(last.body)).toBeUndefined();
    const none = await listBuckets(`prefix=${prefix}-none`);
    expect(none.body).toContain(`<Buckets/><Prefix>${prefix}-none</Prefix></ListAllMyBucketsResult>`);
  });

  // Bucket names are at most 63 characters of [a-z0-9.-]: a longer prefix, or one with another
  // character, matches nothing, and S3 answers a prefix that matches nothing with an empty listing
  // (LocalStack's AWS-validated snapshot, list-objects-by-prefix-empty). DynamoDB refuses a key
  // condition over 1,024 bytes, so such a prefix must not reach it (it answered 500 before).
  it.each([
    ['1,025 bytes', 'a'.repeat(1025), 'a'.repeat(1025)],
    ['600 two-byte characters (1,200 bytes)', '%C3%A9'.repeat(600), 'é'.repeat(600)],
    ['64 characters', 'a'.repeat(64), 'a'.repeat(64)],
    ['a NUL', 'a%00', 'a\uFFFD'],
    ['a character outside names (upper case)', 'PAGE', 'PAGE'],
    ['a 4-byte character', '%F0%9F%98%80', '😀'],
  ])('answers a prefix of %s with an empty listing and no DynamoDB request', async (_name, sent, echoed) => {
    let page: Result | undefined;
    const requests = await countRequests(async () => {
      page = await listBuckets(`prefix=${sent}`);
    });
    expect(page?.statusCode).toBe(200);
    expect(page?.body).toContain(`<Buckets/><Prefix>${echoed}</Prefix></ListAllMyBucketsResult>`);
    expect(requests).toBe(0);
  });

  it('answers a continuation token with a prefix no name can begin with as the incorrect token it is', async () => {
    const token = tokenIn((await listBuckets(`max-buckets=1&prefix=${prefix}`)).body) ?? '';
    const result = await listBuckets(`continuation-token=${token}&prefix=${prefix}${'a'.repeat(1025)}`);
    expectS3Error(result, 400, 'InvalidArgument');
    expect(result.body).toContain('<ArgumentName>continuation-token</ArgumentName>');
  });

  it('lists everything the caller owns, no other account’s, when no parameter is sent', async () => {
    const all = namesIn((await listBuckets('')).body);
    expect(all).toEqual(expect.arrayContaining(mine));
    for (const bucket of theirs) expect(all).not.toContain(bucket);
    expect(all).toEqual([...all].sort());
  });

  it('accepts bucket-region naming this deployment’s region, in any case', async () => {
    const page = await listBuckets(`prefix=${prefix}&bucket-region=US-EAST-1`);
    expect(namesIn(page.body)).toEqual(mine);
  });

  it.each([
    ['max-buckets=abc', 'Provided max-buckets not an integer or within integer range', 'max-buckets', 'abc'],
    ['max-buckets=%201', 'Provided max-buckets not an integer or within integer range', 'max-buckets', ' 1'],
    [
      'max-buckets=99999999999',
      'Provided max-buckets not an integer or within integer range',
      'max-buckets',
      '99999999999',
    ],
    ['max-buckets=0', 'Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', '0'],
    ['max-buckets=-01', 'Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', '-1'],
    [
      'max-buckets=010001',
      'Argument max-buckets must be an integer between 1 and 10000',
      'max-buckets',
      '10001',
    ],
    [
      'max-buckets=0&bucket-region=zz',
      'Argument max-buckets must be an integer between 1 and 10000',
      'max-buckets',
      '0',
    ],
    ['bucket-region=zz', 'Argument value zz is not a valid AWS Region', 'bucket-region', undefined],
    ['bucket-region=', 'Argument value  is not a valid AWS Region', 'bucket-region', undefined],
    [
      'continuation-token=x&bucket-region=zz',
      'Argument value zz is not a valid AWS Region',
      'bucket-region',
      undefined,
    ],
    [
      'bucket-region=eu-west-1',
      'Requests with bucket-region specified must be made to the corresponding regional endpoint',
      'bucket-region',
      undefined,
    ],
    [
      'continuation-token=garbage',
      'The continuation token provided is incorrect',
      'continuation-token',
      undefined,
    ],
    [
      'continuation-token=Zzp4',
      'The continuation token provided is incorrect',
      'continuation-token',
      undefined,
    ],
  ])(
    'answers %s with 400 InvalidArgument as AWS does',
    async (query, message, argumentName, argumentValue) => {
      const result = await listBuckets(query);
      expectS3Error(result, 400, 'InvalidArgument');
      expect(result.body).toContain(
        `<Message>${message}</Message><ArgumentName>${argumentName}</ArgumentName>`,
      );
      if (argumentValue !== undefined)
        expect(result.body).toContain(`<ArgumentValue>${argumentValue}</ArgumentValue>`);
    },
  );

  it('answers 400 InvalidArgument for a token that was altered, issued to another account, or for another prefix', async () => {
    const token = tokenIn((await listBuckets(`max-buckets=1&prefix=${prefix}`)).body) ?? '';
    expect(token).not.toBe('');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const altered = token.slice(0, -1) + last;
    for (const [query, identity] of [
      [`continuation-token=${altered}`, OWNER],
      [`continuation-token=${token}`, SECOND_IDENTITY],
      [`continuation-token=${token}&prefix=${prefix}-9`, OWNER],
      [`continuation-token=${token}=`, OWNER],
    ] as const) {
      const result = await listBuckets(query, identity);
      expectS3Error(result, 400, 'InvalidArgument');
      expect(result.body).toContain('<ArgumentName>continuation-token</ArgumentName>');
    }
    // The same token, untouched, resumes the caller's own listing.
    expect(namesIn((await listBuckets(`continuation-token=${token}&prefix=${prefix}`)).body)).toEqual(
      mine.slice(1),
    );
  });

  it('takes the first of a repeated parameter, as AWS does', async () => {
    const page = await listBuckets(`prefix=${prefix}&max-buckets=1&max-buckets=abc`);
    expect(namesIn(page.body)).toEqual(mine.slice(0, 1));
  });
});

describe('CreateBucket of a bucket the caller owns', () => {
  it('answers 200 in us-east-1 and changes nothing stored', async () => {
    const bucket = uniqueBucket();
    expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
    const before = await storage().buckets.getBucket(bucket);
    const again = await send({ method: 'PUT', path: `/${bucket}` });
    expect(again.statusCode).toBe(200);
    expect(again.headers.location).toBe(`/${bucket}`);
    expect(await storage().buckets.getBucket(bucket)).toEqual(before);
  });

  it('still answers 409 BucketAlreadyExists in us-east-1 when another account owns it, changing nothing', async () => {
    const bucket = uniqueBucket();
    await send({ method: 'PUT', path: `/${bucket}` });
    const before = await storage().buckets.getBucket(bucket);
    expectS3Error(
      await send({ method: 'PUT', path: `/${bucket}`, identity: SECOND_IDENTITY }),
      409,
      'BucketAlreadyExists',
    );
    expect(await storage().buckets.getBucket(bucket)).toEqual(before);
  });

  describe('in another region (eu-west-1)', () => {
    inRegion('eu-west-1');

    it('answers 409 BucketAlreadyOwnedByYou and changes nothing stored', async () => {
      const bucket = uniqueBucket();
      expect((await send({ method: 'PUT', path: `/${bucket}`, region: 'eu-west-1' })).statusCode).toBe(200);
      const before = await storage().buckets.getBucket(bucket);
      expect(before?.region).toBe('eu-west-1');
      const again = await send({ method: 'PUT', path: `/${bucket}`, region: 'eu-west-1' });
      expectS3Error(again, 409, 'BucketAlreadyOwnedByYou');
      expect(again.body).toContain(`<BucketName>${bucket}</BucketName>`);
      expect(await storage().buckets.getBucket(bucket)).toEqual(before);
    });

    it('answers GetBucketLocation with the region', async () => {
      const bucket = uniqueBucket();
      await send({ method: 'PUT', path: `/${bucket}`, region: 'eu-west-1' });
      const location = await send({
        method: 'GET',
        path: `/${bucket}`,
        query: 'location',
        region: 'eu-west-1',
      });
      expect(location.statusCode).toBe(200);
      expect(location.body).toBe(
        `${XML_DECLARATION}<LocationConstraint xmlns="${S3_NAMESPACE}">eu-west-1</LocationConstraint>`,
      );
    });
  });
});

describe('GetBucketLocation', () => {
  it('answers an empty LocationConstraint for a us-east-1 bucket, byte for byte as AWS', async () => {
    const bucket = uniqueBucket();
    await send({ method: 'PUT', path: `/${bucket}` });
    const location = await send({ method: 'GET', path: `/${bucket}`, query: 'location' });
    expect(location.statusCode).toBe(200);
    expect(location.headers['content-type']).toBe('application/xml');
    expect(location.body).toBe(`${XML_DECLARATION}<LocationConstraint xmlns="${S3_NAMESPACE}"/>`);
  });

  it('answers 404 NoSuchBucket for a bucket nobody owns, 403 AccessDenied to another account', async () => {
    const bucket = uniqueBucket();
    expectS3Error(await send({ method: 'GET', path: `/${bucket}`, query: 'location' }), 404, 'NoSuchBucket');
    await send({ method: 'PUT', path: `/${bucket}` });
    expectS3Error(
      await send({ method: 'GET', path: `/${bucket}`, query: 'location', identity: SECOND_IDENTITY }),
      403,
      'AccessDenied',
    );
  });

  it('answers another account that the bucket policy grants s3:GetBucketLocation', async () => {
    const bucket = uniqueBucket();
    await send({ method: 'PUT', path: `/${bucket}` });
    const policy = secondAccountPolicy(bucket, 's3:GetBucketLocation');
    expect(
      (await send({ method: 'PUT', path: `/${bucket}`, query: 'policy', body: policy })).statusCode,
    ).toBe(204);
    const location = await send({
      method: 'GET',
      path: `/${bucket}`,
      query: 'location',
      identity: SECOND_IDENTITY,
    });
    expect(location.statusCode).toBe(200);
    // Granted only the location: listing stays denied.
    expectS3Error(
      await send({ method: 'GET', path: `/${bucket}`, identity: SECOND_IDENTITY }),
      403,
      'AccessDenied',
    );
  });
});

describe('ListObjects and ListObjectsV2 (always empty: this service stores no objects)', () => {
  const bucket = uniqueBucket('listing');
  beforeAll(async () => {
    expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
  });
  const list = (query: string, identity = OWNER) =>
    send({ method: 'GET', path: `/${bucket}`, query, identity });
  const document = (content: string) =>
    `${XML_DECLARATION}<ListBucketResult xmlns="${S3_NAMESPACE}"><Name>${bucket}</Name>${content}</ListBucketResult>`;

  it.each([
    ['', '<Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>'],
    [
      'prefix=a%2Fb&marker=m&max-keys=5&delimiter=%2F',
      '<Prefix>a/b</Prefix><Marker>m</Marker><MaxKeys>5</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>',
    ],
    [
      'list-type=2',
      '<Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>',
    ],
    [
      // What `aws s3 ls s3://bucket` sends.
      'list-type=2&prefix=&delimiter=%2F&encoding-type=url',
      '<Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>',
    ],
    [
      'list-type=2&start-after=a%20b%2Bc&max-keys=0&fetch-owner=true',
      '<Prefix></Prefix><StartAfter>a b+c</StartAfter><KeyCount>0</KeyCount><MaxKeys>0</MaxKeys><IsTruncated>false</IsTruncated>',
    ],
    [
      'list-type=2&prefix=a%2Fb%20c%2Bd%3C%26%C3%A9&encoding-type=url',
      '<Prefix>a/b+c%2Bd%3C%26%C3%A9</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>',
    ],
    [
      'prefix=%3C%26',
      '<Prefix>&lt;&amp;</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>',
    ],
  ])('answers GET ?%s with the empty listing', async (query, content) => {
    const result = await list(query);
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('application/xml');
    expect(result.headers['x-amz-bucket-region']).toBe('us-east-1');
    expect(result.body).toBe(document(content));
  });

  it.each([
    ['max-keys=abc', 'Provided max-keys not an integer or within integer range', 'max-keys'],
    ['list-type=2&max-keys=-1', 'Argument maxKeys must be an integer between 0 and 2147483647', 'maxKeys'],
    ['encoding-type=xml', 'Invalid Encoding Method specified in Request', 'encoding-type'],
    [
      'list-type=2&continuation-token=abc',
      'The continuation token provided is incorrect',
      'continuation-token',
    ],
  ])('answers GET ?%s with 400 InvalidArgument', async (query, message, argumentName) => {
    const result = await list(query);
    expectS3Error(result, 400, 'InvalidArgument');
    expect(result.body).toContain(
      `<Message>${message}</Message><ArgumentName>${argumentName}</ArgumentName>`,
    );
  });

  // versitygw's tests that run against AWS itself (ListObjectsV1 - start-after - error; ListObjectVersions -
  // version ID marker w/o key marker).
  it.each([
    ['start-after=x', 'startAfter only supported in REST.GET.BUCKET with list-type=2', 'start-after', 'x'],
    [
      'versions&max-keys=1&version-id-marker=null',
      'A version-id marker cannot be specified without a key marker',
      'version-id-marker',
      'null',
    ],
    [
      'versions&key-marker=&version-id-marker=abc',
      'A version-id marker cannot be specified without a key marker',
      'version-id-marker',
      'abc',
    ],
  ])('answers GET ?%s with 400 InvalidArgument', async (query, message, argumentName, argumentValue) => {
    const result = await list(query);
    expectS3Error(result, 400, 'InvalidArgument');
    expect(result.body).toContain(
      `<Message>${message}</Message><ArgumentName>${argumentName}</ArgumentName><ArgumentValue>${argumentValue}</ArgumentValue>`,
    );
  });

  it('takes start-after in ListObjectsV2, and version-id-marker with a key-marker', async () => {
    expect((await list('list-type=2&start-after=x')).statusCode).toBe(200);
    expect((await list('versions&key-marker=k&version-id-marker=v')).statusCode).toBe(200);
  });

  // LocalStack's AWS-validated snapshots (test_list_ops_encoding_type_validation): an empty value is
  // refused like any other that is not `url`.
  it.each(['encoding-type=', 'list-type=2&encoding-type=', 'versions&encoding-type='])(
    'answers GET ?%s (an empty encoding type) with 400 InvalidArgument, ArgumentValue empty',
    async (query) => {
      const result = await list(query);
      expectS3Error(result, 400, 'InvalidArgument');
      expect(result.body).toContain(
        '<Message>Invalid Encoding Method specified in Request</Message><ArgumentName>encoding-type</ArgumentName><ArgumentValue></ArgumentValue>',
      );
    },
  );

  // ListObjectVersions, which tools that empty a bucket before deleting it send (ceph s3-tests' fixtures).
  it.each([
    [
      'versions',
      '<Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>',
    ],
    [
      'versions&max-keys=128&key-marker=k&version-id-marker=v1&prefix=a%2F&delimiter=%2F&encoding-type=url',
      '<Prefix>a/</Prefix><KeyMarker>k</KeyMarker><VersionIdMarker>v1</VersionIdMarker><MaxKeys>128</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>',
    ],
  ])('answers GET ?%s with the empty version listing', async (query, content) => {
    const result = await list(query);
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(
      `${XML_DECLARATION}<ListVersionsResult xmlns="${S3_NAMESPACE}"><Name>${bucket}</Name>${content}</ListVersionsResult>`,
    );
    expectS3Error(await list('versions&max-keys=x'), 400, 'InvalidArgument');
  });

  it.each(['', 'list-type=2', 'versions'])(
    'answers ?%s with 404 NoSuchBucket / 403 AccessDenied like every bucket operation',
    async (query) => {
      expectS3Error(await send({ method: 'GET', path: `/${uniqueBucket()}`, query }), 404, 'NoSuchBucket');
      expectS3Error(await list(query, SECOND_IDENTITY), 403, 'AccessDenied');
    },
  );

  it('answers a virtual-hosted listing (Host: bucket.localhost, path /)', async () => {
    const result = await send({
      method: 'GET',
      path: '/',
      query: 'list-type=2',
      host: `${bucket}.localhost:3000`,
    });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('<KeyCount>0</KeyCount>');
  });

  it('still answers 501 NotImplemented for object paths', async () => {
    expectS3Error(await send({ method: 'GET', path: `/${bucket}/key` }), 501, 'NotImplemented');
  });
});
