// Loaded by scripts/local-stack.ts into serverless-offline's process (`node --import`): loads a few of
// serverless-offline's modules with statements changed, listed with the reason for each in
// scripts/offline-patches.ts.
//
// How: a resolve hook swaps in a patched copy of each listed module (imports from the copy resolve as
// from the original). osls loads the plugin with require(), which Node 24's load hooks break and its
// async hooks do not reach. serverless-offline is pinned; if a listed statement ever changes, the
// gateway refuses to start (and every e2e test fails) rather than silently lose a patch.
//
// Only the local stack loads this; the production bundles and the deployed path never see it.
//
// It also makes the gateway a multi-concurrency execution environment, as Lambda Managed Instances
// are (AWS: "Node.js runtime for Lambda Managed Instances"): serverless-offline's in-process runner
// serves concurrent requests as concurrent invocations of one module instance, sharing its logger and
// DynamoDB client. AWS_LAMBDA_MAX_CONCURRENCY says so to the code that reads it — Powertools keeps its
// per-invocation keys in the InvokeStore (an AsyncLocalStorage) created here, which the patched runner
// enters for each invocation; the service's DynamoDB client does not count a wait for one of its
// pooled sockets as a connection failure (lib/storage/client.ts). In a deployed standard Lambda the
// variable is absent: one invocation at a time, nothing of this applies.
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { InvokeStore } from '@aws/lambda-invoke-store';
import { unreadableUri } from './offline-answers.ts';
import { PATCHES, patchSource, SRC } from './offline-patches.ts';

// What the patched HttpServer.js answers itself (scripts/offline-patches.ts).
Object.assign(globalThis, { __localGatewayAnswers: { unreadableUri } });

/** What the local gateway's Lambdas are told they may serve at once; serverless-offline sets no limit,
 * and the code that reads the variable only asks whether it is more than one. */
export const LOCAL_MAX_CONCURRENCY = 256;

process.env.AWS_LAMBDA_MAX_CONCURRENCY ||= String(LOCAL_MAX_CONCURRENCY);
// With the variable set, an AsyncLocalStorage-backed store, put on globalThis.awslambda.InvokeStore.
const invokeStore = await InvokeStore.getInstanceAsync();
// serverless-offline's copy of the runtime client (UserFunction.js, CommonJS, which the resolve hook
// below cannot swap) assigns a new globalThis.awslambda each time it loads a handler, dropping the
// store; AWS's own client (aws-lambda-ric 4) keeps what is there. The global keeps the store on
// whatever object is assigned to it.
let awslambda: unknown = (globalThis as { awslambda?: unknown }).awslambda;
Object.defineProperty(globalThis, 'awslambda', {
  configurable: true,
  enumerable: true,
  get: () => awslambda,
  set(value: unknown) {
    if (value !== null && typeof value === 'object' && !('InvokeStore' in value)) {
      Object.assign(value, { InvokeStore: invokeStore });
    }
    awslambda = value;
  },
});

// LOCAL_QUIET_UNTIL_SIGCONT=1 (set by scripts/local-stack.ts for `npm start`): the Lambdas' stdout (their
// log lines) is held back until SIGCONT says the stack's warm-up is over (scripts/warm-up.ts), so that
// the warm-up's thousands of access lines are not printed. Nothing is buffered: those lines are dropped.
// SIGCONT because its default action does nothing to a running process, and osls's signal-exit does
// not handle it (it re-raises the signals it handles, SIGUSR2 included, when it counts no other
// listener, which ended the process).
if (process.env.LOCAL_QUIET_UNTIL_SIGCONT === '1') {
  const write = process.stdout.write;
  process.stdout.write = function quiet(this: NodeJS.WriteStream, ...args: unknown[]) {
    const done = args.findLast((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (done) process.nextTick(done);
    return true;
  } as typeof process.stdout.write;
  process.once('SIGCONT', () => {
    process.stdout.write = write;
  });
}

const original = new Map<string, string>();
const patched = new Map<string, string>();

// module.registerHooks: Node >= 22.15 (npm scripts run the project's own Node 24).
if (typeof nodeModule.registerHooks !== 'function') {
  console.warn(
    `Node ${process.version} cannot patch serverless-offline: signed V2/OBS PUTs without a Content-Type will fail locally`,
  );
} else {
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      // A patched copy imports as the original would (and what it imports may be patched too).
      const from = context.parentURL && original.get(context.parentURL);
      const resolved = nextResolve(specifier, from ? { ...context, parentURL: from } : context);
      const at = resolved.url.lastIndexOf(SRC);
      const file = at >= 0 ? resolved.url.slice(at + SRC.length) : '';
      if (!PATCHES[file]) return resolved;
      let url = patched.get(file);
      if (url === undefined) {
        const source = patchSource(file, readFileSync(new URL(resolved.url), 'utf8'));
        url = `data:text/javascript,${encodeURIComponent(source)}`;
        patched.set(file, url);
        original.set(url, resolved.url);
      }
      return { url, format: 'module', shortCircuit: true };
    },
  });
}
