// The gateway's own floor (benchmark only, never deployed): a route that answers what the S3 SDK
// expects without doing anything — GET a fixed encryption configuration, anything else 200 — so the
// benchmark's clients do the same work against it as against the real routes, and what remains is
// serverless-offline's cost per request.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const CONFIGURATION =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  event.requestContext.http.method === 'GET'
    ? { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: CONFIGURATION }
    : { statusCode: 200, body: '' };
