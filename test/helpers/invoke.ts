// Invokes the route Lambdas in-process, as API Gateway would.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as bucketRoute } from '../../functions/route-bucket.ts';
import { handler as serviceRoute } from '../../functions/route-service.ts';
import { lambdaContext, type RequestShape, signedEvent } from './signed-event.ts';

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
