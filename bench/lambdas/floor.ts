// Cold-start floor (benchmark only, never deployed): a Lambda that imports and constructs the
// DynamoDB client and nothing else, packaged by `serverless package` with the production esbuild
// settings (serverless.bench.yml). Every real bundle needs at least this much; the benchmark measures
// what they cost beyond it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async () => ({ statusCode: 204, body: client.config.serviceId });
