// SDK exceptions become domain errors here, so nothing from the SDK (messages, table names)
// travels further than the storage module.
import { S3Error } from '../errors.ts';
import { logger } from '../log.ts';
import { DEADLINE_EXCEEDED } from './client.ts';

/** The SDK's names of a throttled request. */
export const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'InternalServerError',
  'TimeoutError',
  'RequestTimeout',
  DEADLINE_EXCEEDED,
]);

/** Node's codes of a connection that failed (refused, reset, timed out, no such host). */
export const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Map an unexpected storage failure to a retryable S3 server error, logging the detail. */
export function storageFailure(error: unknown, operation: string): S3Error {
  const name = (error as { name?: string })?.name ?? '';
  const code = (error as { code?: string })?.code ?? '';
  logger.error('storage request failed', { operation, error });
  if (THROTTLING.has(name)) return new S3Error('SlowDown', { cause: error });
  // A 5xx from DynamoDB (or what stands in front of it) by any name, even one the SDK could not read
  // (an HTML 502): the SDK marks it a server fault. Retryable, like the named ones.
  const serverFault =
    (error as { $fault?: string })?.$fault === 'server' ||
    ((error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0) >= 500;
  if (UNAVAILABLE.has(name) || NETWORK.has(code) || NETWORK.has(name) || serverFault) {
    return new S3Error('ServiceUnavailable', { cause: error });
  }
  return new S3Error('InternalError', { cause: error });
}
