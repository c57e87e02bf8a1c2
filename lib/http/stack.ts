// The one middy stack every Lambda uses, one job per middleware (docs/architecture.md "The middy stack"):
//   1. injectLambdaContext (Powertools)  logger context per invocation; keys reset after it
//   2. requestIds                        S3 request and host ids, the request's dialect; every response
//                                        header named in that dialect
//   3. accessLog                         one log line per request, success or error
//   4. requestMetrics                    Requests and Latency by operation and outcome, cold starts: one
//                                        EMF line per request (lib/metrics.ts; off locally)
//   5. s3ErrorHandler                    any error → S3's XML error document (the only place one is built)
//   6. requestDeadline                   the time by which storage calls must end (lib/request.ts)
//   7. tracing                           X-Ray subsegment, only with TRACING=true (lib/tracing.ts)
//   8. decodeRequest                     API Gateway event → S3Request, once (lib/http/addressing.ts)
// then the handler: dispatch to the operation (lib/http/dispatch.ts) and encode its S3Response.
// middy runs `before` in that order and `after`/`onError` in reverse, so the error handler answers
// before the access line is written and the ids are added. Handlers and lib code throw S3Errors; they
// never build error bodies. Anything that is not an S3Error becomes a generic 500 InternalError, its
// detail only in the logs.
import { randomFillSync } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { config, profile } from '../config.ts';
import { type RequestDialect, requestDialect, responseHeaderName } from '../encryption/profiles.ts';
import { isS3Error, S3Error } from '../errors.ts';
import { logger } from '../log.ts';
import { containerMetrics, type MetricsEmitter, outcomeClass } from '../metrics.ts';
import { enterDeadline, type S3Request } from '../request.ts';
import { containerStorage } from '../storage/container.ts';
import { startTrace, type Trace } from '../tracing.ts';
import { xmlDocument } from '../xml/write.ts';
import { decodeEvent } from './addressing.ts';
import { dispatch, type OperationTable } from './dispatch.ts';
import type { S3Response } from './response.ts';

type GatewayResult = APIGatewayProxyStructuredResultV2;

// Two parameters, never three: Node.js 24's Lambda runtime refuses a non-streaming handler whose
// `length` is 3 or more (callback style) at init with Runtime.CallbackHandlerDeprecated, so every
// request would fail. test/unit/http/handler-signature.test.ts and the runtime tests keep it so.
export type GatewayHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<GatewayResult>;

interface Ids {
  requestId: string;
  hostId: string;
}

/** What the stack's middlewares learn about one invocation, for the later ones and the handler. */
interface Invocation {
  ids: Ids;
  dialect: RequestDialect;
  startedAt: number;
  /** The invocation's X-Ray subsegment, when tracing is on. */
  trace?: Trace | undefined;
  /** Set by decodeRequest; absent when the event did not decode. */
  request?: S3Request;
  /** The container's metrics (requestMetrics): imported by the first request while it runs. */
  metrics?: Promise<MetricsEmitter | null>;
}

/** The Lambda context, carrying the invocation's state (set by requestIds, completed by decodeRequest). */
type S3Context = Context & { s3?: Invocation };

type S3Middleware = MiddlewareObj<APIGatewayProxyEventV2, GatewayResult, Error, S3Context>;

// Random bytes for the ids, drawn from a pool refilled 4 KiB at a time: one call into the CSPRNG per
// 128 requests instead of two per request (they were 10% of the stack's own time per request).
const randomPool = Buffer.allocUnsafe(4096);
let randomOffset = randomPool.length;
function randomSlice(bytes: number): Buffer {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.subarray(randomOffset - bytes, randomOffset);
}

// AWS's request ids: 16 upper-case hex characters, and a longer opaque host id.
const newIds = (): Ids => ({
  requestId: randomSlice(8).toString('hex').toUpperCase(),
  hostId: randomSlice(24).toString('base64'),
});

/** The dialect of the raw event, before anything is decoded or verified. */
function eventDialect(event: APIGatewayProxyEventV2): RequestDialect {
  const headers = event.headers ?? {};
  return requestDialect(headers.authorization ?? headers.Authorization ?? '', event.rawQueryString ?? '');
}

