// The one place tests sign requests, with the clients' own signers: what is signed here is what a real
// client would send, and every test (unit, integration, e2e, runtime) signs through it.
//   - signV4 / presignV4: @smithy/signature-v4 (the SDK v3's signer) on a request shaped by hand
//     (AWS CLI shapes, raw HTTP requests, API Gateway events)
//   - captureSdkRequest: the SDK v3 S3Client itself, its HTTP handler replaced by a recorder
//   - presignSdkUrl: @aws-sdk/s3-request-presigner's getSignedUrl
//   - captureObsRequests: esdk-obs-nodejs (V2 and OBS signatures) against a node:http server on 127.0.0.1
//   - signV2ByHand: the documented V2/OBS HMAC-SHA1 of a string to sign, an independent fixture
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { buildQueryString } from '@smithy/core/protocols';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import ObsClient from 'esdk-obs-nodejs';

export const REGION = 'us-east-1';
/** The fixed signing time of the unit tests' requests (the verifier is told it is "now"). */
export const SIGNING_DATE = new Date('2025-06-01T12:00:00Z');

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** A temporary credential's session token: the signer sends it as x-amz-security-token. */
  sessionToken?: string;
}

/** The unit tests' signer; the integration and e2e tests sign as test/helpers/identities.ts's identities. */
export const ALICE = {
  accessKeyId: 'AKIAALICE0000EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYALICEEXAMPLE',
  accountId: '111122223333',
} as const;

export const sha256Hex = (body: string | Uint8Array) => createHash('sha256').update(body).digest('hex');

