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
   * the authorization matrix test reads it here). None: CreateBucket, the service, anonymous calls.
   */
  action?: S3Action;
}

export type S3Operation =
  | (RouteKey & {
      target: 'service';
      anonymous?: false;
      handle(request: AuthenticatedRequest): Promise<S3Response>;
    })
  | (RouteKey & { target: 'bucket'; anonymous?: false; handle(request: BucketRequest): Promise<S3Response> })
  | (RouteKey & { anonymous: true; handle(request: S3Request): Promise<S3Response> });

export type OperationTable = readonly S3Operation[];

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
  if (operation.anonymous) return operation.handle(request);
  // The caller is recorded on the request itself so the access log names the key.
  request.caller = await authenticate(request);
  const authenticated = request as AuthenticatedRequest;
  if (operation.target === 'service') return operation.handle(authenticated);
  assertValidBucketName(request.bucket ?? '');
  // Whatever the operation writes names this request as its author (the history, docs/history.md).
  const actor = { operation: operation.name, requestId: request.requestId, sourceIp: request.sourceIp };
  return withChangeActor({ ...actor, ...request.caller }, () =>
    operation.handle(authenticated as BucketRequest),
  );
}
