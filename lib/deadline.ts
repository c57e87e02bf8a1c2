// The request's deadline: the moment by which this invocation must have answered, so that even a
// DynamoDB outage is answered in S3 XML (503) rather than by API Gateway's own non-S3 error when the
// Lambda times out. Set by the stack (lib/http/stack.ts) for the invocation's async context; read by
// the storage client before each attempt (lib/storage/client.ts). Below lib/http and lib/storage, so
// neither imports the other for it.
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<number | undefined>();

/** Runs `work` with the deadline `deadlineMs` (epoch ms). */
export const withDeadline = <T>(deadlineMs: number, work: () => T): T => deadlines.run(deadlineMs, work);

/**
 * Sets the deadline (or none) for the rest of the current async context: what a middleware, which
 * cannot wrap the handler in a callback, uses. Every invocation sets it anew.
 */
export const enterDeadline = (deadlineMs: number | undefined): void => deadlines.enterWith(deadlineMs);

/** The current deadline (epoch ms), or undefined when none was set. */
export const currentDeadline = (): number | undefined => deadlines.getStore();
