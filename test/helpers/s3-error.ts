// The one check of an S3 error answer, for every test that sends a request (in-process through
// invoke.ts, or over HTTP to a gateway): the status, the request-id headers, and the whole error
// document — XML declaration, `<Error>` with Code, Message (empty only where AWS sends it empty: an
// unknown canned ACL), the code's own fields, Resource, RequestId (the one in the header) and HostId
// (the one in `x-amz-id-2`); a HEAD answer has no body.
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses
import { expect } from 'vitest';
import { S3Error } from '../../lib/errors.ts';

/** An HTTP answer: the route Lambda's result (statusCode) or a response read off the wire (status). */
export type Answer = { headers: Record<string, string | undefined>; body: string } & (
  | { statusCode: number }
  | { status: number }
);

export interface ErrorDocument {
  code: string;
  message: string;
  /** The code's own elements between Message and Resource, as sent (e.g. `<BucketName>b1</BucketName>`). */
  fields: string;
  resource: string;
  requestId: string;
  hostId: string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ERROR_DOCUMENT =
  /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>([^<]+)<\/Code><Message>([^<]*)<\/Message>(.*)<Resource>([^<]*)<\/Resource><RequestId>([^<]+)<\/RequestId><HostId>([^<]+)<\/HostId><\/Error>$/s;

const statusOf = (answer: Answer) => ('statusCode' in answer ? answer.statusCode : answer.status);

/** The `<Code>` of an S3 error document. */
export const errorCode = (answer: { body: string }) => /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];

/** The parts of an S3 `<Error>` document, or undefined when the body is not one. */
export function errorDocument(body: string): ErrorDocument | undefined {
  const match = ERROR_DOCUMENT.exec(body);
  if (!match) return undefined;
  const [, code = '', message = '', fields = '', resource = '', requestId = '', hostId = ''] = match;
  return { code, message, fields, resource, requestId, hostId };
}

/**
 * Asserts an S3 error answer with this status and code. The request-id headers are S3's (`x-amz-…`), or
 * OBS's (`x-obs-…`) when the request was OBS-signed. Returns the document (undefined for a HEAD).
 */
export function expectS3Error(
  answer: Answer,
  status: number,
  code: string,
  options: { method?: string; resource?: string } = {},
): ErrorDocument | undefined {
  const requestId = answer.headers['x-amz-request-id'] ?? answer.headers['x-obs-request-id'];
  const hostId = answer.headers['x-amz-id-2'] ?? answer.headers['x-obs-id-2'];
  expect({ status: statusOf(answer), code: errorCode(answer) ?? null }).toEqual({
    status,
    code: options.method?.toUpperCase() === 'HEAD' ? null : code,
  });
  expect(requestId).toMatch(/^[0-9A-F]{16}$/);
  expect(hostId).toMatch(/^\S+$/);
  if (options.method?.toUpperCase() === 'HEAD') {
    expect(answer.body).toBe('');
    return undefined;
  }
  expect(answer.headers['content-type']).toBe('application/xml');
  expect(answer.body.startsWith(`${XML_DECLARATION}<Error><Code>${code}</Code><Message>`)).toBe(true);
  const document = errorDocument(answer.body);
  expect(document, answer.body).toMatchObject({ code, requestId, hostId });
  if (options.resource !== undefined) expect(document?.resource).toBe(options.resource);
  return document;
}

/** Runs `action` and returns the S3Error it throws; fails if it returns or throws anything else. */
export function s3ErrorOf(action: () => unknown): S3Error {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(S3Error);
    return error as S3Error;
  }
  expect.fail('expected an S3Error, but nothing was thrown');
}

/** The S3Error a promise rejects with; fails if it resolves or rejects with anything else. */
export async function rejectedS3Error(promise: Promise<unknown>): Promise<S3Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(S3Error);
    return error as S3Error;
  }
  expect.fail('expected an S3Error, but the promise resolved');
}
