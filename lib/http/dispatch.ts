// Picks the operation from the request through a declarative table (method, service or bucket,
// subresource), then runs the checks every operation shares, in S3's order: authenticate, then a
// valid bucket name, then the operation itself.

import { authenticate } from '../auth/authenticate.ts';
import { assertValidBucketName } from '../bucket-name.ts';
import { profile } from '../config.ts';
import { notImplemented, S3Error } from '../errors.ts';
import type { S3Action } from '../policy/index.ts';
import { type Caller, type S3Request, withChangeActor } from '../request.ts';
import type { S3Response } from './response.ts';

export type Target = 'service' | 'bucket';

export type AuthenticatedRequest = S3Request & { caller: Caller };
export type BucketRequest = AuthenticatedRequest & { bucket: string };

interface RouteKey {
  /** S3's name for the operation, e.g. PutBucketEncryption. */
  name: string;
  method: string;
  target: Target;
  /** The subresource that names the operation (`encryption`); undefined = none. */
  subresource?: string;
  /** A plain query parameter that also names the operation (ListObjectsV2's `list-type=2`); list it first. */
  parameter?: readonly [name: string, value: string];
  /**
   * The action a bucket operation is authorized as (the handler passes it to lib/auth/authorize.ts;
   * the authorization matrix test reads it from the module). None: CreateBucket, the service, anonymous
   * calls. The operation table's lazy rows leave it to the module.
   */
  action?: S3Action;
}

interface OperationCode {
  /**
   * A row of the table that imports its module on first use (lazyOperation): the module's operation,
   * imported once. Dispatch starts it before authentication; tests read the module's own fields.
   */
  load?(): Promise<S3Operation>;
  /**
   * What a refused request of this operation answers instead (a 400 or 403, from authentication or the
   * operation itself): HeadBucket adds the bucket's region, which clients follow to the right endpoint.
   */
  refused?(request: S3Request, error: S3Error): Promise<S3Error>;
}

export type S3Operation =
  | (RouteKey &
      OperationCode & {
        target: 'service';
        anonymous?: false;
        handle(request: AuthenticatedRequest): Promise<S3Response>;
      })
  | (RouteKey &
      OperationCode & {
        target: 'bucket';
        anonymous?: false;
        handle(request: BucketRequest): Promise<S3Response>;
      })
  | (RouteKey & OperationCode & { anonymous: true; handle(request: S3Request): Promise<S3Response> });

export type OperationTable = readonly S3Operation[];

/** What the table must know of an operation before its module is loaded: how to choose it, how to check it. */
export type OperationRoute = S3Operation extends infer Operation
  ? Operation extends S3Operation
    ? Omit<Operation, 'handle' | 'load' | 'action'>
    : never
  : never;

/**
 * A row of the operation table whose module is imported when a request first names it. A cold start
 * loads the table and what every request runs (the stack, decoding, dispatch, authentication), not the
 * operations: each handler module, with what only operations import (the bucket store, authorization,
 * the XML parser, checksums, codecs…), is an esbuild chunk, imported by the first request of its kind
 * and kept for the container's life (docs/performance.md "Cold start"). Dispatch starts the import as
 * soon as it has chosen the operation, so that it overlaps authentication's credential read. The route
 * repeats the module's own fields (test/unit/http/operations.test.ts compares each row with its module);
 * the action stays in the module, which authorizes with it.
 */
export function lazyOperation(route: OperationRoute, load: () => Promise<S3Operation>): S3Operation {
  let loading: Promise<S3Operation> | undefined;
  const loaded = () => {
    loading ??= load().catch((error: unknown) => {
      // A failed import is tried again by the next request of its kind.
      loading = undefined;
      throw error;
    });
    return loading;
  };
  // The module's target is the route's, so the request dispatch passes is the one its handle takes.
  return {
    ...route,
    load: loaded,
    async handle(request: BucketRequest) {
      return (await loaded()).handle(request);
    },
    async refused(request: S3Request, error: S3Error) {
      // A refusal stays a refusal: a module that fails to import leaves it as it is (and is tried again
      // by the next request of its kind).
      const operation = await loaded().catch(() => undefined);
      return operation?.refused ? operation.refused(request, error) : error;
    },
  } as S3Operation;
}

