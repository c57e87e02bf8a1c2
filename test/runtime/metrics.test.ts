// The metrics the packaged route Lambda writes, read from its output as CloudWatch would read them:
// Embedded Metric Format lines (Powertools Metrics), one per request, with the namespace, dimension
// sets and values the alarms in serverless.yml name (test/e2e/package.test.ts checks the alarms
// against lib/metrics.ts's list; this checks the code writes what that list says).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMITTED_METRICS, METRICS_NAMESPACE } from '../../lib/metrics.ts';
import { gatewayEvent } from '../helpers/gateway-event.ts';
import { signV4 } from '../unit/auth/helpers.ts';
import { DOMAIN, REGION } from './global-setup.ts';
import { LambdaProcess } from './lambda.ts';
import { seedAlice } from './seed.ts';

const { functions, dynamodbEndpoint, kmsEndpoint, kmsKeyArn, tableName } = inject('runtime');
const ENDPOINTS = { AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint, AWS_ENDPOINT_URL_KMS: kmsEndpoint };

let bucketLambda: LambdaProcess;

beforeAll(async () => {
  Object.assign(process.env, ENDPOINTS, { AWS_ACCESS_KEY_ID: 'AKIDSEED', AWS_SECRET_ACCESS_KEY: 'seed' });
  await seedAlice(dynamodbEndpoint, tableName, kmsKeyArn);
  const spec = functions.aws.find((candidate) => candidate.name === 'bucket');
  if (!spec) throw new Error('no packaged bucket function');
  bucketLambda = await LambdaProcess.start(spec, REGION, ENDPOINTS);
});

afterAll(async () => {
  await bucketLambda?.stop();
});

interface Emf {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

async function request(method: string, path: string, query: Record<string, string> = {}) {
  const wire = await signV4({ method, host: DOMAIN, path, query, signingDate: new Date() });
  const { outcome, output } = await bucketLambda.invoke(gatewayEvent(wire));
  if (outcome.kind === 'error') throw new Error(`${outcome.errorType}: ${outcome.errorMessage}\n${output}`);
  const lines = output
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Emf);
  return { statusCode: (outcome.payload as { statusCode: number }).statusCode, lines, output };
}

const bucket = `metrics-${process.pid}-${Date.now().toString(36)}`;

describe('the packaged route Lambda’s metrics', () => {
  it('writes a ColdStart line on its first request, then one request line per request', async () => {
    const first = await request('PUT', `/${bucket}`);
    expect(first.statusCode).toBe(200);
    const coldStart = first.lines.filter((line) => line.ColdStart === 1);
    expect(coldStart).toHaveLength(1);
    expect(coldStart[0]).toMatchObject({
      service: 'bucket-encryption-api-prod',
      function_name: 'bucket-encryption-api-prod-bucket',
    });
    expect(coldStart[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'function_name']]);
    expect(first.lines.filter((line) => line.ColdStart === undefined)).toHaveLength(1);

    const second = await request('HEAD', `/${bucket}`);
    expect(second.lines.map((line) => line.ColdStart)).toEqual([undefined]);
  });

  it.each([
    [
      'CreateBucket again (us-east-1: 200, nothing changed)',
      'PUT',
      () => `/${bucket}`,
      {},
      200,
      'CreateBucket',
      '2xx',
    ],
    [
      'GetBucketEncryption of a missing bucket',
      'GET',
      () => `/${bucket}-missing`,
      { encryption: '' },
      404,
      'GetBucketEncryption',
      '4xx',
    ],
    [
      'an object PUT (501 NotImplemented: the client’s doing)',
      'PUT',
      () => `/${bucket}/key`,
      {},
      501,
      'Unrouted',
      '4xx',
    ],
  ])(
    'writes Requests and Latency for %s, by outcome and by operation',
    async (_case, method, path, query, status, operation, outcome) => {
      const { statusCode, lines } = await request(method, path(), query);
      expect(statusCode).toBe(status);
      const requestLines = lines.filter((line) => line.Requests !== undefined);
      expect(requestLines).toHaveLength(1);
      const [line] = requestLines;
      expect(line?._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: EMITTED_METRICS.Requests.dimensions.map((set) => [...set]),
          Metrics: [
            { Name: 'Requests', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
          ],
        },
      ]);
      expect(line).toMatchObject({
        service: 'bucket-encryption-api-prod',
        Operation: operation,
        OutcomeClass: outcome,
        Requests: 1,
      });
      expect(line?.Latency).toEqual(expect.any(Number));
      expect(line?.Latency).toBeGreaterThan(0);
    },
  );
});
