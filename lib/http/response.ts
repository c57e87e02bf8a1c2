import { XML_DECLARATION } from '../xml/write.ts';

/** What an operation answers; the stack adds request ids and turns it into the gateway's shape. */
export interface S3Response {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export const emptyResponse = (statusCode: number, headers: Record<string, string> = {}): S3Response => ({
  statusCode,
  headers,
});

export const xmlResponse = (
  body: string,
  statusCode = 200,
  headers: Record<string, string> = {},
): S3Response => ({
  statusCode,
  headers: { 'content-type': 'application/xml', ...headers },
  body: body.startsWith('<?xml') ? body : XML_DECLARATION + body,
});
