// ListBuckets — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
// The caller's buckets only, a page at a time: one DynamoDB Query on the owner index per page.
import { bucketArn, couldPrefixBucketName } from '../lib/bucket-name.ts';
import { config, profile } from '../lib/config.ts';
import { S3_NAMESPACE } from '../lib/encryption/profiles.ts';
import type { S3Operation } from '../lib/http/dispatch.ts';
import { xmlResponse } from '../lib/http/response.ts';
import { issueContinuationToken, parseListBucketsQuery, readContinuationToken } from '../lib/listing.ts';
import { storage } from '../lib/storage/index.ts';
import { xmlDocument } from '../lib/xml/write.ts';

export const listBuckets: S3Operation = {
  name: 'ListBuckets',
  method: 'GET',
  target: 'service',
  async handle({ caller, query }) {
    const { maxBuckets, prefix, continuationToken } = parseListBucketsQuery(query, config().region);
    const startAfter =
      continuationToken === undefined
        ? undefined
        : readContinuationToken(continuationToken, caller.accountId, prefix);
    // A prefix no bucket name can begin with lists nothing, as S3 answers any prefix nothing matches;
    // it never reaches DynamoDB, which refuses a key condition over 1,024 bytes (a 500 otherwise).
    const page =
      prefix !== undefined && !couldPrefixBucketName(prefix)
        ? { buckets: [], nextStartAfter: undefined }
        : await storage().buckets.listBuckets(caller.accountId, {
            limit: maxBuckets,
            ...(prefix && { prefix }),
            ...(startAfter !== undefined && { startAfter }),
          });
    const withArn = profile().bucketArn;
    return xmlResponse(
      xmlDocument(
        'ListAllMyBucketsResult',
        {
          Owner: { ID: caller.accountId },
          Buckets: {
            Bucket: page.buckets.map(({ name, createdAt, region }) => ({
              Name: name,
              CreationDate: createdAt,
              BucketRegion: region,
              BucketArn: withArn ? bucketArn(name) : undefined,
            })),
          },
          // AWS's order: the prefix (echoed whenever sent, even empty), then the token.
          Prefix: prefix,
          ContinuationToken:
            page.nextStartAfter === undefined
              ? undefined
              : issueContinuationToken(caller.accountId, page.nextStartAfter),
        },
        S3_NAMESPACE,
      ),
    );
  },
};
