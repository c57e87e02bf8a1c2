// The request as every layer sees it: decoded once from the API Gateway v2 event by the shared middy
// stack (lib/http/addressing.ts decodeEvent) into this value, which addressing, dispatch, signature
// verification, authorization and the handlers read and never parse again; and the request's
// deadline. It lives below lib/http, lib/auth and lib/storage so that all can name it
// (docs/architecture.md "Layers").
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whether a value is an account id as this service issues them (and owners, grantees, expected owners and
 * policy principals name them): twelve digits, as AWS account ids are.
 */
export const isAccountId = (value: string): boolean => /^\d{12}$/.test(value);

/** Who signed the request: set by authentication. The one caller type of the service. */
export interface Caller {
  accountId: string;
  accessKeyId: string;
}

/** One `name=value` piece of the query string: as sent (what signatures cover) and percent-decoded. */
export interface QueryPiece {
  raw: string;
  rawName: string;
  rawValue: string;
  name: string;
  value: string;
}

/** The largest body any operation takes (PutBucketEncryption's 1 MiB): anything bigger is refused unread. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export interface S3Request {
  /** Upper-case HTTP method. */
  method: string;
  /** The path percent-encoded as the client signed it, e.g. `/b1/` (lib/http/addressing.ts signedPath). */
  rawPath: string;
  /** The query string exactly as sent, without `?`, e.g. `encryption=`. */
  rawQueryString: string;
  /** The query's pieces in the order sent (duplicates kept, empty pieces dropped), raw and decoded. */
  queryPieces: readonly QueryPiece[];
  /** Query parameters, percent-decoded, in the order sent (duplicates kept). */
  query: ReadonlyArray<readonly [name: string, value: string]>;
  /** Header names in lower case; repeated headers joined with `,` as API Gateway does. */
  headers: Readonly<Record<string, string>>;
  /**
   * The headers as S3 reads them: for a presigned URL its `x-amz-*` (and Content-MD5) query parameters
   * count as headers (the SDK's presigner puts `x-amz-checksum-crc32` there); headers sent for real win.
   * Otherwise the same object as `headers`.
   */
  effectiveHeaders: Readonly<Record<string, string>>;
  /** The raw request body (empty when none), at most MAX_REQUEST_BODY_BYTES. */
  body: Buffer;
  /** Host header value, lower case, without the port. */
  host: string;
  /** How the bucket was addressed: in the path (`/b1/key`) or the Host header (`b1.host/key`). */
  addressing: 'path' | 'virtual-hosted';
  /** Bucket addressed, from the path (path-style) or the Host header (virtual-hosted). */
  bucket: string | undefined;
  /** Object key addressed, if any (object paths are not implemented: 501). */
  objectKey: string | undefined;
  /** Every S3 subresource the query names (`encryption`, `policy`, …), each once, sorted. */
  subresources: readonly string[];
  /** The first subresource in the order sent, if any: the one that names the operation. */
  subresource: string | undefined;
  /** Resource for error documents: `/bucket` or `/bucket/key` or `/`. */
  resource: string;
  requestId: string;
  /** The client's address as the gateway saw it (bucket policy aws:SourceIp). */
  sourceIp: string | undefined;
  /** Set by authentication. */
  caller?: Caller;
  /** S3's name of the operation dispatch chose (metrics; lib/http/dispatch.ts); unset until then. */
  operation?: string;
}

// What the current invocation tells the layers below it without threading it through every call:
// - the deadline: the moment by which this invocation must have answered, so that even a DynamoDB
//   outage is answered in S3 XML (503) rather than by API Gateway's own non-S3 error when the Lambda
//   times out. Set by the stack's requestDeadline middleware (lib/http/stack.ts); read by the storage
//   client before each attempt (lib/storage/client.ts).
// - the actor: the request whose operation is writing, named once by dispatch (lib/http/dispatch.ts);
//   every bucket write records it in `lastChange` for the history (lib/storage/change.ts).
// One async-context store holds both.

/** Who is changing a bucket: the S3 operation and the request serving it. */
export interface ChangeActor {
  /** S3's name of the operation, e.g. PutBucketEncryption. */
  operation: string;
  requestId: string;
  accountId: string;
  accessKeyId: string;
  sourceIp: string | undefined;
}

interface InvocationScope {
  deadline: number | undefined;
  actor?: ChangeActor;
}

const invocations = new AsyncLocalStorage<InvocationScope>();

/**
 * Sets the deadline (or none) for the rest of the current async context: what a middleware, which
 * cannot wrap the handler in a callback, uses. Every invocation sets it anew.
 */
export const enterDeadline = (deadlineMs: number | undefined): void =>
  invocations.enterWith({ deadline: deadlineMs });

/** The current deadline (epoch ms), or undefined when none was set. */
export const currentDeadline = (): number | undefined => invocations.getStore()?.deadline;

/** Runs `work` (an operation) with its writes attributed to `actor`, within the current deadline. */
export const withChangeActor = <T>(actor: ChangeActor, work: () => T): T =>
  invocations.run({ deadline: currentDeadline(), actor }, work);

/** The request writing now, if any (none in the admin CLI). */
export const currentActor = (): ChangeActor | undefined => invocations.getStore()?.actor;