/** The response headers, request ids added, each named in the request's dialect (profile data). */
function responseHeaders(headers: GatewayResult['headers'], ids: Ids, dialect: RequestDialect) {
  const answering = profile();
  const named: Record<string, string | number | boolean> = {};
  const all = { ...headers, 'x-amz-request-id': ids.requestId, 'x-amz-id-2': ids.hostId };
  for (const [name, value] of Object.entries(all))
    named[responseHeaderName(answering, dialect, name)] = value;
  return named;
}

/** An S3Response in API Gateway's shape; HEAD answers carry no body. */
const gatewayResult = (response: S3Response, method: string): GatewayResult => ({
  statusCode: response.statusCode,
  headers: { ...response.headers },
  body: method === 'HEAD' ? '' : (response.body ?? ''),
  isBase64Encoded: false,
});

/** The S3 `<Error>` document for an error, with the request's resource and ids. */
export function errorResponse(
  error: S3Error,
  request: Pick<S3Request, 'resource' | 'method'>,
  ids: Ids,
): S3Response {
  // No body, and the Content-Type the GET's XML would have, as S3 answers a HEAD.
  if (request.method === 'HEAD')
    return { statusCode: error.statusCode, headers: { 'content-type': 'application/xml', ...error.headers } };
  // The error document echoes the request (bucket name, key id, canonical request): the writer
  // replaces characters XML forbids, so the document always parses.
  const body = xmlDocument('Error', {
    Code: error.code,
    Message: error.publicMessage,
    ...error.fields,
    Resource: request.resource,
    RequestId: ids.requestId,
    HostId: ids.hostId,
  });
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': 'application/xml', ...error.headers },
    body,
  };
}

/** The invocation's state; a stack whose requestIds did not run still answers with fresh ids. */
function invocationOf(request: { event: APIGatewayProxyEventV2; context: S3Context }): Invocation {
  request.context.s3 ??= {
    ids: newIds(),
    dialect: eventDialect(request.event),
    startedAt: performance.now(),
  };
  return request.context.s3;
}

const requestIds = (): S3Middleware => {
  const nameHeaders = (request: {
    event: APIGatewayProxyEventV2;
    context: S3Context;
    response?: GatewayResult | null;
  }) => {
    const { ids, dialect } = invocationOf(request);
    if (request.response) request.response.headers = responseHeaders(request.response.headers, ids, dialect);
  };
  return {
    before(request) {
      // Every line logged for this invocation names its S3 request id.
      logger.appendKeys({ s3RequestId: invocationOf(request).ids.requestId });
    },
    after: nameHeaders,
    onError: nameHeaders,
  };
};

// One access-log line per request: never the query string (presigned signatures), headers or body.
const accessLog = (): S3Middleware => {
  const line = (request: {
    event: APIGatewayProxyEventV2;
    context: S3Context;
    response?: GatewayResult | null;
    error?: Error | null;
  }) => {
    const { request: s3Request, startedAt } = invocationOf(request);
    const error = request.error;
    logger.info('request', {
      method: s3Request?.method ?? request.event.requestContext?.http?.method,
      bucket: s3Request?.bucket,
      subresource: s3Request?.subresource,
      accessKeyId: s3Request?.caller?.accessKeyId,
      status: request.response?.statusCode ?? 0,
      code: error ? (isS3Error(error) ? error.code : 'InternalError') : undefined,
      durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
    });
  };
  return { after: line, onError: line };
};

/** A refusal's reason for the DEBUG log: the detail kept in its cause, else the message the client got. */
function refusalReason(error: S3Error): string {
  const { cause } = error;
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return error.message;
}

