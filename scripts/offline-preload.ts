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
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { PATCHES, patchSource, SRC } from './offline-patches.ts';

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
