// Invokes the route Lambdas in-process, as API Gateway would.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { handler as serviceRoute } from '../../functions/route-service.ts';
import { storage } from '../../lib/storage/index.ts';
import { lambdaContext, md5, type RequestShape, signedEvent } from './signed-event.ts';

export type Result = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
};

/** Sends a signed request to the route Lambda API Gateway would pick for its path. */
export async function send(shape: RequestShape): Promise<Result> {
  const event = await signedEvent(shape);
  const route = shape.path === '/' ? serviceRoute : bucketRoute;
  return (await route(event, lambdaContext())) as Result;
}

export { errorCode, expectS3Error } from './s3-error.ts';

/** PutBucketEncryption as AWS CLI v2 sends it (`/b?encryption`, Content-MD5), as OWNER unless told. */
export const putEncryption = (bucket: string, body: string | Buffer, options: Partial<RequestShape> = {}) =>
  send({
    method: 'PUT',
    path: `/${bucket}`,
    query: 'encryption',
    body,
    ...options,
    headers: { 'content-md5': md5(body), ...options.headers },
  });

let counters = 0;

/** What `run` returned, and how many requests the service's DynamoDB client sent meanwhile. */
export async function countDynamoRequests<T>(
  run: () => Promise<T>,
): Promise<{ requests: number; result: T }> {
  let requests = 0;
  const name = `countRequests${++counters}`;
  storage().client.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    const result = await run();
    return { requests, result };
  } finally {
    storage().client.middlewareStack.remove(name);
  }
}
