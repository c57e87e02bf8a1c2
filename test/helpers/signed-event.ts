// API Gateway v2 events for in-process invocation, signed by the AWS SDK's own SigV4 signer
// (signer.ts), shaped as real clients send them, and delivered as API Gateway delivers them
// (gateway-event.ts: text or base64 body, decoded rawPath, cookies, joined and added headers).
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { computeContentMd5 } from '../../lib/integrity.ts';
import { gatewayEvent } from './gateway-event.ts';
import { OWNER } from './identities.ts';
import { sha256Hex, signerQuery, signV4 } from './signer.ts';

export interface RequestShape {
  method: string;
  /** Path as sent, e.g. `/b1` or `/b1/`. */
  path: string;
  /** Query as sent, e.g. `encryption` or `encryption=`. */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  host?: string;
  identity?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  /** Signing time (default now). */
  date?: Date;
  /** Skip signing (anonymous). */
  unsigned?: boolean;
}

export const md5 = (body: string | Buffer) => computeContentMd5(Buffer.from(body));

export async function signedEvent(shape: RequestShape): Promise<APIGatewayProxyEventV2> {
  const host = shape.host ?? 'localhost:3000';
  const body =
    shape.body === undefined ? undefined : Buffer.isBuffer(shape.body) ? shape.body : Buffer.from(shape.body);
  const headers: Record<string, string> = {
    host,
    'x-amz-content-sha256': sha256Hex(body ?? ''),
    ...shape.headers,
  };
  if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  const rawQueryString = shape.query ?? '';
  const wire = shape.unsigned
    ? { headers }
    : await signV4({
        method: shape.method,
        host,
        path: shape.path,
        query: signerQuery(rawQueryString),
        rawQueryString,
        headers,
        ...(body ? { body } : {}),
        credentials: shape.identity ?? OWNER,
        region: shape.region ?? 'us-east-1',
        signingDate: shape.date ?? new Date(),
      });
  // Through the one payload 2.0 builder: the event API Gateway would send for this request.
  return gatewayEvent(
    {
      method: shape.method,
      path: shape.path,
      rawQueryString,
      headers: wire.headers,
      body: body ?? Buffer.alloc(0),
    },
    { time: shape.date ?? new Date() },
  );
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
    memoryLimitInMB: '512',
    awsRequestId: 'test-request',
    logGroupName: 'test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 6_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
