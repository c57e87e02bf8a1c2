// One packaged function running as Lambda runs it: Node 24 (the project's node_modules/.bin/node)
// starts AWS's runtime interface client (aws-lambda-ric, the code of Lambda's own nodejs24.x runtime),
// which loads the handler from the unzipped package (LAMBDA_TASK_ROOT, _HANDLER) and serves events
// from a Runtime API double. The process gets the Lambda's environment and nothing of this one: the
// template's variables, the variables Lambda itself sets, and (test-only) where AWS's endpoints are.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';
import { type Outcome, RuntimeApi } from './runtime-api.ts';

export interface FunctionSpec {
  /** The function's name in serverless.yml (`service`, `bucket`, `object`). */
  name: string;
  /** Its Handler in the template, e.g. `functions/route-service.handler`. */
  handler: string;
  /** Where its zip was extracted: the task root. */
  taskRoot: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Its Environment.Variables from the template, resolved to strings. */
  environment: Record<string, string>;
}

export interface Invocation {
  outcome: Outcome;
  /** What the runtime wrote while it served this invocation (its log lines). */
  output: string;
}

/** The project's Node 24 (the `node` devDependency), the version Lambda's nodejs24.x runs. */
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');

export class LambdaProcess {
  private output = '';
  private exited: Error | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  readonly spec: FunctionSpec;
  private readonly api: RuntimeApi;
  private readonly child: ChildProcess;

  private constructor(spec: FunctionSpec, api: RuntimeApi, child: ChildProcess) {
    this.spec = spec;
    this.api = api;
    this.child = child;
  }

  /** Starts the runtime; `extraEnvironment` is for what only a test sets (endpoints, credentials). */
  static async start(
    spec: FunctionSpec,
    region: string,
    extraEnvironment: Record<string, string>,
  ): Promise<LambdaProcess> {
    const functionName = `bucket-encryption-api-prod-${spec.name}`;
    const api = await RuntimeApi.start(`arn:aws:lambda:${region}:123456789012:function:${functionName}`);
    // The variables Lambda sets for a nodejs24.x function (AWS: "Defined runtime environment variables").
    const lambdaEnvironment = {
      AWS_LAMBDA_RUNTIME_API: api.address,
      _HANDLER: spec.handler,
      LAMBDA_TASK_ROOT: spec.taskRoot,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      AWS_ACCESS_KEY_ID: 'ASIARUNTIMETEST00000',
      AWS_SECRET_ACCESS_KEY: 'runtime-test-secret-access-key',
      AWS_SESSION_TOKEN: 'runtime-test-session-token',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: '/usr/local/bin:/usr/bin:/bin',
    };
    const child = spawn(
      NODE,
      // As Lambda's bootstrap starts it; NODE_OPTIONS from the template applies too.
      // The client is installed outside the repository (runtime-interface-client.ts); the setup says where.
      ['--expose-gc', '--max-http-header-size', '81920', inject('runtime').runtimeInterfaceClient],
      {
        cwd: spec.taskRoot,
        env: { ...spec.environment, ...lambdaEnvironment, ...extraEnvironment },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lambda = new LambdaProcess(spec, api, child);
    const collect = (chunk: Buffer) => {
      lambda.output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', (code, signal) => {
      lambda.exited = new Error(
        `the ${spec.name} runtime exited (${signal ?? `code ${code}`})${lambda.describeInitError()}:\n${lambda.output}`,
      );
      api.failAll(lambda.exited);
    });
    return lambda;
  }

  private describeInitError(): string {
    const error = this.api.initError;
    return error ? ` after an init error ${error.errorType}: ${error.errorMessage}` : '';
  }

  /** The init error the runtime posted, if any. */
  get initError() {
    return this.api.initError;
  }

  /** Everything the runtime wrote so far. */
  get log(): string {
    return this.output;
  }

  /** One invocation at a time, as one Lambda sandbox serves them. */
  invoke(event: unknown): Promise<Invocation> {
    const run = async (): Promise<Invocation> => {
      const start = this.output.length;
      try {
        const outcome = await this.api.invoke(event, this.spec.timeoutSeconds * 1000);
        // Log lines written just before the response may trail it by a moment.
        await new Promise((resolve) => setImmediate(resolve));
        return { outcome, output: this.output.slice(start) };
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- runtime output ---\n${this.output.slice(start)}`, {
          cause: error,
        });
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    await this.api.stop();
  }
}
