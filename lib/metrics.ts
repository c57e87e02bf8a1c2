// CloudWatch metrics as Embedded Metric Format lines (Powertools Metrics): one JSON line on stdout per
// invocation, which CloudWatch Logs turns into metrics with no API call and no extra latency. The
// alarms and the dashboard in serverless.yml read these (docs/operations.md); test/e2e/package.test.ts
// checks every alarm's metric against EMITTED_METRICS, and the runtime tests read the lines.
// Off against DynamoDB Local (npm start, the in-process tests: lib/config.ts `metrics`), where the
// lines would only crowd the access log.
// This module is what a cold start loads: the metric list and the outcome classes. Powertools Metrics
// is lib/metrics-emf.ts, imported when the first request starts (containerMetrics), while that request
// reads its key and its bucket, and awaited only when its line is written (docs/performance.md).
import type { MetricUnit } from '@aws-lambda-powertools/metrics';
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

export type MetricsEmitter = import('./metrics-emf.ts').MetricsEmitter;

let loading: Promise<MetricsEmitter | null> | undefined;

/**
 * The container's metrics, or null when metrics are off: the first call imports Powertools Metrics
 * (a chunk of its own in the bundles), later calls get the same emitter. An import that fails is
 * logged, writes no line for that invocation and is tried again by the next.
 */
export function containerMetrics(): Promise<MetricsEmitter | null> {
  if (!config().metrics) return Promise.resolve(null);
  loading ??= import('./metrics-emf.ts').then(
    ({ createMetricsEmitter }) => createMetricsEmitter(config().metricsService),
    (error: unknown) => {
      loading = undefined;
      logger.error('metrics unavailable', { error });
      return null;
    },
  );
  return loading;
}

/** Tests that change the environment call this. */
export function resetMetrics(): void {
  loading = undefined;
}
