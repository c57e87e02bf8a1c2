// API Gateway v2 events for in-process invocation, signed by the AWS SDK's own SigV4 signer
// (@smithy/signature-v4), shaped as real clients send them, and delivered as API Gateway delivers them
// (gateway-event.ts: text or base64 body, decoded rawPath, cookies, joined and added headers).
import { createHash } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { gatewayEvent } from './gateway-event.ts';
import { OWNER } from './identities.ts';

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

export const md5 = (body: string | Buffer) => createHash('md5').update(body).digest('base64');

function parseQueryForSigner(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const part of query.split('&').filter(Boolean)) {
    const [name = '', value = ''] = part.split(/=(.*)/s);
    const key = decodeURIComponent(name);
    const decoded = decodeURIComponent(value);
    const existing = result[key];
    result[key] =
      existing === undefined
        ? decoded
        : Array.isArray(existing)
          ? [...existing, decoded]
          : [existing, decoded];
  }
  return result;
}

export async function signedEvent(shape: RequestShape): Promise<APIGatewayProxyEventV2> {
  const host = shape.host ?? 'localhost:3000';
  const body =
    shape.body === undefined ? undefined : Buffer.isBuffer(shape.body) ? shape.body : Buffer.from(shape.body);
  const headers: Record<string, string> = {
    host,
    'x-amz-content-sha256': createHash('sha256')
      .update(body ?? '')
      .digest('hex'),
    ...shape.headers,
  };
  if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  let signedHeaders = headers;
  if (!shape.unsigned) {
    const identity = shape.identity ?? OWNER;
    const signer = new SignatureV4({
      service: 's3',
      region: shape.region ?? 'us-east-1',
      credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
      applyChecksum: false,
    });
    const request = new HttpRequest({
      method: shape.method,
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      port: Number(host.match(/:(\d+)$/)?.[1] ?? 80),
      path: shape.path,
      query: parseQueryForSigner(shape.query ?? ''),
      headers,
      body,
    });
    const signed = await signer.sign(request, { signingDate: shape.date ?? new Date() });
    signedHeaders = { ...(signed.headers as Record<string, string>) };
  }
  // Through the one payload 2.0 builder: the event API Gateway would send for this request.
  return gatewayEvent(
    {
      method: shape.method,
      path: shape.path,
      rawQueryString: shape.query ?? '',
      headers: signedHeaders,
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
