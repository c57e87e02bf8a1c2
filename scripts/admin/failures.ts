// A failed admin command as ONE line that says what went wrong, for an operator at a terminal: no
// credentials, the table (stage) not there, an endpoint that cannot be reached, access denied, … —
// never the SDK's stack, nor the service's generic "We encountered an internal error" (lib/storage
// turns SDK errors into S3 errors for S3 clients; their `cause` is the SDK's error, read here).
import { NETWORK, THROTTLING } from '../../lib/storage/errors.ts';
import type { Target } from './target.ts';

/** Where a failed request went: the service and its endpoint, attached to the error (failures.ts). */
export interface FailureLabel {
  service: string;
  endpoint: string;
}
export const FAILURE_LABEL = Symbol.for('bucket-encryption-api.admin.failure-label');

export function labelFailure(error: unknown, label: FailureLabel): unknown {
  if (error !== null && typeof error === 'object' && !(FAILURE_LABEL in error))
    Object.defineProperty(error, FAILURE_LABEL, { value: label });
  return error;
}

interface Failure {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  address?: string;
  port?: number;
  hostname?: string;
  $metadata?: { httpStatusCode?: number };
  [FAILURE_LABEL]?: FailureLabel;
}

/** A request that never got an answer: a connection that failed, or one that timed out. */
const UNREACHABLE = new Set([...NETWORK, 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError', 'RequestTimeout']);
const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const CREDENTIALS_REFUSED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'AuthFailure',
]);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'NotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);

/** The error and its causes, outermost first. */
function chain(error: unknown): Failure[] {
  const found: Failure[] = [];
  let current = error;
  while (current !== null && typeof current === 'object' && found.length < 10) {
    found.push(current as Failure);
    current = (current as Failure).cause;
  }
  return found;
}

/** One line: `message` without its line breaks. */
const oneLine = (text: string | undefined) => (text ?? '').replace(/\s*\n\s*/g, ' ').trim();

/** What went wrong, in one line; undefined when the error is not a failure of an AWS call. */
export function describeFailure(error: unknown, target: Target | undefined): string | undefined {
  const causes = chain(error);
  // The SDK's own error: the one a client labelled, else the innermost.
  const failure = causes.find((cause) => cause[FAILURE_LABEL]) ?? causes.at(-1);
  if (!failure) return undefined;
  const label = causes.map((cause) => cause[FAILURE_LABEL]).find(Boolean);
  const name = failure.name ?? '';
  const code = failure.code ?? '';
  const service = label?.service ?? 'AWS';
  const message = oneLine(failure.message);
  const stage = target?.stage;

  if (NO_CREDENTIALS.has(name)) {
    return `no AWS credentials for ${service} (${message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (aws configure)`;
  }
  if (UNREACHABLE.has(code) || UNREACHABLE.has(name)) {
    const where = failure.address
      ? `${failure.address}${failure.port ? `:${failure.port}` : ''}`
      : (failure.hostname ?? '');
    const detail = [code || name, label ? where : ''].filter(Boolean).join(' ');
    const hint = target && !stage && service.startsWith('DynamoDB') ? ' (is `npm start` running?)' : '';
    const endpoint = label?.endpoint ?? (where || 'its endpoint');
    // A connection that opened but was never answered is a timeout, not a refusal.
    return /Timeout/.test(name) && !code
      ? `${service} at ${endpoint} did not answer in time (${detail})`
      : `cannot reach ${service} at ${endpoint} (${detail})${hint}`;
  }
  if (CREDENTIALS_REFUSED.has(name)) return `${service} refused the AWS credentials (${name}: ${message})`;
  if (ACCESS_DENIED.has(name) || failure.$metadata?.httpStatusCode === 403) {
    return `access denied by ${service}: ${message || name}`;
  }
  if (NOT_FOUND.has(name)) {
    if (service === 'DynamoDB' && target) {
      return stage
        ? `table ${target.tableName} not found in ${stage.region}: is stage "${stage.name}" deployed in that region? (${message})`
        : `${target.describe} not found (${message})`;
    }
    return `${service}: not found (${name}: ${message})`;
  }
  if (THROTTLING.has(name)) return `${service} is throttling requests (${name}); try again in a moment`;
  if (label || failure.$metadata) return `${service} refused the request (${name}: ${message})`;
  return undefined;
}
