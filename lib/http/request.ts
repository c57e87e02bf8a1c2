// The request as every operation sees it: decoded once from the API Gateway v2 event by the
// shared middy stack (lib/http/stack.ts), addressed (bucket from the path or the Host header) and,
// once authenticated, carrying the caller.

export interface Caller {
  accountId: string;
  accessKeyId: string;
}

export interface S3Request {
  /** Upper-case HTTP method. */
  method: string;
  /** The path percent-encoded as the client signed it, e.g. `/b1/` (lib/http/addressing.ts signedPath). */
  rawPath: string;
  /** The query string exactly as sent, without `?`, e.g. `encryption=`. */
  rawQueryString: string;
  /** Query parameters, percent-decoded, in the order sent (duplicates kept). */
  query: ReadonlyArray<readonly [name: string, value: string]>;
  /** Header names in lower case; repeated headers joined with `,` as API Gateway does. */
  headers: Readonly<Record<string, string>>;
  /** The raw request body (empty when none). */
  body: Buffer;
  /** Host header value, lower case, without the port. */
  host: string;
  /** Bucket addressed, from the path (path-style) or the Host header (virtual-hosted). */
  bucket: string | undefined;
  /** Object key addressed, if any (object paths are not implemented: 501). */
  objectKey: string | undefined;
  /** The S3 subresource named in the query (`encryption`, `policy`, …), if any. */
  subresource: string | undefined;
  /** Resource for error documents: `/bucket` or `/bucket/key` or `/`. */
  resource: string;
  requestId: string;
  /** The client's address as the gateway saw it (bucket policy aws:SourceIp). */
  sourceIp: string | undefined;
  /** Set by authentication. */
  caller?: Caller;
}

export const header = (request: Pick<S3Request, 'headers'>, name: string): string | undefined =>
  request.headers[name.toLowerCase()];

/**
 * The request's headers as S3 reads them: for a presigned URL, its `x-amz-*` query parameters
 * count as headers (the SDK's presigner puts `x-amz-checksum-crc32` and
 * `x-amz-sdk-checksum-algorithm` there). Headers sent for real win.
 */
export function effectiveHeaders(
  request: Pick<S3Request, 'headers' | 'query'>,
): Readonly<Record<string, string>> {
  if (!request.query.some(([name]) => name === 'X-Amz-Signature')) return request.headers;
  const merged: Record<string, string> = {};
  for (const [name, value] of request.query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') || lower === 'content-md5') merged[lower] ??= value;
  }
  return { ...merged, ...request.headers };
}
