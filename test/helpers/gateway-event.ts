// The one builder of API Gateway HTTP API events (payload format 2.0) for tests: an HTTP request as a
// client put it on the wire in, the event API Gateway hands the Lambda out. In-process tests
// (signed-event.ts, test/unit/auth/helpers.ts) and the runtime tests (test/runtime/) all use it, so
// the service is tested under the event production sends, not a friendlier one. Each rule and its source:
//
// [payload]  AWS, "Create AWS Lambda proxy integrations for HTTP APIs in API Gateway", payload format 2.0
//            https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
//            - header names lower-cased ("All headernames are lowercased"); duplicate headers "combined with
//              commas and included in the headers field"; duplicate query strings combined with commas in
//              queryStringParameters; `rawQueryString` as sent;
//            - "All cookie headers in the request are combined with commas and added to the cookies field"
//              (and are not in `headers`);
//            - `rawPath` "won't provide the API mapping value" of a custom domain (serverless.yml maps with
//              an empty key for that reason);
//            - `body` base64-encoded "if the content type of the request is binary", `isBase64Encoded` true then;
//            - requestContext: accountId, apiId, domainName, domainPrefix, http {method, path, protocol,
//              sourceIp, userAgent}, requestId, routeKey, stage, time, timeEpoch.
// [text]     Which content types are text, verified against AWS (the documentation does not list them):
//            ministackorg/ministack pull request 766 — text/*, application/json, application/xml,
//            application/javascript arrive as UTF-8 strings; everything else (no Content-Type,
//            application/octet-stream, application/x-www-form-urlencoded…) base64.
// [encoding] No source says how Content-Encoding changes this. Compressed bytes are not text, so a body
//            with a Content-Encoding other than `identity` is built as binary (base64); the service's
//            answer does not depend on the choice (it reads base64 and text alike).
// [utf8]     A text body that is not valid UTF-8 cannot survive a JSON string: it is decoded with
//            replacement characters (U+FFFD), as a UTF-8 decoder that does not fail does. The bytes the
//            client sent are lost; the service answers 400 (docs/behaviour.md "Request bodies").
// [rawPath]  Percent-decoded, as live captures show (hotsock/voker, vokerhttp/testdata/ingress-paths.json
//            and apigwv2-request.json; middleapi/standard-server pull request 93): `/capture/space%20value`
//            arrives as `/capture/space value`, `%2F` as `/`; `requestContext.http.path` is the same.
//            A decoded `?` ends the path there; `%25` is refused by API Gateway itself (400, no Lambda).
// [added]    Headers API Gateway adds, from the same captures and floci-io/floci issue 2172's AWS event:
//            content-length (the body's length; 0 without one), x-forwarded-for (the source IP),
//            x-forwarded-port 443, x-forwarded-proto https, x-amzn-trace-id `Root=1-<8 hex>-<24 hex>`.
// [route]    routeKey is the matched route (`ANY /{bucket}`…), pathParameters its decoded parameters.
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A request as the client sent it. */
export interface WireRequest {
  method: string;
  /** The path as sent, percent-encoded, e.g. `/My%20Bucket/`. */
  path: string;
  /** The query string as sent, without `?`. */
  rawQueryString: string;
  /** Headers as sent; an array keeps repeated headers and their order. */
  headers: Record<string, string> | ReadonlyArray<readonly [name: string, value: string]>;
  body: Buffer;
}

export interface GatewayOptions {
  sourceIp?: string;
  /** The API's routes are `ANY /`, `ANY /{bucket}`, `ANY /{bucket}/{proxy+}` (serverless.yml). */
  routeKey?: string;
  time?: Date;
}

const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

/** [text] + [encoding]: whether API Gateway hands this body over as a UTF-8 string. */
export function deliveredAsText(
  contentType: string | undefined,
  contentEncoding: string | undefined,
): boolean {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') return false;
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType) return false;
  return mediaType.startsWith('text/') || TEXT_TYPES.has(mediaType);
}

/** [rawPath]: what API Gateway puts in rawPath for the path a client sent. */
export function gatewayPath(sentPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(sentPath);
  } catch {
    decoded = sentPath;
  }
  const question = decoded.indexOf('?');
  return question < 0 ? decoded : decoded.slice(0, question);
}

/** [route]: which route of serverless.yml a decoded path takes, and its path parameters. */
function route(path: string): { routeKey: string; pathParameters?: Record<string, string> } {
  const trimmed = path.replace(/^\//, '');
  if (trimmed === '') return { routeKey: 'ANY /' };
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { routeKey: 'ANY /{bucket}', pathParameters: { bucket: trimmed } };
  return {
    routeKey: 'ANY /{bucket}/{proxy+}',
    pathParameters: { bucket: trimmed.slice(0, slash), proxy: trimmed.slice(slash + 1) },
  };
}

const pad = (value: number) => String(value).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `10/Jul/2026:19:19:05 +0000`, requestContext.time's format. */
const gatewayTime = (date: Date) =>
  `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;

/** The payload 2.0 event API Gateway sends the Lambda for a request. */
export function gatewayEvent(request: WireRequest, options: GatewayOptions = {}): APIGatewayProxyEventV2 {
  const sourceIp = options.sourceIp ?? '127.0.0.1';
  const time = options.time ?? new Date();
  const pairs = Array.isArray(request.headers)
    ? (request.headers as ReadonlyArray<readonly [string, string]>)
    : Object.entries(request.headers as Record<string, string>);
  // [payload]: lower-cased names, repeats joined with commas, Cookie moved to `cookies`.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
  }
  // [added]
  headers['content-length'] = String(request.body.length);
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = '443';
  headers['x-forwarded-proto'] = 'https';
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(time.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const rawPath = gatewayPath(request.path);
  const { routeKey, pathParameters } = route(rawPath);
  const query: Record<string, string> = {};
  for (const part of request.rawQueryString.split('&').filter(Boolean)) {
    const equals = part.indexOf('=');
    const decode = (text: string) => {
      try {
        return decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        return text;
      }
    };
    const name = decode(equals < 0 ? part : part.slice(0, equals));
    const value = equals < 0 ? '' : decode(part.slice(equals + 1));
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const host = headers.host ?? '';
  const domainName = host.replace(/:\d+$/, '');
  const hasBody = request.body.length > 0;
  // [payload] + [text] + [encoding] + [utf8]
  const asText = hasBody && deliveredAsText(headers['content-type'], headers['content-encoding']);
  const body = !hasBody
    ? undefined
    : asText
      ? new TextDecoder('utf-8', { fatal: false }).decode(request.body)
      : request.body.toString('base64');

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: options.routeKey ?? routeKey,
    rawPath,
    rawQueryString: request.rawQueryString,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? '',
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(10).toString('base64').replace(/=+$/, '='),
      routeKey: options.routeKey ?? routeKey,
      stage: '$default',
      time: gatewayTime(time),
      timeEpoch: time.getTime(),
    },
    isBase64Encoded: hasBody && !asText,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (pathParameters) event.pathParameters = pathParameters;
  if (body !== undefined) event.body = body;
  return event;
}
