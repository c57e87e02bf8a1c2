// CloudWatch metrics as Embedded Metric Format lines (Powertools Metrics): one JSON line on stdout per
// invocation, which CloudWatch Logs turns into metrics with no API call and no extra latency. The
// alarms and the dashboard in serverless.yml read these (docs/operations.md); test/e2e/package.test.ts
// checks every alarm's metric against EMITTED_METRICS, and the runtime tests read the lines.
// Off against DynamoDB Local (npm start, the in-process tests: lib/config.ts `metrics`), where the
// lines would only crowd the access log.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from './config.ts';
import { logger } from './log.ts';

export const METRICS_NAMESPACE = 'BucketEncryptionApi';

/** Every metric the code emits, with its unit and the dimension sets it carries. */
export const EMITTED_METRICS = {
  /** One per answered request (route Lambdas). */
  Requests: {
    unit: 'Count',
    dimensions: [
      ['service', 'OutcomeClass'],
      ['service', 'Operation', 'OutcomeClass'],
    ],
  },
  /** The request's time in the Lambda, from the first middleware to the answer. */
  Latency: {
    unit: 'Milliseconds',
    dimensions: [
      ['service', 'OutcomeClass'],
      ['service', 'Operation', 'OutcomeClass'],
    ],
  },
  /** Powertools' cold-start metric: one on each container's first invocation. */
  ColdStart: { unit: 'Count', dimensions: [['service', 'function_name']] },
  /** The history Lambda: entries written (new; a redelivery writes none), records failed, records handed back before the deadline. */
  HistoryEntriesWritten: { unit: 'Count', dimensions: [['service']] },
  HistoryEntriesFailed: { unit: 'Count', dimensions: [['service']] },
  HistoryRecordsDeferred: { unit: 'Count', dimensions: [['service']] },
} as const satisfies Record<
  string,
  { unit: (typeof MetricUnit)[keyof typeof MetricUnit]; dimensions: readonly (readonly string[])[] }
>;

export type OutcomeClass = '2xx' | '4xx' | '5xx';

/**
 * Who an answer's status puts at fault. 501 NotImplemented (an operation this service does not offer)
 * answers what the client asked for: it counts as 4xx, so the 5xx alarm means a failure of ours.
 */
export function outcomeClass(statusCode: number, code: string | undefined): OutcomeClass {
  if (statusCode >= 500 || statusCode < 100) return code === 'NotImplemented' ? '4xx' : '5xx';
  return statusCode >= 400 ? '4xx' : '2xx';
}

// Powertools warns when one key is in two dimension sets, as OutcomeClass is here on purpose (the
// same value in both: by outcome, and by operation and outcome); every other message goes to the log.
const SAME_KEY_IN_TWO_SETS = /defined as both a dimension set and dimension set/;
const metricsLogger = {
  debug: (...args: unknown[]) => logger.debug(String(args[0]), { detail: args.slice(1) }),
  info: (...args: unknown[]) => logger.info(String(args[0]), { detail: args.slice(1) }),
  warn: (...args: unknown[]) => {
    if (!SAME_KEY_IN_TWO_SETS.test(String(args[0]))) logger.warn(String(args[0]), { detail: args.slice(1) });
  },
  error: (...args: unknown[]) => logger.error(String(args[0]), { detail: args.slice(1) }),
};

let metrics: Metrics | undefined | null;

/** The container's Metrics, or null when metrics are off. */
function containerMetrics(): Metrics | null {
  if (metrics === undefined) {
    const settings = config();
    metrics = settings.metrics
      ? new Metrics({
          namespace: METRICS_NAMESPACE,
          serviceName: settings.metricsService,
          logger: metricsLogger,
        })
      : null;
  }
  return metrics;
}

/** The ColdStart metric, written at once on a container's first invocation (nothing later). */
export function recordColdStart(functionName: string): void {
  containerMetrics()?.captureColdStartMetric(functionName);
}

/** One answered request: Requests and Latency, by outcome and by operation and outcome. */
export function recordRequest(operation: string, outcome: OutcomeClass, latencyMs: number): void {
  const emitter = containerMetrics();
  if (!emitter) return;
  // Two dimension sets on one line: by outcome (what the alarms read) and by operation and outcome.
  emitter.addDimensions({ OutcomeClass: outcome });
  emitter.addDimensions({ Operation: operation, OutcomeClass: outcome });
  emitter.addMetric('Requests', MetricUnit.Count, 1);
  emitter.addMetric('Latency', MetricUnit.Milliseconds, latencyMs);
}

/** One history batch's counts. */
export function recordHistoryBatch(counts: { written: number; failed: number; deferred: number }): void {
  const emitter = containerMetrics();
  if (!emitter) return;
  emitter.addMetric('HistoryEntriesWritten', MetricUnit.Count, counts.written);
  emitter.addMetric('HistoryEntriesFailed', MetricUnit.Count, counts.failed);
  emitter.addMetric('HistoryRecordsDeferred', MetricUnit.Count, counts.deferred);
}

/** Writes what was recorded as one EMF line (at the end of each invocation). */
export function publishMetrics(): void {
  const emitter = containerMetrics();
  if (emitter?.hasStoredMetrics()) emitter.publishStoredMetrics();
}

/** Tests that change the environment call this. */
export function resetMetrics(): void {
  metrics = undefined;
}