/** The query string of a request as the signer wants it: decoded names and values, repeats as arrays. */
export function signerQuery(rawQueryString: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const part of rawQueryString.split('&').filter(Boolean)) {
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

/** A request as the client sent it (test/helpers/gateway-event.ts turns it into API Gateway's event). */
export interface WireRequest {
  method: string;
  path: string;
  rawQueryString: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface SignShape {
  method: string;
  /** Host header as sent, e.g. `localhost:3000` or `b1.localhost:3000`. */
  host?: string;
  path: string;
  /** The query as the signer sees it (decoded); a value of '' signs `name=`. */
  query?: Record<string, string | string[]>;
  /** The query string on the wire; by default what the SDK would send for `query`. */
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signingDate?: Date;
  credentials?: Credentials;
  region?: string;
  /** Headers present on the wire but left out of the signature. */
  unsignableHeaders?: Set<string>;
  /** Sign the body's hash without sending x-amz-content-sha256 (applyChecksum: false). */
  omitContentSha256?: boolean;
}

export const smithySigner = (region = REGION, credentials: Credentials = ALICE, applyChecksum = true) =>
  new SignatureV4({
    service: 's3',
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum,
  });

/** The request the signer sees (`host` is the Host header as sent, port included). */
const httpRequest = (shape: SignShape, host: string, headers: Record<string, string>, body?: Buffer) =>
  new HttpRequest({
    method: shape.method,
    protocol: 'http:',
    hostname: host.replace(/:\d+$/, ''),
    path: shape.path,
    query: shape.query ?? {},
    headers,
    ...(body !== undefined && body.length > 0 ? { body } : {}),
  });

/** Signs with @smithy/signature-v4 (Authorization header form). */
export async function signV4(shape: SignShape): Promise<WireRequest> {
  const host = shape.host ?? 'localhost:3000';
  const body = shape.body === undefined ? Buffer.alloc(0) : Buffer.from(shape.body);
  const headers: Record<string, string> = { host, ...shape.headers };
  if (body.length > 0 && headers['content-length'] === undefined)
    headers['content-length'] = String(body.length);
  const request = httpRequest(shape, host, headers, body);
  const signed = await smithySigner(shape.region, shape.credentials, !shape.omitContentSha256).sign(request, {
    signingDate: shape.signingDate ?? SIGNING_DATE,
    ...(shape.unsignableHeaders ? { unsignableHeaders: shape.unsignableHeaders } : {}),
  });
  return {
    method: shape.method,
    path: shape.path,
    rawQueryString: shape.rawQueryString ?? buildQueryString(shape.query ?? {}),
    headers: { ...(signed.headers as Record<string, string>) },
    body,
  };
}

/** Presigns with @smithy/signature-v4 (query form), for shapes the S3 presigner cannot produce. */
export async function presignV4(
  shape: SignShape & {
    expiresIn?: number;
    /** false: no X-Amz-Content-Sha256 in the query (the bare signer's URL, not the S3 presigner's). */
    unsignedPayload?: boolean;
  },
): Promise<WireRequest> {
  const host = shape.host ?? 'localhost:3000';
  // As @aws-sdk/s3-request-presigner does: S3 presigned URLs leave the payload unsigned.
  const headers: Record<string, string> = {
    host,
    ...(shape.unsignedPayload === false ? {} : { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
    ...shape.headers,
  };
  const request = httpRequest(shape, host, headers);
  const presigned = await smithySigner(shape.region, shape.credentials).presign(request, {
    signingDate: shape.signingDate ?? SIGNING_DATE,
    expiresIn: shape.expiresIn ?? 300,
  });
  return {
    method: shape.method,
    path: shape.path,
    rawQueryString: buildQueryString(presigned.query ?? {}),
    headers: { ...(presigned.headers as Record<string, string>) },
    body: shape.body === undefined ? Buffer.alloc(0) : Buffer.from(shape.body),
  };
}

class Captured extends Error {
  override name = 'Captured';
}

// biome-ignore lint/suspicious/noExplicitAny: any S3 command of the SDK
type AnyCommand = any;

function recordingClient(
  onRequest: (request: HttpRequest) => void,
  forcePathStyle: boolean,
  signingDate: Date,
) {
  return new S3Client({
    region: REGION,
    endpoint: 'http://localhost:3000',
    forcePathStyle,
    maxAttempts: 1,
    credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
    // The SDK signs with its own clock plus this offset: sign "at" signingDate.
    systemClockOffset: signingDate.getTime() - Date.now(),
    requestHandler: {
      handle: async (request: HttpRequest) => {
        onRequest(request);
        throw new Captured('request captured');
      },
    },
  });
}

const toWire = (request: HttpRequest): WireRequest => {
  const port = request.port ? `:${request.port}` : '';
  const headers = { ...request.headers };
  headers.host ??= `${request.hostname}${port}`;
  return {
    method: request.method,
    path: request.path,
    rawQueryString: buildQueryString(request.query),
    headers,
    body: request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body as string | Uint8Array),
  };
};

/** The request the SDK v3 S3 client sends for a command, exactly as it would leave the process. */
export async function captureSdkRequest(
  command: AnyCommand,
  signingDate = SIGNING_DATE,
): Promise<WireRequest> {
  let captured: HttpRequest | undefined;
  const client = recordingClient(
    (request) => {
      captured = request;
    },
    true,
    signingDate,
  );
  await client.send(command).catch((error: unknown) => {
    if (!(error instanceof Captured)) throw error;
  });
  if (!captured) throw new Error('the SDK sent nothing');
  return toWire(captured);
}

/** @aws-sdk/s3-request-presigner's URL for `command` through `client` (valid 300 s unless told). */
export const presignedUrl = (
  client: S3Client,
  command: AnyCommand,
  options: { expiresIn?: number; signingDate?: Date } = {},
) => getSignedUrl(client, command, { expiresIn: 300, ...options });

/** A presigned URL from @aws-sdk/s3-request-presigner, and the request a client makes with it. */
export async function presignSdkUrl(
  command: AnyCommand,
  method: string,
  options: { expiresIn?: number; signingDate?: Date; body?: string } = {},
): Promise<WireRequest & { url: string }> {
  const client = recordingClient(() => {}, true, options.signingDate ?? SIGNING_DATE);
  const url = await presignedUrl(client, command, {
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
    signingDate: options.signingDate ?? SIGNING_DATE,
  });
  const parsed = new URL(url);
  const body = Buffer.from(options.body ?? '');
  const headers: Record<string, string> = { host: parsed.host };
  if (body.length > 0) headers['content-length'] = String(body.length);
  return { url, method, path: parsed.pathname, rawQueryString: parsed.search.slice(1), headers, body };
}

/**
 * Runs esdk-obs-nodejs against a local server that records every request. `apiVersion` is what
 * `HEAD /?apiversion` answers in `x-obs-api` (the SDK's V2-or-OBS negotiation); undefined = no header.
 */
export async function captureObsRequests(
  clientOptions: Record<string, unknown>,
  run: (client: InstanceType<typeof ObsClient>) => Promise<unknown>,
  apiVersion?: string,
): Promise<WireRequest[]> {
  const requests: WireRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '/';
      const question = url.indexOf('?');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      requests.push({
        method: request.method ?? 'GET',
        path: question < 0 ? url : url.slice(0, question),
        rawQueryString: question < 0 ? '' : url.slice(question + 1),
        headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(200, apiVersion && url.includes('apiversion') ? { 'x-obs-api': apiVersion } : {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const client = new ObsClient({
      access_key_id: ALICE.accessKeyId,
      secret_access_key: ALICE.secretAccessKey,
      server: `http://localhost:${port}`,
      max_retry_count: 0,
      // Virtual-hosted requests go to `{bucket}.localhost`: connect them all to the local server.
      third_http_lib: {
        request: (options: http.RequestOptions) =>
          http.request({ ...options, host: '127.0.0.1', port, agent: false }),
      },
      ...clientOptions,
    });
    // The client finishes configuring itself a tick after construction.
    await new Promise((resolve) => setTimeout(resolve, 1));
    // Its answer does not matter (the server's empty 200s are not what it expects): only what it sent.
    await run(client).catch(() => undefined);
    client.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return requests;
}

/** A V2 (or OBS) signature computed as AWS and OBS document it: base64 HMAC-SHA1 of the string to sign. */
/**
 * A presigned URL as Huawei's SDK makes it (`createSignedUrlSync`: V2 `AWSAccessKeyId=` path-style, or
 * OBS `AccessKeyId=` virtual-hosted), as the request a browser or curl then sends: the URL and the
 * headers the SDK says were signed (`ActualSignedRequestHeaders`).
 */
export async function presignObsUrl(
  clientOptions: Record<string, unknown>,
  param: Record<string, unknown>,
): Promise<WireRequest> {
  const client = new ObsClient({
    access_key_id: ALICE.accessKeyId,
    secret_access_key: ALICE.secretAccessKey,
    server: 'http://localhost:3000',
    ...clientOptions,
  });
  // The client finishes configuring itself (its signature dialect) a microtask after construction.
  await new Promise((resolve) => setImmediate(resolve));
  const { SignedUrl, ActualSignedRequestHeaders } = client.createSignedUrlSync(param);
  const url = new URL(SignedUrl);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ActualSignedRequestHeaders)) headers[name.toLowerCase()] = value;
  return {
    method: String(param.Method ?? 'GET'),
    path: url.pathname === '' ? '/' : url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    body: Buffer.alloc(0),
  };
}

export const signV2ByHand = (secretAccessKey: string, stringToSign: string) =>
  createHmac('sha1', secretAccessKey).update(stringToSign).digest('base64');

export interface V2Shape {
  scheme: 'AWS' | 'OBS';
  method: string;
  /** Host header as sent: `b1.localhost` for a virtual-hosted bucket. */
  host: string;
  path: string;
  rawQueryString: string;
  /** The resource the scheme signs, written out: `/b1/?policy` (virtual-hosted) or `/b1?policy`. */
  resource: string;
  /** Headers to send; Content-MD5, Content-Type and the scheme's prefixed ones are signed. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  credentials?: Credentials;
  date?: Date;
}

/**
 * A V2 (`AWS ak:sig`) or OBS (`OBS ak:sig`) request signed as AWS and OBS document the string to sign,
 * written out here independently of the service's verifier: METHOD, Content-MD5, Content-Type, Date,
 * the scheme's prefixed headers (lower case, sorted), the resource. For shapes Huawei's SDK does not
 * send (a Content-MD5 or a content-sha256 on setBucketPolicy).
 */
export function signV2(shape: V2Shape): WireRequest {
  const headers: Record<string, string> = {
    host: shape.host,
    date: (shape.date ?? new Date()).toUTCString(),
    ...shape.headers,
  };
  const prefix = shape.scheme === 'AWS' ? 'x-amz-' : 'x-obs-';
  const prefixed = Object.keys(headers)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => `${name}:${headers[name]?.trim()}\n`)
    .join('');
  // x-amz-date / x-obs-date, when sent, stands in for Date, whose line is then empty.
  const date = headers[`${prefix}date`] === undefined ? headers.date : '';
  const stringToSign = `${shape.method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${date}\n${prefixed}${shape.resource}`;
  const { accessKeyId, secretAccessKey } = shape.credentials ?? ALICE;
  headers.authorization = `${shape.scheme} ${accessKeyId}:${signV2ByHand(secretAccessKey, stringToSign)}`;
  return {
    method: shape.method,
    path: shape.path,
    rawQueryString: shape.rawQueryString,
    headers,
    body: Buffer.from(shape.body ?? ''),
  };
}
