// A Lambda Runtime API test double: the HTTP interface a Lambda sandbox offers its runtime, as AWS
// documents it ("Using the Lambda runtime API for custom runtimes", API version 2018-06-01):
//   GET  /2018-06-01/runtime/invocation/next            the next event (long poll), with the
//        Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id headers
//   POST /2018-06-01/runtime/invocation/{id}/response   the handler's result
//   POST /2018-06-01/runtime/invocation/{id}/error      the handler's error (errorType, errorMessage)
//   POST /2018-06-01/runtime/init/error                 the runtime could not load the handler
// One double per runtime process, as one Lambda sandbox serves one runtime, one invocation at a time.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RuntimeError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type Outcome = { kind: 'response'; payload: unknown } | ({ kind: 'error' } & RuntimeError);

interface Invocation {
  id: string;
  event: unknown;
  deadlineMs: number;
  settle(outcome: Outcome): void;
  fail(error: Error): void;
}

const PREFIX = '/2018-06-01/runtime';

export class RuntimeApi {
  private readonly server: http.Server;
  private readonly queue: Invocation[] = [];
  private readonly inFlight = new Map<string, Invocation>();
  private waiting: http.ServerResponse | undefined;
  /** Set when the runtime posted to /init/error. */
  initError: RuntimeError | undefined;
  private failure: Error | undefined;

  private readonly functionArn: string;

  private constructor(functionArn: string) {
    this.functionArn = functionArn;
    this.server = http.createServer((request, response) => this.route(request, response));
  }

  static async start(functionArn: string): Promise<RuntimeApi> {
    const api = new RuntimeApi(functionArn);
    api.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => api.server.once('listening', resolve));
    return api;
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Hands the runtime an event and waits for its response or error. */
  invoke(event: unknown, timeoutMs: number): Promise<Outcome> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const invocation: Invocation = {
        id: randomUUID(),
        event,
        deadlineMs: Date.now() + timeoutMs,
        settle: (outcome) => {
          clearTimeout(timer);
          this.inFlight.delete(invocation.id);
          resolve(outcome);
        },
        fail: (error) => {
          clearTimeout(timer);
          this.inFlight.delete(invocation.id);
          reject(error);
        },
      };
      // Lambda ends an invocation at its timeout whatever the runtime does.
      const timer = setTimeout(
        () => invocation.fail(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)),
        timeoutMs + 1_000,
      );
      this.queue.push(invocation);
      this.deliver();
    });
  }

  /** Fails every pending and later invocation (the runtime exited or posted an init error). */
  failAll(error: Error): void {
    this.failure ??= error;
    for (const invocation of [...this.queue, ...this.inFlight.values()]) invocation.fail(error);
    this.queue.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private deliver(): void {
    const response = this.waiting;
    const invocation = this.queue.shift();
    if (!response || !invocation) {
      if (invocation) this.queue.unshift(invocation);
      return;
    }
    this.waiting = undefined;
    this.inFlight.set(invocation.id, invocation);
    response.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': invocation.id,
      'lambda-runtime-deadline-ms': String(invocation.deadlineMs),
      'lambda-runtime-invoked-function-arn': this.functionArn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${invocation.id.replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    response.end(JSON.stringify(invocation.event));
  }

  private route(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      const body = Buffer.concat(chunks).toString('utf8');
      const accepted = () => {
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end('{"status":"OK"}');
      };
      if (request.method === 'GET' && path === `${PREFIX}/invocation/next`) {
        this.waiting = response;
        this.deliver();
        return;
      }
      if (request.method === 'POST' && path === `${PREFIX}/init/error`) {
        this.initError = parseError(body, request.headers);
        accepted();
        this.failAll(new Error(`init error ${this.initError.errorType}: ${this.initError.errorMessage}`));
        return;
      }
      const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
      const invocation = match?.[1] ? this.inFlight.get(decodeURIComponent(match[1])) : undefined;
      if (request.method === 'POST' && match && invocation) {
        accepted();
        invocation.settle(
          match[2] === 'response'
            ? { kind: 'response', payload: body === '' ? null : JSON.parse(body) }
            : { kind: 'error', ...parseError(body, request.headers) },
        );
        return;
      }
      // What the Runtime API answers for an unknown request id or path.
      response.writeHead(match ? 400 : 404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          errorMessage: `unexpected ${request.method} ${path}`,
          errorType: 'InvalidRequestID',
        }),
      );
    });
  }
}

function parseError(body: string, headers: http.IncomingHttpHeaders): RuntimeError {
  try {
    const parsed = JSON.parse(body) as Partial<RuntimeError>;
    return {
      errorType: parsed.errorType ?? String(headers['lambda-runtime-function-error-type'] ?? 'Unknown'),
      errorMessage: parsed.errorMessage ?? body,
      ...(parsed.stackTrace ? { stackTrace: parsed.stackTrace } : {}),
    };
  } catch {
    return {
      errorType: String(headers['lambda-runtime-function-error-type'] ?? 'Unknown'),
      errorMessage: body,
    };
  }
}
