// Why a request was refused is in the log at LOG_LEVEL=DEBUG, from the one place errors are answered
// (lib/http/stack.ts's error handler), and never in the answer: the client gets AWS's fixed message.
import { describe, expect, it, vi } from 'vitest';
import { S3_ERRORS } from '../../lib/errors.ts';
import { AES256_XML } from '../helpers/bodies.ts';
import { uniqueBucket } from '../helpers/identities.ts';
import { errorCode, putEncryption, send } from '../helpers/invoke.ts';
import { captureLogLines } from '../helpers/log-lines.ts';

// The suite runs with logging off (test/helpers/env.ts); this file reads the lines at DEBUG.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const logLines = captureLogLines();

const refusals = () => logLines().filter((line) => line.message === 'request refused');
const byDefault = (algorithm: string) =>
  `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;

describe('the reason of a refusal at LOG_LEVEL=DEBUG', () => {
  const bucket = uniqueBucket('refusal-log');

  it('logs why an SSEAlgorithm was refused, without the value, and answers MalformedXML without the reason', async () => {
    expect((await send({ method: 'PUT', path: `/${bucket}` })).statusCode).toBe(200);
    const result = await putEncryption(bucket, byDefault('AES257'));
    expect(result.statusCode).toBe(400);
    expect(errorCode(result)).toBe('MalformedXML');
    const reason = 'SSEAlgorithm is not one of AES256, aws:kms, aws:kms:dsse (profile aws)';
    expect(refusals()).toEqual([
      expect.objectContaining({
        level: 'DEBUG',
        code: 'MalformedXML',
        reason,
        s3RequestId: result.headers['x-amz-request-id'],
      }),
    ]);
    expect(result.body).not.toContain('AES257');
    // Nor does the log hold what the client sent (test/integration/hostile.test.ts: never a body).
    expect(JSON.stringify(logLines())).not.toContain('AES257');
    expect(result.body).toContain(
      '<Message>The XML you provided was not well-formed or did not validate against our published schema</Message>',
    );
  });

  it.each([
    ['a body that is not XML', 'not xml at all', 'MalformedXML'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "e">]>${AES256_XML}`, 'MalformedXML'],
    ['an empty body', '', 'MalformedXML'],
  ] as const)('logs the reason of %s', async (_name, body, code) => {
    const result = await putEncryption(bucket, body);
    expect(errorCode(result)).toBe(code);
    const [refusal, ...more] = refusals();
    expect(more).toEqual([]);
    expect(refusal).toMatchObject({ code, reason: expect.any(String) });
    // The reason says more than the answer's fixed message: it names what was wrong.
    expect(refusal?.reason).not.toBe(S3_ERRORS[code][1]);
    expect(result.body).not.toContain(String(refusal?.reason));
  });
});
