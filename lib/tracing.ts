// X-Ray tracing through Powertools Tracer, only with `--param tracing=true` (TRACING=true). The Tracer,
// and the X-Ray SDK under it, are import()ed on the first traced invocation: with tracing off (the
// default) nothing of them is loaded, and with code splitting they are chunks a cold start never
// reads (test/e2e/package.test.ts). Each invocation gets a `## <name>` subsegment, and the AWS SDK
// clients it is given are captured once, so each DynamoDB/KMS/EventBridge call is a subsegment too.
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { config } from './config.ts';

export interface Trace {
  end(error?: unknown): void;
}

let tracer: Promise<Tracer> | undefined;
const captured = new WeakSet<object>();

/** Opens the invocation's subsegment when tracing is on; undefined when it is off (or no X-Ray context). */
export async function startTrace(
  name: string,
  clients: () => readonly object[] = () => [],
): Promise<Trace | undefined> {
  if (!config().tracing) return undefined;
  tracer ??= import('@aws-lambda-powertools/tracer').then(
    ({ Tracer }) => new Tracer({ serviceName: config().metricsService }),
  );
  const active = await tracer;
  for (const client of clients()) {
    if (captured.has(client)) continue;
    captured.add(client);
    active.captureAWSv3Client(client);
  }
  const segment = active.getSegment();
  if (!segment) return undefined;
  const subsegment = segment.addNewSubsegment(`## ${name}`);
  active.setSegment(subsegment);
  active.annotateColdStart();
  active.addServiceNameAnnotation();
  return {
    end(error) {
      if (error instanceof Error) subsegment.addError(error);
      subsegment.close();
      active.setSegment(segment);
    },
  };
}
