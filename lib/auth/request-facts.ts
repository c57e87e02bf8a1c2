// What authorization tells a bucket policy about a request (lib/policy/context.ts builds the condition
// keys from it; docs/accounts.md › The request context says where each comes from). The request was
// authenticated before this runs, so its signature's form is read from the headers and query as sent.
import { config, profile } from '../config.ts';
import { requestHeaderPrefix } from '../encryption/profiles.ts';
import { ACL_CONDITION_HEADERS, LISTING_ACTIONS, type RequestFacts } from '../policy/index.ts';
import type { Caller, S3Request } from '../request.ts';
import { headerRequestDate, parseAmzDate } from './signature-common.ts';

export type AccessRequest = Pick<
  S3Request,
  'method' | 'headers' | 'effectiveHeaders' | 'query' | 'rawQueryString' | 'sourceIp'
> & {
  bucket: string;
  caller: Caller;
};

const dateOf = (epochMs: number | undefined): Date | undefined =>
  epochMs === undefined ? undefined : new Date(epochMs);

/** SigV4's `20250101T000000Z`. */
const amzDate = (value: string | undefined): Date | undefined =>
  dateOf(value === undefined ? undefined : parseAmzDate(value));

const queryValue = (request: AccessRequest, name: string): string | undefined =>
  request.query.find(([key]) => key === name)?.[1];

/**
 * S3's s3:signatureversion and s3:authType: `AWS4-HMAC-SHA256` or `AWS` (Signature Version 2 — and
 * OBS's signature, the same HMAC-SHA1 construction under another prefix, so a policy refusing SigV2
 * refuses it too); `REST-HEADER` or `REST-QUERY-STRING` (a presigned URL).
 */
function signatureOf(request: AccessRequest): RequestFacts['signature'] {
  const authorization = request.headers.authorization ?? '';
  if (authorization.startsWith('AWS4-HMAC-SHA256')) {
    return {
      version: 'AWS4-HMAC-SHA256',
      authType: 'REST-HEADER',
      // The time the signature check took: x-amz-date, else the Date header.
      signedAt: dateOf(headerRequestDate(request.headers)?.epochMs),
    };
  }
  if (authorization.startsWith('AWS ') || authorization.startsWith('OBS ')) {
    return { version: 'AWS', authType: 'REST-HEADER', signedAt: undefined };
  }
  if (queryValue(request, 'X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    return {
      version: 'AWS4-HMAC-SHA256',
      authType: 'REST-QUERY-STRING',
      signedAt: amzDate(queryValue(request, 'X-Amz-Date')),
    };
  }
  if (queryValue(request, 'Signature') !== undefined)
    return { version: 'AWS', authType: 'REST-QUERY-STRING', signedAt: undefined };
  return undefined;
}

/** PutBucketAcl's ACL headers as sent, under the prefix its signature's vendor uses (functions/put-bucket-acl.ts). */
function aclHeaders(request: AccessRequest): Record<string, string> {
  const prefix = requestHeaderPrefix(profile(), request);
  const found: Record<string, string> = {};
  for (const header of ACL_CONDITION_HEADERS) {
    const value = request.effectiveHeaders[`${prefix}${header}`];
    if (value !== undefined) found[header] = value;
  }
  return found;
}

export function requestFacts(
  request: AccessRequest,
  action: string,
  bucketOwner: string,
  now = new Date(),
): RequestFacts {
  const settings = config();
  return {
    action,
    listing: LISTING_ACTIONS.includes(action) && request.method === 'GET',
    callerAccount: request.caller.accountId,
    bucketOwner,
    sourceIp: request.sourceIp,
    // A deployment is reached only through API Gateway, which serves HTTPS only ("API Gateway doesn't
    // support unencrypted (HTTP) endpoints": API Gateway Developer Guide, "Data encryption in transit").
    // The local stack (DynamoDB Local behind it) is plain http. DYNAMODB_ENDPOINT is set only there.
    secureTransport: settings.dynamodbEndpoint === undefined,
    now,
    region: settings.region,
    userAgent: request.headers['user-agent'],
    referer: request.headers.referer,
    signature: signatureOf(request),
    contentSha256: request.effectiveHeaders['x-amz-content-sha256'],
    aclHeaders: action === 's3:PutBucketAcl' ? aclHeaders(request) : undefined,
    // API Gateway's event does not report the TLS version: the key is absent.
    tlsVersion: undefined,
    query: request.query,
  };
}
