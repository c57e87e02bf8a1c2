// In-process: each encryption operation through the real route Lambda (middy stack, SigV4
// verification, credential cache, storage) against DynamoDB Local, interleaved with its floor —
// the very DynamoDB request the handler made, replayed raw on the same DynamoDBClient instance.
// Also counts the DynamoDB requests each handler call makes (SDK middleware, every attempt), and
// those of the Block Public Access, Object Ownership and ACL calls (counted only, not timed).
// Run by run.ts in its own process, with TABLE_NAME, DYNAMODB_ENDPOINT, S3_REGION and LOG_LEVEL set.
import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler } from '../../functions/route-bucket.ts';
import { keyItemKey } from '../../lib/storage/access-keys.ts';
import { storage } from '../../lib/storage/index.ts';
import { lambdaContext, signedEvent } from '../../test/helpers/signed-event.ts';
import {
  type EncryptionOperation,
  encryptionRequest,
  IDENTITY,
  KMS_CONFIGURATION,
  SECURITY_REQUESTS,
} from '../fixtures.ts';
import { serveSection } from '../lib/child.ts';
import { type Summary, summarize } from '../lib/stats.ts';

export interface HandlerInput {
  pairs: number;
  warmupPairs: number;
}

export interface OperationResult {
  operation: EncryptionOperation;
  /** The DynamoDB command(s) the handler made, replayed as the floor. */
  floorCommands: string[];
  handler: Summary;
  floor: Summary;
  medianRatio: number;
  p99Ratio: number;
  /** DynamoDB HTTP requests (attempts included) per handler call, measured phase only. */
  requestsPerCall: number;
  /** The same count for the floor: 1.0 unless the SDK retried. */
  floorRequestsPerCall: number;
}

/** An operation's DynamoDB requests per call, counted over `calls` calls after one warm-up call. */
export interface RequestCount {
  operation: string;
  calls: number;
  requestsPerCall: number;
}

export interface HandlerResult {
  timed: OperationResult[];
  counted: RequestCount[];
}

const EXPECTED_STATUS: Record<EncryptionOperation, number> = {
  GetBucketEncryption: 200,
  PutBucketEncryption: 200,
  DeleteBucketEncryption: 204,
};

// How each command the storage layer sends is replayed raw (the input exactly as captured).
type Replay = (client: DynamoDBClient, input: unknown) => Promise<unknown>;
const REPLAY: Record<string, Replay> = {
  GetItemCommand: (client, input) => client.send(new GetItemCommand(input as GetItemCommandInput)),
  PutItemCommand: (client, input) => client.send(new PutItemCommand(input as PutItemCommandInput)),
  UpdateItemCommand: (client, input) => client.send(new UpdateItemCommand(input as UpdateItemCommandInput)),
  DeleteItemCommand: (client, input) => client.send(new DeleteItemCommand(input as DeleteItemCommandInput)),
  QueryCommand: (client, input) => client.send(new QueryCommand(input as QueryCommandInput)),
};

interface Captured {
  command: string;
  input: unknown;
}

/** A captured input is replayed as is, call after call: frozen, so nothing can change it between calls. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The access-key read: a GetItem of the key's item (lib/storage/access-keys.ts keyItemKey). */
const KEY_SORT = keyItemKey('').sk.S;
const KEY_PREFIX = keyItemKey('').pk.S;
const isKeyRead = (command: string | undefined, input: unknown) => {
  const key = (input as GetItemCommandInput).Key;
  return command === 'GetItemCommand' && key?.sk?.S === KEY_SORT && (key.pk?.S ?? '').startsWith(KEY_PREFIX);
};

/**
 * Middleware on the handler's own client: the commands it sends, and every HTTP attempt. The
 * credential cache reads each access key again once its entry expires (CREDENTIAL_CACHE_TTL_SECONDS,
 * 60 s): that read is not counted, so a count never depends on whether a minute happened to end
 * inside its window (it did once: GetPublicAccessBlock 201 requests in 200 calls).
 */
