// A fault-injecting HTTP proxy in front of DynamoDB Local, on 127.0.0.1 and a free port: the real
// SDK client talks to it over real sockets, and the proxy decides, per mode, what DynamoDB does.
//   pass      forward every request to DynamoDB Local
//   refuse    close every connection as soon as it is accepted (the client sees a reset)
//   blackhole accept and read the request, never answer
//   slow      forward after `delayMs` (nothing is forwarded if the client gave up first)
//   throttle  answer 400 ThrottlingException, as DynamoDB does, without forwarding
//   error     answer 500 InternalServerError, as DynamoDB does, without forwarding
//   flaky     blackhole every attempt but the SDK's last (its `amz-sdk-request: attempt=n; max=m`),
//             which is forwarded: every call succeeds, as late as its retries allow
//   lost-answer forward every attempt, but answer only the SDK's last: DynamoDB applies each attempt,
//             the client hears of the last one only (a write applied, its answer lost, retried)
// Switching mode closes every open connection, so pooled keep-alive sockets see the new mode too.
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'blackhole' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'throttle' }
  | { kind: 'error' }
  /** A 502 with an HTML body, as an overloaded server or a proxy in front of DynamoDB answers: no DynamoDB error name. */
  | { kind: 'gateway-error' }
  | { kind: 'flaky' }
  | { kind: 'lost-answer' };

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the DynamoDB client. */
  endpoint: string;
  setMode(mode: FaultMode): void;
  /** Requests that reached the proxy, and those it forwarded to DynamoDB Local, since the last reset. */
  counts(): { received: number; forwarded: number };
  resetCounts(): void;
  close(): Promise<void>;
}

const DYNAMODB_ERROR_TYPE = 'com.amazonaws.dynamodb.v20120810#';

function dynamoError(response: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `${DYNAMODB_ERROR_TYPE}${type}`, message });
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': 'FAULTPROXY',
  });
  response.end(body);
}

/** Whether this is the SDK's last attempt of a call (its `amz-sdk-request: attempt=n; max=m`). */
function isLastAttempt(incoming: IncomingMessage): boolean {
  const attempt = /attempt=(\d+); max=(\d+)/.exec(String(incoming.headers['amz-sdk-request'] ?? ''));
  return attempt !== null && attempt[1] === attempt[2];
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let mode: FaultMode = { kind: 'pass' };
  let received = 0;
  let forwarded = 0;
  const sockets = new Set<Socket>();

  function pass(incoming: IncomingMessage, response: ServerResponse, body: Buffer, answer = true): void {
    if (incoming.socket.destroyed) return;
    forwarded++;
    const upstreamRequest = forward(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (upstreamResponse) => {
        if (!answer) return void upstreamResponse.resume();
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstreamRequest.on('error', () => response.socket?.destroy());
    upstreamRequest.end(body);
  }

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      received++;
      const body = Buffer.concat(chunks);
      switch (mode.kind) {
        case 'pass':
          return pass(incoming, response, body);
        case 'slow':
          setTimeout(() => pass(incoming, response, body), mode.delayMs);
          return;
        case 'throttle':
          return dynamoError(
            response,
            400,
            'ThrottlingException',
            'Rate of requests exceeds the allowed throughput.',
          );
        case 'error':
          return dynamoError(response, 500, 'InternalServerError', 'Internal server error');
        case 'gateway-error':
          response.writeHead(502, { 'content-type': 'text/html' });
          response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
          return;
        case 'flaky':
          if (isLastAttempt(incoming)) pass(incoming, response, body);
          return;
        case 'lost-answer':
          return pass(incoming, response, body, isLastAttempt(incoming));
        case 'blackhole':
        case 'refuse':
          return; // never answered (refuse closes the connection before a request arrives)
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    if (mode.kind === 'refuse') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setMode(next) {
      mode = next;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    counts: () => ({ received, forwarded }),
    resetCounts() {
      received = 0;
      forwarded = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
