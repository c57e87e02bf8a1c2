import { describe, expect, it } from 'vitest';
import { BUCKET_OPERATIONS, SERVICE_OPERATIONS } from '../../../functions/operations.ts';
import { decodeEvent } from '../../../lib/http/addressing.ts';
import { findOperation, type OperationTable, type S3Operation } from '../../../lib/http/dispatch.ts';
import { signedEvent } from '../../helpers/signed-event.ts';
import { s3ErrorOf } from '../encryption/fixtures.ts';

// The `/` route serves both tables; every other route serves the bucket operations.
const TABLE: OperationTable = [...SERVICE_OPERATIONS, ...BUCKET_OPERATIONS];
const S3_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
type Target = S3Operation['target'];

/**
 * The request as decoded from what a client sends: `?<subresource>=&x-id=…`, as SDK v3 writes it, with
 * the plain parameter that also names the operation (ListObjectsV2's `list-type=2`), if any.
 */
async function requestFor(
  method: string,
  path: string,
  subresource?: string,
  parameter?: readonly [string, string],
) {
  const named = [
    ...(subresource === undefined ? [] : [`${subresource}=`]),
    ...(parameter === undefined ? [] : [`${parameter[0]}=${parameter[1]}`]),
  ];
  const query = [...named, 'x-id=Operation'].join('&');
  return decodeEvent(await signedEvent({ method, path, query, unsigned: true }), 'REQUEST-ID', undefined);
}

const pathOf = (target: Target) => (target === 'service' ? '/' : '/b1');

/** Runs findOperation on `request` and returns the S3Error it throws. */
const errorOf = (request: Awaited<ReturnType<typeof requestFor>>) =>
  s3ErrorOf(() => findOperation(request, TABLE));

/** Methods S3 defines that the table does not serve for this target and subresource. */
const unservedMethods = (target: Target, subresource: string | undefined) =>
  S3_METHODS.filter(
    (method) =>
      !TABLE.some(
        (operation) =>
          operation.method === method && operation.target === target && operation.subresource === subresource,
      ),
  );

const SERVED_SUBRESOURCES = [
  ...new Map(
    TABLE.flatMap((operation) =>
      operation.subresource === undefined
        ? []
        : [
            [
              `${operation.target} ${operation.subresource}`,
              [operation.target, operation.subresource] as const,
            ],
          ],
    ),
  ).values(),
];

describe('findOperation', () => {
  it.each(
    TABLE.map((operation) => [
      operation.name,
      operation.method,
      operation.target,
      operation.subresource === undefined ? 'no subresource' : `?${operation.subresource}`,
      operation,
    ]),
  )('returns %s for %s on the %s with %s', async (_, method, target, __, operation) => {
    const request = await requestFor(method, pathOf(target), operation.subresource, operation.parameter);
    expect(findOperation(request, TABLE)).toBe(operation);
  });

  it.each(
    SERVED_SUBRESOURCES.flatMap(([target, subresource]) =>
      unservedMethods(target, subresource).map((method) => [method, subresource, target] as const),
    ),
  )(
    'throws MethodNotAllowed for %s ?%s on the %s (a subresource served with other methods)',
    async (method, subresource, target) => {
      const error = errorOf(await requestFor(method, pathOf(target), subresource));
      expect(error.code).toBe('MethodNotAllowed');
      expect(error.statusCode).toBe(405);
      expect(error.fields).toEqual({
        Method: method,
        ResourceType: target === 'service' ? 'SERVICE' : 'BUCKET',
      });
    },
  );

  it.each(['PATCH', 'OPTIONS', 'TRACE'])(
    'throws MethodNotAllowed for %s, for which S3 has no operation',
    async (method) => {
      const error = errorOf(await requestFor(method, '/b1/key', 'encryption'));
      expect(error.code).toBe('MethodNotAllowed');
      expect(error.fields).toEqual({ Method: method, ResourceType: 'OBJECT' });
    },
  );

  it.each(unservedMethods('service', undefined))(
    'throws MethodNotAllowed for %s on the service',
    async (method) => {
      const error = errorOf(await requestFor(method, '/'));
      expect(error.code).toBe('MethodNotAllowed');
      expect(error.fields).toEqual({ Method: method, ResourceType: 'SERVICE' });
    },
  );

  it.each([
    [
      'an unserved subresource on a bucket',
      'GET',
      '/b1',
      'cors',
      'The ?cors subresource is not implemented by this service',
    ],
    [
      'an unserved subresource on the service',
      'GET',
      '/',
      'cors',
      'The ?cors subresource is not implemented by this service',
    ],
    [
      'an unserved method on a bucket',
      'POST',
      '/b1',
      undefined,
      'POST on a bucket is not implemented by this service',
    ],
    [
      'an object path',
      'GET',
      '/b1/photos/a.jpg',
      undefined,
      'Object operations are not implemented by this service',
    ],
    [
      'an object path with a served subresource',
      'PUT',
      '/b1/k',
      'encryption',
      'Object operations are not implemented by this service',
    ],
  ])('throws NotImplemented for %s', async (_, method, path, subresource, message) => {
    const error = errorOf(await requestFor(method, path, subresource));
    expect(error.code).toBe('NotImplemented');
    expect(error.statusCode).toBe(501);
    expect(error.message).toBe(message);
  });

  it('throws InvalidArgument naming the subresources when the query names two', async () => {
    const request = await requestFor('GET', '/b1', 'versioning=&acl');
    const error = errorOf(request);
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toBe('Conflicting query string parameters: acl, versioning');
    expect(error.fields).toEqual({ ArgumentName: 'ResourceType', ArgumentValue: 'acl' });
  });

  it('ignores a subresource named twice, and plain parameters beside it', async () => {
    const request = await requestFor('GET', '/b1', 'encryption=&encryption&prefix=a');
    expect(findOperation(request, TABLE).name).toBe('GetBucketEncryption');
  });
});