function instrument(client: DynamoDBClient) {
  // Capturing only when asked: outside, both sides pay the same one increment per request.
  const state = { attempts: 0, capturing: false, captured: [] as Captured[] };
  const keyRead = new WeakSet<object>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (isKeyRead(context.commandName, args.input)) keyRead.add(context);
      else if (state.capturing) {
        state.captured.push({
          command: context.commandName ?? '',
          input: deepFreeze(structuredClone(args.input)),
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCaptureCommand' },
  );
  // The deserialize step runs inside the retry loop: one call per HTTP request sent.
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (!keyRead.has(context)) state.attempts++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountRequests' },
  );
  return state;
}

const context = lambdaContext();

async function invoke(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
}

async function expectStatus(event: APIGatewayProxyEventV2, status: number, what: string): Promise<void> {
  const result = await invoke(event);
  if (result.statusCode !== status) {
    throw new Error(`${what}: expected ${status}, got ${result.statusCode} ${result.body ?? ''}`);
  }
}

async function measure(
  operation: EncryptionOperation,
  bucket: string,
  input: HandlerInput,
  client: DynamoDBClient,
  probe: ReturnType<typeof instrument>,
): Promise<OperationResult> {
  const event = await signedEvent(encryptionRequest(operation, bucket));
  const status = EXPECTED_STATUS[operation];

  // Capture the handler's steady-state DynamoDB request(s): the floor replays exactly these.
  await expectStatus(event, status, operation);
  probe.captured = [];
  probe.capturing = true;
  await expectStatus(event, status, operation);
  probe.capturing = false;
  const captured = probe.captured;
  if (captured.length === 0) throw new Error(`${operation} made no DynamoDB request`);
  const floorCommands = captured.map(({ command, input: commandInput }) => {
    const replay = REPLAY[command];
    if (!replay) throw new Error(`${operation} sent ${command}, which the floor cannot replay`);
    return () => replay(client, commandInput);
  });
  const floor = async () => {
    for (const send of floorCommands) await send();
  };

  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  let handlerAttempts = 0;
  let floorAttempts = 0;
  const runHandler = async (record: boolean) => {
    const before = probe.attempts;
    const started = performance.now();
    const result = await invoke(event);
    const elapsed = performance.now() - started;
    if (result.statusCode !== status) throw new Error(`${operation} answered ${result.statusCode}`);
    if (record) {
      handlerMs.push(elapsed);
      handlerAttempts += probe.attempts - before;
    }
  };
  const runFloor = async (record: boolean) => {
    const before = probe.attempts;
    const started = performance.now();
    await floor();
    const elapsed = performance.now() - started;
    if (record) {
      floorMs.push(elapsed);
      floorAttempts += probe.attempts - before;
    }
  };

  // A B, then B A: neither side always follows the other (DynamoDB Local's own rhythm, GC).
  for (let i = 0; i < input.warmupPairs + input.pairs; i++) {
    const record = i >= input.warmupPairs;
    if (i % 2 === 0) {
      await runHandler(record);
      await runFloor(record);
    } else {
      await runFloor(record);
      await runHandler(record);
    }
  }
  const handlerSummary = summarize(handlerMs);
  const floorSummary = summarize(floorMs);
  return {
    operation,
    floorCommands: captured.map(({ command }) => command),
    handler: handlerSummary,
    floor: floorSummary,
    medianRatio: handlerSummary.p50 / floorSummary.p50,
    p99Ratio: handlerSummary.p99 / floorSummary.p99,
    requestsPerCall: handlerAttempts / input.pairs,
    floorRequestsPerCall: floorAttempts / input.pairs,
  };
}

/** The requests per call of each SECURITY_REQUESTS operation on a bucket of its own. */
async function count(
  input: HandlerInput,
  probe: ReturnType<typeof instrument>,
  suffix: string,
): Promise<RequestCount[]> {
  const calls = Math.min(200, input.pairs);
  const counted: RequestCount[] = [];
  for (const [operation, { status, request }] of Object.entries(SECURITY_REQUESTS)) {
    const bucket = `bench-${operation.toLowerCase()}-${suffix}`.slice(0, 63);
    await expectStatus(
      await signedEvent({ method: 'PUT', path: `/${bucket}`, identity: IDENTITY }),
      200,
      'CreateBucket',
    );
    const event = await signedEvent(await request(bucket));
    await expectStatus(event, status, operation);
    const before = probe.attempts;
    for (let call = 0; call < calls; call++) await expectStatus(event, status, operation);
    counted.push({ operation, calls, requestsPerCall: (probe.attempts - before) / calls });
  }
  return counted;
}

async function run(input: HandlerInput): Promise<HandlerResult> {
  const client = storage().client;
  const probe = instrument(client);
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const buckets: Record<EncryptionOperation, string> = {
    GetBucketEncryption: `bench-get-${suffix}`,
    PutBucketEncryption: `bench-put-${suffix}`,
    DeleteBucketEncryption: `bench-delete-${suffix}`,
  };
  for (const bucket of Object.values(buckets)) {
    await expectStatus(
      await signedEvent({ method: 'PUT', path: `/${bucket}`, identity: IDENTITY }),
      200,
      'CreateBucket',
    );
  }
  // Get answers a stored KMS configuration (the serializer's longest path), not the default.
  await expectStatus(
    await signedEvent(encryptionRequest('PutBucketEncryption', buckets.GetBucketEncryption)),
    200,
    `PutBucketEncryption ${KMS_CONFIGURATION.length} bytes`,
  );
  const results: OperationResult[] = [];
  for (const operation of Object.keys(buckets) as EncryptionOperation[]) {
    results.push(await measure(operation, buckets[operation], input, client, probe));
  }
  return { timed: results, counted: await count(input, probe, suffix) };
}

serveSection(run);
