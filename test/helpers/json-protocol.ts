// What the in-test AWS endpoints (kms-endpoint.ts, eventbridge-endpoint.ts, sqs-endpoint.ts) share: a
// node:http server on 127.0.0.1 and a free port speaking AWS's JSON protocol (1.1, or 1.0 for DynamoDB
// and SQS) as the SDK's clients speak it — a signed
// `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body — answering what the service's
// `serve` returns, or AWS's JSON error (`__type`, `message`) for anything else, so a client bug shows
// as the error AWS would return.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error answer: the HTTP status and the JSON 1.1 error type (`NotFoundException`…). */
export class JsonProtocolError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message = '') {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export interface JsonProtocolService {
  /** The `X-Amz-Target` prefix: `TrentService` (KMS), `AWSEvents` (EventBridge), `AmazonSQS`, `DynamoDB_20120810`. */
  targetPrefix: string;
  /** The protocol's version, in its content type `application/x-amz-json-<version>`: 1.1 unless said. */
  jsonVersion?: '1.0' | '1.1';
  /** Called before the body is read as JSON: a whole-call failure a test injected, if any. */
  intercept?(operation: string): JsonProtocolError | undefined;
  /** The operation's output, or a thrown JsonProtocolError. */
  serve(operation: string, input: Record<string, unknown>): Record<string, unknown>;
}

export interface JsonProtocolServer {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_<SERVICE> or a client's `endpoint`. */
  url: string;
  /** Operations called, in order, a refused or failed call included. */
  calls: string[];
  stop(): Promise<void>;
}

function reply(
  response: http.ServerResponse,
  contentType: string,
  status: number,
  body: Record<string, unknown>,
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify(body));
}

function answer(
  service: JsonProtocolService,
  operation: string,
  body: Buffer,
): [number, Record<string, unknown>] {
  try {
    const early = service.intercept?.(operation);
    if (early) throw early;
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      throw new JsonProtocolError(400, 'SerializationException', 'body is not JSON');
    }
    return [200, service.serve(operation, input)];
  } catch (error) {
    if (!(error instanceof JsonProtocolError)) throw error;
    return [error.status, { __type: error.type, message: error.message }];
  }
}

export async function startJsonProtocolServer(service: JsonProtocolService): Promise<JsonProtocolServer> {
  const calls: string[] = [];
  const prefix = `${service.targetPrefix}.`;
  const version = service.jsonVersion ?? '1.1';
  const contentType = `application/x-amz-json-${version}`;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(prefix) ? target.slice(prefix.length) : target;
      calls.push(operation);
      if (
        request.method !== 'POST' ||
        !target.startsWith(prefix) ||
        request.headers['content-type'] !== contentType ||
        !String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')
      ) {
        reply(response, contentType, 400, {
          __type: 'UnrecognizedClientException',
          message: `not a signed ${service.targetPrefix} JSON ${version} request`,
        });
        return;
      }
      const [status, body] = answer(service, operation, Buffer.concat(chunks));
      reply(response, contentType, status, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
