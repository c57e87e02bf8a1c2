// Cost per request, measured in-process: each encryption operation through the real route Lambda
// (middy stack, SigV4, credential cache, storage) against DynamoDB Local, after a warm-up. For each
// call: the CPU time this process spent (process.cpuUsage: the handler, the SDK's work, the log and
// metric lines — everything a Lambda is billed for except the wait for DynamoDB), the DynamoDB
// requests it sent and the capacity units DynamoDB reports for them (ReturnConsumedCapacity: TOTAL,
// added to every request by middleware). run.ts turns these into dollars per million requests at
// each memory size (docs/performance.md "Cost per million requests" says how, and the prices).
// Run by run.ts in its own process, with TABLE_NAME, DYNAMODB_ENDPOINT, S3_REGION and LOG_LEVEL set.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler } from '../../functions/route-bucket.ts';
import { storage } from '../../lib/storage/index.ts';
import { lambdaContext, signedEvent } from '../../test/helpers/signed-event.ts';
import { type EncryptionOperation, encryptionRequest, IDENTITY } from '../fixtures.ts';
import { serveSection } from '../lib/child.ts';

/**
 * Public prices, us-east-1, arm64 (docs/performance.md "Prices": each with its page and the date it
 * was read). Dollars per unit.
 */
export const PRICES = {
  apiGatewayHttpRequest: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  dynamodbWriteRequestUnit: 0.625 / 1e6,
  dynamodbReadRequestUnit: 0.125 / 1e6,
  cloudwatchLogsIngestedGb: 0.5,
} as const;

/** Lambda gives a function one vCPU at 1,769 MB, and CPU in proportion to memory below it (AWS: "Configure Lambda function memory"). */
export const FULL_VCPU_MB = 1769;
/**
 * What a Lambda waits per DynamoDB request in AWS, assumed: AWS documents "single-digit millisecond"
 * latency and this machine cannot measure it; DynamoDB Local answers in under 1 ms. Billed time is
 * CPU time scaled to the memory's CPU share plus this wait per request.
 */
export const DYNAMODB_ROUND_TRIP_MS = 4;

export interface PricedCall {
  memoryMb: number;
  billedMs: number;
  dollarsPerMillion: number;
  floorDollarsPerMillion: number;
}

/** A call's price per million at a memory size, and its floor (API Gateway + a 1 ms invocation + one request unit). */
export function priceCall(call: OperationCost, memoryMb: number): PricedCall {
  const gb = memoryMb / 1024;
  const cpuShare = Math.min(1, memoryMb / FULL_VCPU_MB);
  const billedMs = Math.ceil(call.cpuMs / cpuShare + call.requestsPerCall * DYNAMODB_ROUND_TRIP_MS);
  const perCall =
    PRICES.apiGatewayHttpRequest +
    PRICES.lambdaRequest +
    (billedMs / 1000) * gb * PRICES.lambdaArmGbSecond +
    call.readUnitsPerCall * PRICES.dynamodbReadRequestUnit +
    call.writeUnitsPerCall * PRICES.dynamodbWriteRequestUnit;
  const writes = call.operation !== 'GetBucketEncryption';
  const floor =
    PRICES.apiGatewayHttpRequest +
    PRICES.lambdaRequest +
    (1 / 1000) * gb * PRICES.lambdaArmGbSecond +
    (writes ? PRICES.dynamodbWriteRequestUnit : PRICES.dynamodbReadRequestUnit);
  return { memoryMb, billedMs, dollarsPerMillion: perCall * 1e6, floorDollarsPerMillion: floor * 1e6 };
}

export interface CostInput {
  calls: number;
  warmupCalls: number;
}

export interface OperationCost {
  operation: EncryptionOperation;
  /** CPU time of this process per call (user + system), ms. */
  cpuMs: number;
  /** Wall time per call against DynamoDB Local, ms (for reference: DynamoDB in AWS answers slower). */
  wallMs: number;
  /** DynamoDB requests per call (attempts included). */
  requestsPerCall: number;
  /** Capacity units DynamoDB reported per call, by kind. */
  readUnitsPerCall: number;
  writeUnitsPerCall: number;
}

const EXPECTED_STATUS: Record<EncryptionOperation, number> = {
  GetBucketEncryption: 200,
  PutBucketEncryption: 200,
  DeleteBucketEncryption: 204,
};

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

function instrument() {
  const state = { requests: 0, readUnits: 0, writeUnits: 0 };
  const client = storage().client;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      const units = consumed?.CapacityUnits ?? 0;
      if (WRITES.has(context.commandName ?? '')) state.writeUnits += units;
      else state.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  client.middlewareStack.add(
    (next) => (args) => {
      state.requests++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountRequests' },
  );
  return state;
}

const context = lambdaContext();

async function call(operation: EncryptionOperation, bucket: string): Promise<void> {
  const event = await signedEvent(encryptionRequest(operation, bucket));
  const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  if (result.statusCode !== EXPECTED_STATUS[operation]) {
    throw new Error(
      `${operation}: expected ${EXPECTED_STATUS[operation]}, got ${result.statusCode} ${result.body ?? ''}`,
    );
  }
}

serveSection<CostInput, OperationCost[]>(async (input) => {
  const state = instrument();
  const bucket = `cost-${process.pid}`;
  const create = (await handler(
    await signedEvent({ method: 'PUT', path: `/${bucket}`, identity: IDENTITY }),
    context,
  )) as APIGatewayProxyStructuredResultV2;
  if (create.statusCode !== 200) throw new Error(`CreateBucket: ${create.statusCode} ${create.body ?? ''}`);
  await call('PutBucketEncryption', bucket);
  const results: OperationCost[] = [];
  for (const operation of ['GetBucketEncryption', 'PutBucketEncryption', 'DeleteBucketEncryption'] as const) {
    for (let i = 0; i < input.warmupCalls; i++) await call(operation, bucket);
    // Signing the request is the client's work, not the Lambda's: sign every event first.
    const events = await Promise.all(
      Array.from({ length: input.calls }, () => signedEvent(encryptionRequest(operation, bucket))),
    );
    Object.assign(state, { requests: 0, readUnits: 0, writeUnits: 0 });
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const event of events) {
      const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
      if (result.statusCode !== EXPECTED_STATUS[operation])
        throw new Error(`${operation}: ${result.statusCode}`);
    }
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    results.push({
      operation,
      cpuMs: (used.user + used.system) / 1000 / input.calls,
      wallMs: wall / input.calls,
      requestsPerCall: state.requests / input.calls,
      readUnitsPerCall: state.readUnits / input.calls,
      writeUnitsPerCall: state.writeUnits / input.calls,
    });
  }
  return results;
});
