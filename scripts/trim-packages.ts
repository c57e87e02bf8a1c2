// A serverless plugin (serverless.yml `plugins`): each function's zip keeps only the chunks its handler
// imports. serverless-esbuild builds every function on its own with code splitting into one shared
// `functions/chunks/` folder, and packs that folder whole into every zip, so each zip carried every
// function's chunks (786 KB where the service function needs about 400). This runs after it has
// packed (`after:package:createDeploymentArtifacts`, and for `deploy function`), rewrites each
// function's zip without the chunks nothing in it imports, and changes nothing else: the same
// entries, in the same order, with the same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { unzipSync, type Zippable, zipSync } from 'fflate';

const CHUNKS = /^functions\/chunks\//;
// The module specifiers esbuild writes for chunks: `from"./x.mjs"`, `import"./x.mjs"`, `import("./x.mjs")`.
const IMPORT = /\b(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+\.mjs)"/g;

/** The `.mjs` files `entry` imports, statically or lazily, directly or through each other (with itself). */
export function importClosure(files: Readonly<Record<string, Uint8Array>>, entry: string): Set<string> {
  const reached = new Set<string>();
  const pending = [entry];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reached.has(name)) continue;
    const code = files[name];
    if (!code) throw new Error(`trim-packages: ${name} is imported but not in the package`);
    reached.add(name);
    for (const [, specifier = ''] of Buffer.from(code).toString('utf8').matchAll(IMPORT)) {
      pending.push(posix.join(posix.dirname(name), specifier));
    }
  }
  return reached;
}

/** The zip's entries without the chunks (and their source maps) that the handler's module never imports. */
export function trimPackage(zip: Uint8Array, handler: string): { zip: Uint8Array; removed: string[] } {
  const files = unzipSync(zip);
  const entry = `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
  const kept = importClosure(files, entry);
  const removed = Object.keys(files).filter(
    (name) => CHUNKS.test(name) && !kept.has(name.replace(/\.map$/, '')),
  );
  if (removed.length === 0) return { zip, removed };
  const out: Zippable = {};
  for (const [name, data] of Object.entries(files)) {
    // As serverless-esbuild writes them: a fixed date (the same content, the same zip) and mode 644.
    if (!removed.includes(name))
      out[name] = [data, { mtime: new Date(1980, 0, 1), os: 3, attrs: 0o100644 << 16 }];
  }
  return { zip: zipSync(out, { level: 9 }), removed };
}

interface Serverless {
  serviceDir?: string;
  config: { servicePath?: string };
  service: { functions: Record<string, { handler?: string; package?: { artifact?: string } }> };
}

interface Log {
  verbose(message: string): void;
}

export default class TrimPackages {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: Serverless, _options: unknown, { log }: { log: Log }) {
    const trim = () => {
      const root = serverless.serviceDir ?? serverless.config.servicePath ?? process.cwd();
      for (const [name, fn] of Object.entries(serverless.service.functions)) {
        const artifact = fn.package?.artifact;
        if (!artifact?.endsWith('.zip') || !fn.handler) continue;
        const path = resolve(root, artifact);
        const { zip, removed } = trimPackage(readFileSync(path), fn.handler);
        if (removed.length > 0) {
          writeFileSync(path, zip);
          log.verbose(`trim-packages: ${name}: ${removed.length} files no module of it imports left out`);
        }
      }
    };
    this.hooks = {
      'after:package:createDeploymentArtifacts': trim,
      'after:deploy:function:packageFunction': trim,
    };
  }
}