// Methods S3 defines operations for; anything else is 405 MethodNotAllowed. A defined method on a
// resource we do not serve (?cors, object paths…) is 501 NotImplemented.
const S3_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

export function findOperation(request: S3Request, table: OperationTable): S3Operation {
  const target: Target = request.bucket === undefined ? 'service' : 'bucket';
  // S3 refuses a request naming two subresources (`?acl&versioning`): which operation it is is ambiguous.
  const named = request.subresources;
  if (named.length > 1) {
    throw new S3Error('InvalidArgument', {
      message: `Conflicting query string parameters: ${named.join(', ')}`,
      fields: { ArgumentName: 'ResourceType', ArgumentValue: named[0] ?? '' },
    });
  }
  if (!S3_METHODS.has(request.method)) throw methodNotAllowed(request, target);
  if (request.objectKey !== undefined)
    throw notImplemented('Object operations are not implemented by this service');
  const operation = table.find(
    (candidate) =>
      candidate.method === request.method &&
      candidate.target === target &&
      candidate.subresource === request.subresource &&
      (candidate.parameter === undefined ||
        request.query.some(
          ([name, value]) => name === candidate.parameter?.[0] && value === candidate.parameter[1],
        )),
  );
  if (operation) return operation;
  // S3 serves only GET on the service (ListBuckets).
  if (target === 'service' && request.method !== 'GET') throw methodNotAllowed(request, target);
  // A subresource served here, with a method it does not take (POST or HEAD ?encryption): S3 answers 405.
  if (
    request.subresource !== undefined &&
    table.some((candidate) => candidate.target === target && candidate.subresource === request.subresource)
  ) {
    throw methodNotAllowed(request, target);
  }
  throw notImplemented(
    request.subresource
      ? `The ?${request.subresource} subresource is not implemented by this service`
      : `${request.method} on a ${target} is not implemented by this service`,
  );
}

const methodNotAllowed = (request: S3Request, target: Target) =>
  new S3Error('MethodNotAllowed', {
    fields: {
      Method: request.method,
      ResourceType: target === 'service' ? 'SERVICE' : request.objectKey === undefined ? 'BUCKET' : 'OBJECT',
    },
  });

export async function dispatch(request: S3Request, table: OperationTable): Promise<S3Response> {
  const operation = findOperation(request, table);
  request.operation = operation.name;
  // An operation the deployment's vendor does not have is one this service does not implement there:
  // 501 before anything else, as for any other (the profile's data, docs/behaviour.md).
  if (profile().unimplementedOperations.has(operation.name)) {
    throw notImplemented(`${operation.name} is not part of the API this deployment serves`);
  }
  // The operation's module loads (the first request of its kind) while the signature is checked; an
  // import that fails fails the request when the operation runs.
  operation.load?.().catch(() => undefined);
  if (operation.anonymous) return operation.handle(request);
  try {
    // The caller is recorded on the request itself so the access log names the key.
    request.caller = await authenticate(request);
    const authenticated = request as AuthenticatedRequest;
    if (operation.target === 'service') return await operation.handle(authenticated);
    assertValidBucketName(request.bucket ?? '');
    // Whatever the operation writes names this request as its author (the history, docs/history.md).
    const actor = { operation: operation.name, requestId: request.requestId, sourceIp: request.sourceIp };
    return await withChangeActor({ ...actor, ...request.caller }, () =>
      operation.handle(authenticated as BucketRequest),
    );
  } catch (error) {
    const refusal = error instanceof S3Error && (error.statusCode === 400 || error.statusCode === 403);
    throw refusal && operation.refused ? await operation.refused(request, error) : error;
  }
}
