// serverless-offline for the benchmark: scripts/local-stack.ts's startOffline with the benchmark's
// service file (serverless.bench.yml: serverless.yml plus the no-op route and the floor function),
// reading the Lambdas' access-log lines for the time spent inside the handler.
import { type Stoppable, startOffline } from '../../scripts/local-stack.ts';

export const BENCH_CONFIG = 'serverless.bench.yml';

const ACCESS_LOG_DURATION = /"message":"request".*"durationMs":([0-9.]+)/;

export async function startBenchOffline(options: {
  port: number;
  dynamodbEndpoint: string;
  tableName: string;
}): Promise<
  Stoppable & { endpoint: string; output(): string; handlerTimes(from: number, to: number): number[] }
> {
  // The Lambdas' access-log lines carry their own duration: when they arrived (epoch ms) and what it was.
  const handlerTimes: { at: number; ms: number }[] = [];
  let partial = '';
  const gateway = await startOffline({
    port: options.port,
    dynamodbEndpoint: options.dynamodbEndpoint,
    tableName: options.tableName,
    config: BENCH_CONFIG,
    onStdout: (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const duration = ACCESS_LOG_DURATION.exec(line);
        if (duration) handlerTimes.push({ at: Date.now(), ms: Number(duration[1]) });
      }
    },
  });
  return {
    ...gateway,
    handlerTimes: (from, to) => handlerTimes.filter(({ at }) => at >= from && at <= to).map(({ ms }) => ms),
  };
}
