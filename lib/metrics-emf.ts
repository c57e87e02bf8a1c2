// Powertools Metrics, bound to the metrics lib/metrics.ts lists: imported by containerMetrics when a
// container's first request (or history batch) starts, so a cold start does not load it.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './log.ts';
import { METRICS_NAMESPACE, type OutcomeClass } from './metrics.ts';

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

/** What the Lambdas record: each method one of the metrics lib/metrics.ts lists. */
export interface MetricsEmitter {
  /** The ColdStart metric, written at once on a container's first invocation (nothing later). */
  recordColdStart(functionName: string): void;
  /** One answered request: Requests and Latency, by outcome and by operation and outcome. */
  recordRequest(operation: string, outcome: OutcomeClass, latencyMs: number): void;
  /** One history batch's counts. */
  recordHistoryBatch(counts: { written: number; failed: number; deferred: number }): void;
  /** Writes what was recorded as one EMF line (at the end of each invocation). */
  publish(): void;
}

export function createMetricsEmitter(serviceName: string): MetricsEmitter {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger: metricsLogger });
  return {
    recordColdStart(functionName) {
      metrics.captureColdStartMetric(functionName);
    },
    recordRequest(operation, outcome, latencyMs) {
      // Two dimension sets on one line: by outcome (what the alarms read) and by operation and outcome.
      metrics.addDimensions({ OutcomeClass: outcome });
      metrics.addDimensions({ Operation: operation, OutcomeClass: outcome });
      metrics.addMetric('Requests', MetricUnit.Count, 1);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, latencyMs);
    },
    recordHistoryBatch(counts) {
      metrics.addMetric('HistoryEntriesWritten', MetricUnit.Count, counts.written);
      metrics.addMetric('HistoryEntriesFailed', MetricUnit.Count, counts.failed);
      metrics.addMetric('HistoryRecordsDeferred', MetricUnit.Count, counts.deferred);
    },
    publish() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
