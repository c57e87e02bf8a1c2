// Node.js 24's Lambda runtime refuses, at init, a non-streaming handler that declares three or more
// parameters (callback style: Runtime.CallbackHandlerDeprecated). The runtime reads the exported
// function's `length`; so does this test, for the source modules (the packaged bundles are checked
// under the real runtime interface client in test/runtime/).
import { describe, expect, it } from 'vitest';
import { handler as bucketRoute } from '../../../functions/route-bucket.ts';
import { handler as serviceRoute } from '../../../functions/route-service.ts';

/** What aws-lambda-ric's callback-deprecation check refuses (argsNum >= 3, not streaming). */
const refusedByNode24 = (handler: (...args: never[]) => unknown) => handler.length >= 3;

describe('route handlers', () => {
  it.each([
    ['route-service', serviceRoute],
    ['route-bucket', bucketRoute],
  ])('%s declares (event, context) only', (_name, handler) => {
    expect(handler.length).toBe(2);
    expect(refusedByNode24(handler)).toBe(false);
  });

  it('the check refuses a callback-style handler', () => {
    const callbackStyle = (_event: never, _context: never, _callback: never) => undefined;
    expect(refusedByNode24(callbackStyle)).toBe(true);
  });
});