// After the error handler has answered: the answer's class and the time it took, by operation
// ('Unrouted' when no operation was chosen: the event did not decode, or named none we serve).
// Powertools Metrics is imported when the container's first request starts (lib/metrics.ts), while that
// request reads its key and bucket; the ColdStart line is written as soon as it is there, the request's
// line at the end, as before.
const requestMetrics = (): S3Middleware => {
  const record = async (request: {
    event: APIGatewayProxyEventV2;
    context: S3Context;
    response?: GatewayResult | null;
    error?: Error | null;
  }) => {
    const invocation = invocationOf(request);
    const { request: s3Request, startedAt, trace } = invocation;
    const error = request.error;
    const status = request.response?.statusCode ?? 0;
    const outcome = outcomeClass(
      status,
      error ? (isS3Error(error) ? error.code : 'InternalError') : undefined,
    );
    const latencyMs = Math.round((performance.now() - startedAt) * 100) / 100;
    const emitter = await (invocation.metrics ?? containerMetrics());
    emitter?.recordRequest(s3Request?.operation ?? 'Unrouted', outcome, latencyMs);
    emitter?.publish();
    trace?.end(outcome === '5xx' ? error : undefined);
  };
  return {
    before(request) {
      const metrics = containerMetrics();
      invocationOf(request).metrics = metrics;
      // Settled before record's await resumes (reactions run in order): the ColdStart line comes first.
      void metrics
        .then((emitter) => emitter?.recordColdStart(request.context.functionName))
        .catch((error: unknown) => logger.error('ColdStart metric not written', { error }));
    },
    after: record,
    onError: record,
  };
};

const s3ErrorHandler = (): S3Middleware => ({
  onError(request) {
    const { ids, request: s3Request } = invocationOf(request);
    const error = request.error;
    const s3Error = isS3Error(error) ? error : new S3Error('InternalError', { cause: error });
    // 501 NotImplemented answers what the client asked for (an operation this service does not offer):
    // not a failure of ours, so it is no ERROR (alarms on ERROR lines would fire on every such client).
    if (s3Error.statusCode >= 500 && s3Error.code !== 'NotImplemented') {
      logger.error('request failed', { code: s3Error.code, error: s3Error.cause ?? error });
    } else {
      // Why a request was refused, for whoever runs the service at LOG_LEVEL=DEBUG: the detail the error
      // keeps from its client (a MalformedXML's cause says which rule; the client gets AWS's fixed message).
      logger.debug('request refused', { code: s3Error.code, reason: refusalReason(s3Error) });
    }
    // A request that failed to decode has only the event: the error is about the service (`/`).
    const answered = s3Request ?? {
      resource: '/',
      method: request.event.requestContext?.http?.method?.toUpperCase() ?? 'GET',
    };
    request.response = gatewayResult(errorResponse(s3Error, answered, ids), answered.method);
  },
});

/** Time kept back from the Lambda's remaining time to send the response (and its log line). */
export const RESPONSE_MARGIN_MS = 250;

// Storage calls end before the Lambda does, so that even a DynamoDB outage is answered in S3 XML (503)
// rather than by API Gateway's own non-S3 error when the function times out. A context without a
// clock (tests invoking in-process) sets none.
const requestDeadline = (): S3Middleware => ({
  before({ context }) {
    enterDeadline(
      typeof context.getRemainingTimeInMillis === 'function'
        ? Date.now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS
        : undefined,
    );
  },
});

const tracing = (): S3Middleware => ({
  async before(request) {
    invocationOf(request).trace = await startTrace('handler', () => [containerStorage().client]);
  },
});

const decodeRequest = (): S3Middleware => ({
  before(request) {
    const invocation = invocationOf(request);
    invocation.request = decodeEvent(request.event, invocation.ids.requestId, config().baseDomain);
  },
});

/** A Lambda handler serving the given operations through the shared stack. */
export function s3Lambda(operations: OperationTable): GatewayHandler {
  const handler = middy<APIGatewayProxyEventV2, GatewayResult, Error, S3Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(requestIds())
    .use(accessLog())
    .use(requestMetrics())
    .use(s3ErrorHandler())
    .use(requestDeadline())
    .use(tracing())
    .use(decodeRequest())
    .handler(async (_event, context) => {
      const request = context.s3?.request;
      // decodeRequest ran, or the handler would not have been reached.
      if (!request) throw new S3Error('InternalError');
      return gatewayResult(await dispatch(request, operations), request.method);
    });
  return async (event, context) => {
    // Each invocation in an async context of its own: the deadline requestDeadline enters then stays
    // with this invocation and never reaches the caller (a test, or the runtime's loop).
    await undefined;
    return handler(event, context);
  };
}
