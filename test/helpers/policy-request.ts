// Requests as a bucket policy sees them, built the one way the service builds them
// (lib/policy/context.ts requestContext), for the unit and property tests of the policy package.
import { type PolicyRequest, type RequestFacts, requestContext } from '../../lib/policy/index.ts';

export const POLICY_BUCKET = 'amzn-s3-demo-bucket';
export const BUCKET_ARN = `arn:aws:s3:::${POLICY_BUCKET}`;
export const OWNER_ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';

/** What a SigV4-signed request over TLS from another account carries, unless overridden. */
export function requestFactsOf(overrides: Partial<RequestFacts> = {}): RequestFacts {
  const now = overrides.now ?? new Date('2026-06-01T12:00:00Z');
  return {
    action: 's3:GetEncryptionConfiguration',
    listing: false,
    callerAccount: OTHER_ACCOUNT,
    bucketOwner: OWNER_ACCOUNT,
    sourceIp: '10.1.2.3',
    secureTransport: true,
    now,
    region: 'us-east-1',
    userAgent: 'aws-cli/2.15.0',
    referer: undefined,
    signature: {
      version: 'AWS4-HMAC-SHA256',
      authType: 'REST-HEADER',
      signedAt: new Date(now.getTime() - 1500),
    },
    contentSha256: 'UNSIGNED-PAYLOAD',
    tlsVersion: undefined,
    query: [],
    ...overrides,
  };
}

/** The evaluation request for these facts, on the test bucket. */
export function policyRequest(overrides: Partial<RequestFacts> = {}): PolicyRequest {
  const facts = requestFactsOf(overrides);
  return {
    action: facts.action,
    resource: BUCKET_ARN,
    principalAccount: facts.callerAccount,
    context: requestContext(facts),
  };
}
