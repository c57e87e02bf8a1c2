// The one middy stack every Lambda uses. One middleware owns the S3 protocol: it decodes the API
// Gateway event into an S3Request before the handler, encodes the S3Response after it, and — as
// the only error handler — turns any thrown error into S3's XML error document. Handlers and lib
// code throw S3Errors; they never build error bodies. Anything that is not an S3Error becomes a
// generic 500 InternalError, its detail only in the logs.
import { randomFillSync } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { config } from '../config.ts';
import { withDeadline } from '../deadline.ts';
import { getProfile, type RequestDialect, responseHeaderName } from '../encryption/profiles.ts';
import { isS3Error, S3Error } from '../errors.ts';
import { logger } from '../log.ts';
import type { S3Request } from '../request.ts';
import { xmlDocument } from '../xml/write.ts';
import { decodeEvent } from './addressing.ts';
import { dispatch, type OperationTable } from './dispatch.ts';
import type { S3Response } from './response.ts';

// Two parameters, never three: Node.js 24's Lambda runtime refuses a non-streaming handler whose
// `length` is 3 or more (callback style) at init with Runtime.CallbackHandlerDeprecated, so every
// request would fail. test/unit/handler-signature.test.ts and the runtime tests keep it so.
export type GatewayHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

interface Ids {
  requestId: string;
  hostId: string;
}

type Internal = { ids: Ids; startedAt: number; dialect: RequestDialect };

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

/**
 * The vendor whose signature the request presents, read from the raw event before anything is
 * verified: a request that fails authentication is still answered in the dialect its client reads.
 */
function requestDialect(event: APIGatewayProxyEventV2): RequestDialect {
  const headers = event.headers ?? {};
  const authorization = headers.authorization ?? headers.Authorization ?? '';
  if (authorization.startsWith('OBS ')) return 'obs';
  if (authorization !== '') return 'aws';
  const query = event.rawQueryString ?? '';
  if (/(?:^|&)(?:X-Amz-Algorithm|AWSAccessKeyId)=/.test(query)) return 'aws';
  if (/(?:^|&)AccessKeyId=/.test(query)) return 'obs';
  return 'none';
}

/** The response headers, request ids added, each named in the request's dialect (profile data). */
function responseHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  ids: Ids,
  dialect: RequestDialect,
): Record<string, string> {
  const profile = getProfile(config().profile);
  const named: Record<string, string> = {};
  const all = { ...headers, 'x-amz-request-id': ids.requestId, 'x-amz-id-2': ids.hostId };
  for (const [name, value] of Object.entries(all)) named[responseHeaderName(profile, dialect, name)] = value;
  return named;
}

function toResult(
  response: S3Response,
  ids: Ids,
  method: string,
  dialect: RequestDialect,
): APIGatewayProxyStructuredResultV2 {
  const body = method === 'HEAD' ? '' : (response.body ?? '');
  return {
    statusCode: response.statusCode,
    headers: responseHeaders(response.headers, ids, dialect),
    body,
    isBase64Encoded: false,
  };
}

/** The S3 `<Error>` document for an error, with the request's resource and ids. */
export function errorResponse(
  error: S3Error,
  request: Pick<S3Request, 'resource' | 'method'>,
  ids: Ids,
): S3Response {
  if (request.method === 'HEAD') return { statusCode: error.statusCode, headers: { ...error.headers } };
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

const s3Protocol = (): MiddlewareObj<S3Request, S3Response, Error, Context, Internal> => ({
  name: 's3Protocol',
  before(request) {
    request.internal.startedAt = performance.now();
    // Every line logged for this invocation names its Lambda request and S3 request ids.
    logger.addContext(request.context);
    request.internal.ids = newIds();
    logger.appendKeys({ s3RequestId: request.internal.ids.requestId });
    const event = request.event as unknown as APIGatewayProxyEventV2;
    request.internal.dialect = requestDialect(event);
    request.event = decodeEvent(event, request.internal.ids.requestId, config().baseDomain);
  },
  after(request) {
    const s3Request = request.event;
    logger.info('request', access(s3Request, request.response?.statusCode ?? 0, request.internal.startedAt));
    request.response = toResult(
      request.response ?? { statusCode: 204 },
      request.internal.ids,
      s3Request.method,
      request.internal.dialect,
    ) as never;
    logger.resetKeys();
  },
  onError(request) {
    const ids = request.internal.ids ?? newIds();
    const error = request.error;
    const s3Error = isS3Error(error) ? error : new S3Error('InternalError', { cause: error });
    // A request that failed to decode is still the raw event.
    const s3Request: Pick<S3Request, 'resource' | 'method'> =
      'resource' in request.event
        ? request.event
        : {
            resource: '/',
            method:
              (request.event as unknown as APIGatewayProxyEventV2).requestContext?.http?.method ?? 'GET',
          };
    // 501 NotImplemented answers what the client asked for (an operation this service does not offer):
    // not a failure of ours, so it is no ERROR (alarms on ERROR lines would fire on every such client).
    if (s3Error.statusCode >= 500 && s3Error.code !== 'NotImplemented') {
      logger.error('request failed', { code: s3Error.code, error: s3Error.cause ?? error });
    }
    logger.info('request', access(s3Request, s3Error.statusCode, request.internal.startedAt, s3Error.code));
    const dialect =
      request.internal.dialect ?? requestDialect(request.event as unknown as APIGatewayProxyEventV2);
    request.response = toResult(
      errorResponse(s3Error, s3Request, ids),
      ids,
      s3Request.method,
      dialect,
    ) as never;
    logger.resetKeys();
  },
});

// One access-log line per request: never the query string (presigned signatures), headers or body.
function access(request: Partial<S3Request>, status: number, startedAt: number | undefined, code?: string) {
  return {
    method: request.method,
    bucket: request.bucket,
    subresource: request.subresource,
    accessKeyId: request.caller?.accessKeyId,
    status,
    code,
    durationMs: startedAt === undefined ? undefined : Math.round((performance.now() - startedAt) * 100) / 100,
  };
}

/** Time kept back from the Lambda's remaining time to send the response (and its log line). */
const RESPONSE_MARGIN_MS = 250;

/** A Lambda handler serving the given operations through the shared stack. */
export function s3Lambda(operations: OperationTable): GatewayHandler {
  const handler = middy<S3Request, S3Response, Error, Context, Internal>()
    .use(s3Protocol())
    .handler((request) => dispatch(request, operations)) as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  // Storage calls end before the Lambda does, so that even a DynamoDB outage is answered in S3 XML
  // (503) rather than by API Gateway's own non-S3 error when the function times out.
  return async (event, context) => {
    if (typeof context?.getRemainingTimeInMillis !== 'function') return handler(event, context);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS;
    return withDeadline(deadline, () => handler(event, context));
  };
}
