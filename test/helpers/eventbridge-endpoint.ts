// An EventBridge endpoint for tests, speaking the protocol the SDK's EventBridgeClient speaks (AWS JSON
// 1.1 through test/helpers/json-protocol.ts: `X-Amz-Target: AWSEvents.<Operation>`). It serves
// PutEvents as the EventBridge API reference documents it (API_PutEvents; "Sending events with
// PutEvents", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html): the answer's
// `Entries` has one result per request entry, in order — an `EventId` for an accepted one, `ErrorCode`
// and `ErrorMessage` for a refused one — and `FailedEntryCount` counts the refused. An entry for a bus
// this endpoint does not hold is refused as EventBridge refuses it (`ResourceNotFoundException`).
// Tests can make it refuse entries or fail whole calls, and read back every event it accepted, in the
// shape a rule's target receives (`source`, `detail-type`, `resources`, `detail` parsed).
import { randomUUID } from 'node:crypto';
import { JsonProtocolError, startJsonProtocolServer } from './json-protocol.ts';

/** One accepted event, as a subscriber of the bus receives it. */
export interface DeliveredEvent {
  id: string;
  bus: string;
  source: string;
  'detail-type': string;
  resources: string[];
  time: string;
  detail: Record<string, unknown>;
}

/** A whole-call failure: the HTTP status and the JSON 1.1 error type. */
export interface CallFailure {
  status: number;
  type: string;
}

export interface EventBridgeEndpoint {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_EVENTBRIDGE or a client's `endpoint`. */
  url: string;
  /** Operations called, in order (`PutEvents`…), a failed or refused call included. */
  calls: string[];
  /** Every event accepted, in order of arrival. */
  delivered: DeliveredEvent[];
  /** Creates a bus (PutEvents to any other name is refused per entry). */
  addBus(name: string): void;
  /**
   * The next `count` entries (of those `when` picks; all by default) are refused with this code
   * (e.g. `InternalFailure`), whatever their bus.
   */
  refuseEntries(
    count: number,
    errorCode?: string,
    when?: (event: Omit<DeliveredEvent, 'id'>) => boolean,
  ): void;
  /** The next `count` calls fail as a whole (e.g. 400 ThrottlingException, 500 InternalException). */
  failCalls(count: number, failure?: CallFailure): void;
  stop(): Promise<void>;
}

interface RequestEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number;
}

export async function startEventBridgeEndpoint(
  region = 'us-east-1',
  account = '123456789012',
): Promise<EventBridgeEndpoint> {
  const buses = new Set(['default']);
  const delivered: DeliveredEvent[] = [];
  type Refusals = { count: number; code: string; when: (event: Omit<DeliveredEvent, 'id'>) => boolean };
  let refusals: Refusals = { count: 0, code: 'InternalFailure', when: () => true };
  let failures: { count: number; failure: CallFailure } = {
    count: 0,
    failure: { status: 500, type: 'InternalException' },
  };

  /** A bus name or ARN → its name, when this endpoint holds it. */
  const busOf = (nameOrArn: string | undefined) => {
    const name = (nameOrArn ?? 'default').replace(`arn:aws:events:${region}:${account}:event-bus/`, '');
    return buses.has(name) ? name : undefined;
  };

  const putEvents = (input: { Entries?: RequestEntry[] }) => {
    const results = (input.Entries ?? []).map((entry) => {
      const event = {
        bus: entry.EventBusName ?? 'default',
        source: String(entry.Source),
        'detail-type': String(entry.DetailType),
        resources: entry.Resources ?? [],
        // The SDK sends Time as epoch seconds; EventBridge stamps the time of receipt without one.
        time: new Date(entry.Time !== undefined ? entry.Time * 1000 : Date.now()).toISOString(),
        detail: JSON.parse(entry.Detail ?? '{}'),
      };
      if (refusals.count > 0 && refusals.when(event)) {
        refusals.count -= 1;
        return { ErrorCode: refusals.code, ErrorMessage: 'refused by the test' };
      }
      const bus = busOf(entry.EventBusName);
      if (!bus) {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
        };
      }
      const id = randomUUID();
      delivered.push({ id, ...event, bus });
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  };

  const server = await startJsonProtocolServer({
    targetPrefix: 'AWSEvents',
    intercept() {
      if (failures.count === 0) return undefined;
      failures.count -= 1;
      return new JsonProtocolError(failures.failure.status, failures.failure.type, 'failed by the test');
    },
    serve(operation, input) {
      if (operation !== 'PutEvents') {
        throw new JsonProtocolError(400, 'UnknownOperationException', `${operation} is not served here`);
      }
      const entries = input.Entries;
      // PutEvents takes 1 to 10 entries (API reference: Entries, array members 1–10).
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
        throw new JsonProtocolError(400, 'ValidationException', 'Entries must hold 1 to 10 entries');
      }
      return putEvents(input as { Entries: RequestEntry[] });
    },
  });
  return {
    url: server.url,
    calls: server.calls,
    stop: server.stop,
    delivered,
    addBus: (name) => {
      buses.add(name);
    },
    refuseEntries: (count, code = 'InternalFailure', when = () => true) => {
      refusals = { count, code, when };
    },
    failCalls: (count, failure = { status: 500, type: 'InternalException' }) => {
      failures = { count, failure };
    },
  };
}
