// The request facts a bucket policy sees (lib/auth/request-facts.ts), read through the context keys
// they make (lib/policy/context.ts): the ones read from headers and the query as sent.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AccessRequest, requestFacts } from '../../../lib/auth/request-facts.ts';
import { resetConfig } from '../../../lib/config.ts';
import { requestContext } from '../../../lib/policy/index.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const SIGV4 =
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250601/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00';
const request = (overrides: Partial<AccessRequest>): AccessRequest => ({
  method: 'GET',
  headers: {},
  effectiveHeaders: {},
  query: [],
  rawQueryString: '',
  sourceIp: '10.1.2.3',
  bucket: 'b1',
  caller: { accountId: '210987654321', accessKeyId: 'AKIASECONDACCOUNT001' },
  ...overrides,
});
const contextOf = (overrides: Partial<AccessRequest>, action = 's3:GetEncryptionConfiguration') =>
  requestContext(requestFacts(request(overrides), action, '123456789012', NOW));

describe('request facts', () => {
  beforeEach(() => {
    vi.stubEnv('TABLE_NAME', 'buckets');
    resetConfig();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });

  // sigv4-verify.ts dates a header-signed request by x-amz-date, else by its Date header (AWS accepts
  // either); s3:signatureAge is counted from the same time, whichever header carried it.
  it.each([
    ['x-amz-date', { authorization: SIGV4, 'x-amz-date': '20250601T114600Z' }],
    ['a Date header alone', { authorization: SIGV4, date: 'Sun, 01 Jun 2025 11:46:00 GMT' }],
  ])('counts s3:signatureAge of a SigV4 request dated by %s', (_what, headers) => {
    expect(contextOf({ headers }).get('s3:signatureage')).toEqual(['840000']);
  });

  // "In Signature Version 2, this value is always set to 0" (Amazon S3 API Reference, "Amazon S3
  // Signature Version 4 Authentication Specific Policy Keys").
  it.each([
    [
      'signed in a header',
      {
        headers: {
          authorization: 'AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl',
          date: 'Sun, 01 Jun 2025 11:00:00 GMT',
        },
      },
    ],
    [
      'presigned',
      {
        query: [
          ['AWSAccessKeyId', 'AKIAIOSFODNN7EXAMPLE'],
          ['Signature', 'c2ln'],
          ['Expires', '1748779200'],
        ] as const,
      },
    ],
  ])('gives a Signature Version 2 request %s s3:signatureAge 0', (_what, overrides) => {
    const context = contextOf(overrides as Partial<AccessRequest>);
    expect([context.get('s3:signatureversion'), context.get('s3:signatureage')]).toEqual([['AWS'], ['0']]);
  });

  it('gives ListObjectVersions the listing keys from its query, as ListObjects', () => {
    const query = [
      ['versions', ''],
      ['prefix', 'secret/'],
      ['delimiter', '/'],
    ] as const;
    for (const action of ['s3:ListBucket', 's3:ListBucketVersions']) {
      const context = contextOf({ query }, action);
      expect([context.get('s3:prefix'), context.get('s3:delimiter'), context.get('s3:max-keys')]).toEqual([
        ['secret/'],
        ['/'],
        ['1000'],
      ]);
    }
    expect(contextOf({ query }, 's3:GetEncryptionConfiguration').has('s3:prefix')).toBe(false);
  });

  it('gives PutBucketAcl its ACL headers as sent, and no other action', () => {
    const headers = {
      authorization: SIGV4,
      'x-amz-acl': 'private',
      'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
    };
    const acl = contextOf({ method: 'PUT', headers, effectiveHeaders: headers }, 's3:PutBucketAcl');
    expect([
      acl.get('s3:x-amz-acl'),
      acl.get('s3:x-amz-grant-read'),
      acl.has('s3:x-amz-grant-write'),
    ]).toEqual([['private'], ['uri="http://acs.amazonaws.com/groups/global/AllUsers"'], false]);
    const other = contextOf(
      { method: 'PUT', headers, effectiveHeaders: headers },
      's3:PutEncryptionConfiguration',
    );
    expect(other.has('s3:x-amz-acl')).toBe(false);
  });

  it("reads an OBS-signed PutBucketAcl's x-obs-acl as s3:x-amz-acl (obs profile)", () => {
    vi.stubEnv('S3_PROFILE', 'obs');
    resetConfig();
    const headers = { authorization: 'OBS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl', 'x-obs-acl': 'private' };
    const acl = contextOf({ method: 'PUT', headers, effectiveHeaders: headers }, 's3:PutBucketAcl');
    expect(acl.get('s3:x-amz-acl')).toEqual(['private']);
  });
});
