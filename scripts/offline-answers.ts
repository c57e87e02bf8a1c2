// Answers the local gateway gives itself, for requests API Gateway never hands to a Lambda, in S3's
// error format (the same document lib/http/stack.ts writes for the service's own errors). Loaded into
// serverless-offline's process by scripts/offline-preload.ts, which puts it where the patched
// HttpServer.js reads it (scripts/offline-patches.ts). Local only.
import { randomBytes } from 'node:crypto';
import { S3Error } from '../lib/errors.ts';
import { xmlDocument } from '../lib/xml/write.ts';

export interface LocalAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A request whose target and Host make no URL (`OPTIONS *`, `Host: localhost:abc`): 400 InvalidURI,
 * as S3 answers a URI it cannot read, with fresh request ids; `target` is the request-target as sent.
 */
export function unreadableUri(target: string): LocalAnswer {
  const error = new S3Error('InvalidURI');
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const hostId = randomBytes(24).toString('base64');
  return {
    status: error.statusCode,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId },
    body: xmlDocument('Error', {
      Code: error.code,
      Message: error.publicMessage,
      Resource: target,
      RequestId: requestId,
      HostId: hostId,
    }),
  };
}
