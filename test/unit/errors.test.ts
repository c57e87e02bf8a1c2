import { describe, expect, it } from 'vitest';
import { S3_ERRORS, S3Error } from '../../lib/errors.ts';

describe('S3Error', () => {
  it.each(Object.entries(S3_ERRORS))('takes the status of %s from the table', (code, [status, message]) => {
    const error = new S3Error(code as keyof typeof S3_ERRORS);
    expect(error.statusCode).toBe(status);
    expect(error.publicMessage).toBe(message);
  });

  it('never exposes the message of a server error', () => {
    const error = new S3Error('InternalError', { message: 'ResourceNotFoundException: table buckets-dev' });
    expect(error.expose).toBe(false);
    expect(error.publicMessage).toBe(S3_ERRORS.InternalError[1]);
  });

  // AWS's error list: the two 503s say different things; "reduce your request rate" is SlowDown's.
  it("gives ServiceUnavailable its own message, not SlowDown's", () => {
    expect(new S3Error('ServiceUnavailable').publicMessage).toBe('Service is unable to handle request.');
    expect(new S3Error('SlowDown').publicMessage).toBe('Please reduce your request rate.');
  });
});
