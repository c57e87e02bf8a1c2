// The shared middy stack (lib/http/stack.ts), seen from outside: every answer carries its ids, every
// invocation writes one access line naming the Lambda and S3 request ids, per-invocation log keys do
// not outlive the invocation, and a request that does not even decode is still answered in S3 XML.
import { describe, expect, it, vi } from 'vitest';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { logger } from '../../lib/log.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import { errorCode, type Result, send } from '../helpers/invoke.ts';
import { captureLogLines } from '../helpers/log-lines.ts';
import { lambdaContext, signedEvent } from '../helpers/signed-event.ts';

// The suite runs with logging off (test/helpers/env.ts); these tests read the lines, so the logger is
// created (when lib/log.ts is first imported, after this) at INFO.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

const logLines = captureLogLines();

const accessLines = () => logLines().filter((line) => line.message === 'request');

describe('the middy stack', () => {
  it('writes one access line naming the Lambda request id and the S3 request id it answered with', async () => {
    const bucket = uniqueBucket('stack');
    const result = await send({ method: 'PUT', path: `/${bucket}` });
    expect(result.statusCode).toBe(200);
    expect(accessLines()).toEqual([
      expect.objectContaining({
        function_request_id: 'test-request',
        s3RequestId: result.headers['x-amz-request-id'],
        method: 'PUT',
        bucket,
        status: 200,
      }),
    ]);
    expect(result.headers['x-amz-id-2']).toMatch(/^[A-Za-z0-9+/=]{32}$/);
  });

  it('answers an error in S3 XML with the same ids in headers, document and access line', async () => {
    const result = await send({ method: 'GET', path: `/${uniqueBucket('absent')}`, query: 'encryption' });
    expect(result.statusCode).toBe(404);
    expect(errorCode(result)).toBe('NoSuchBucket');
    const requestId = result.headers['x-amz-request-id'];
    expect(result.body).toContain(`<RequestId>${requestId}</RequestId>`);
    expect(result.body).toContain(`<HostId>${result.headers['x-amz-id-2']}</HostId>`);
    expect(accessLines()).toEqual([
      expect.objectContaining({ s3RequestId: requestId, status: 404, code: 'NoSuchBucket' }),
    ]);
  });

  it('answers a request that does not decode (a malformed escape) 400 InvalidURI, for the service', async () => {
    const event = await signedEvent({ method: 'GET', path: '/b1', query: 'encryption', unsigned: true });
    const result = (await bucketRoute(
      { ...event, rawQueryString: 'encryption&a=%ZZ' },
      lambdaContext(),
    )) as Result;
    expect(result.statusCode).toBe(400);
    expect(errorCode(result)).toBe('InvalidURI');
    expect(result.body).toContain('<Resource>/</Resource>');
    expect(result.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    expect(accessLines()).toEqual([expect.objectContaining({ status: 400, code: 'InvalidURI' })]);
  });

  it('leaves no key of an invocation on the logger once it has answered, success or error', async () => {
    await send({ method: 'GET', path: `/${uniqueBucket('absent')}`, query: 'encryption' });
    await send({ method: 'GET', path: '/' });
    logger.info('after');
    const after = logLines().find((line) => line.message === 'after');
    expect(after).toBeDefined();
    expect(after).not.toHaveProperty('s3RequestId');
  });

  // One after the other, as a Lambda container serves them: the logger's keys are the container's.
  it('gives every request ids of its own', async () => {
    const results: Result[] = [];
    for (let i = 0; i < 5; i++) results.push(await send({ method: 'GET', path: '/' }));
    const ids = results.map((result) => result.headers['x-amz-request-id']);
    expect(new Set(ids).size).toBe(5);
    expect(accessLines().map((line) => line.s3RequestId)).toEqual(ids);
  });
});
