// Stack traces in the source's terms, paid for only when one is written. Node's --enable-source-maps
// parses every bundle's map when the bundle loads (≈ 15 ms of each cold start for the route Lambdas:
// docs/performance.md), and process.setSourceMapsEnabled(true) maps only modules loaded after it is
// called, so turning it on at the first error would map nothing. Instead, in a Lambda (a bundle beside
// its `.map`), Error.prepareStackTrace maps each frame of a `.mjs` file with node:module's SourceMap,
// reading a map the first time a stack that needs it is formatted — which V8 does when `.stack` is
// first read (the logger writing an error), not when the error is made.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null; // no map beside it: frames stay as they are
    }
    maps.set(file, map);
  }
  return map;
}

/** One frame, mapped to its source file (as the repository names it) when a map knows it. */
export function mappedFrame(site: NodeJS.CallSite): string {
  const name = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!name?.endsWith('.mjs') || line === null || column === null) return `    at ${site}`;
  const file = name.startsWith('file://') ? fileURLToPath(name) : name;
  const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry) || !entry.originalSource) return `    at ${site}`;
  // esbuild names sources relative to the build folder (`../../lib/x.ts`): the repository's path.
  const location = `${entry.originalSource.replace(/^(?:\.\.?\/)+/, '')}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const fn = site.getFunctionName() ?? site.getMethodName();
  return `    at ${site.isAsync() ? 'async ' : ''}${fn ? `${fn} (${location})` : location}`;
}

/** Maps every stack formatted from now on (unless Node maps them itself: --enable-source-maps). */
export function installMappedStackTraces(): void {
  if (process.sourceMapsEnabled) return;
  Error.prepareStackTrace = (error, sites) => {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = 'Error';
    }
    return [header, ...sites.map(mappedFrame)].join('\n');
  };
}
