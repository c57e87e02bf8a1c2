// Loaded by scripts/local-stack.ts into serverless-offline's process (`node --import`): removes the
// Content-Type serverless-offline invents for HTTP API requests.
//
// serverless-offline gives every HTTP API request that has a body and no Content-Type the header
// `content-type: application/json`; API Gateway passes headers through as sent. V2 and OBS signatures
// sign Content-Type (an empty line when there is none), so the injected value broke every signed PUT
// from Huawei's esdk-obs-nodejs, which sends its XML without a Content-Type. The Lambda cannot tell an
// injected header from a sent one, so the fix is here: this preload has serverless-offline load its
// HTTP API event builder without that one statement. It is a resolve hook that swaps in a patched copy
// (imports from the copy resolve as from the original): osls loads the plugin with require(), which
// Node 24's load hooks break and its async hooks do not reach. serverless-offline is pinned; if the
// statement ever changes, the gateway refuses to start rather than silently break signatures again.
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

const builder = '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js';
const injection =
  /if \(!headers\["content-type"\]\) \{\s*headers\["content-type"\] = "application\/json"\s*\}/;
let original: string | undefined;
let patched: string | undefined;
// module.registerHooks: Node >= 22.15 (npm scripts run the project's own Node 24).
if (typeof nodeModule.registerHooks !== 'function') {
  console.warn(
    `Node ${process.version} cannot patch serverless-offline: signed V2/OBS PUTs without a Content-Type will fail locally`,
  );
} else {
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (patched !== undefined && context.parentURL === patched) {
        return nextResolve(specifier, { ...context, parentURL: original });
      }
      const resolved = nextResolve(specifier, context);
      if (!resolved.url.endsWith(builder)) return resolved;
      if (patched === undefined) {
        const source = readFileSync(new URL(resolved.url), 'utf8');
        if (!injection.test(source)) {
          throw new Error(
            'scripts/offline-preload.ts: serverless-offline no longer injects a default Content-Type where expected; review this preload',
          );
        }
        original = resolved.url;
        patched = `data:text/javascript,${encodeURIComponent(source.replace(injection, ''))}`;
      }
      return { url: patched, format: 'module', shortCircuit: true };
    },
  });
}
