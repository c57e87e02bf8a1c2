// Layers point one way (docs/architecture.md "Layers"): this reads every import in lib/ and fails when
// a lower layer reaches up. http sits on auth, which sits on storage, policy, encryption and xml, which
// sit on the shared bottom (request.ts with the request's deadline, errors.ts, config.ts, log.ts).
// lib/policy is pure: besides http and auth it may not reach storage, the environment or the logger,
// nor any package but Node's own (no AWS SDK); and no lib module imports the policy data packages
// (@cloud-copilot/*: devDependencies, iam-simulate under the AGPL).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LIB = join(ROOT, 'lib');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`, type-only ones included:
// a type import is still a dependency of the layer's meaning.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/** Each lib file, as a path from the repository root, with the repository files and packages it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(LIB)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const [, specifier] of text.matchAll(SPECIFIER)) {
      if (!specifier) continue;
      targets.push(
        specifier.startsWith('.')
          ? relative(ROOT, resolve(dirname(file), specifier))
          : `package:${specifier}`,
      );
    }
    graph.set(relative(ROOT, file), targets);
  }
  return graph;
}

/** The layer of a file: its folder under lib/, or the file itself for lib's top-level modules. */
const layerOf = (path: string): string => {
  const parts = path.split('/');
  return parts[0] === 'lib' && parts.length > 2 ? `lib/${parts[1]}` : path;
};

// Who may not import whom. The bottom (request.ts, errors.ts, …) may import none of them.
const policy = (layer: string) => layer === 'lib/policy';
const FORBIDDEN: ReadonlyArray<readonly [importer: (layer: string) => boolean, imported: string]> = [
  [(layer) => layer !== 'lib/http', 'lib/http'],
  [(layer) => layer !== 'lib/http' && layer !== 'lib/auth', 'lib/auth'],
  [() => true, 'functions'],
  [() => true, 'scripts'],
  [() => true, 'test'],
  [() => true, 'package:@cloud-copilot'],
  [policy, 'lib/storage'],
  [policy, 'lib/config.ts'],
  [policy, 'lib/log.ts'],
];

/** lib/policy imports no package but Node's own (none today): no AWS SDK, no HTTP, no logger. */
const foreignPackage = (layer: string, target: string) =>
  policy(layer) && target.startsWith('package:') && !target.startsWith('package:node:');

function violations(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const forbidden =
        foreignPackage(layerOf(file), target) ||
        FORBIDDEN.some(
          ([applies, imported]) =>
            applies(layerOf(file)) && (target === imported || target.startsWith(`${imported}/`)),
        );
      if (forbidden) found.push(`${file} imports ${target}`);
    }
  }
  return found;
}

describe('the layers of lib/', () => {
  it('reads the imports of every lib module (the check sees the graph)', () => {
    const graph = importGraph();
    expect(graph.get('lib/http/dispatch.ts')).toContain('lib/auth/authenticate.ts');
    expect(graph.get('lib/auth/sigv4.ts')).toContain('lib/request.ts');
  });

  it('has no module in auth, storage, policy, encryption, xml or the bottom importing http, nor below auth importing auth, and a pure policy package', () => {
    expect(violations(importGraph())).toEqual([]);
    // The graph records packages, so the purity rule has something to read.
    expect(importGraph().get('lib/storage/client.ts')).toContain('package:@aws-sdk/client-dynamodb');
  });

  it('would report a lower layer importing a higher one', () => {
    const graph = new Map([
      ['lib/auth/authorize.ts', ['lib/http/dispatch.ts', 'lib/policy/index.ts']],
      ['lib/storage/buckets.ts', ['lib/auth/authorize.ts']],
      ['lib/request.ts', ['lib/http/addressing.ts']],
      ['lib/http/stack.ts', ['lib/auth/authenticate.ts']],
      [
        'lib/policy/grammar.ts',
        ['lib/storage/buckets.ts', 'lib/config.ts', 'lib/auth/authorize.ts', 'lib/errors.ts'],
      ],
      ['lib/policy/evaluate.ts', ['package:@aws-sdk/client-dynamodb', 'package:node:net']],
      ['lib/auth/credentials.ts', ['package:@cloud-copilot/iam-simulate']],
    ]);
    expect(violations(graph)).toEqual([
      'lib/auth/authorize.ts imports lib/http/dispatch.ts',
      'lib/storage/buckets.ts imports lib/auth/authorize.ts',
      'lib/request.ts imports lib/http/addressing.ts',
      'lib/policy/grammar.ts imports lib/storage/buckets.ts',
      'lib/policy/grammar.ts imports lib/config.ts',
      'lib/policy/grammar.ts imports lib/auth/authorize.ts',
      'lib/policy/evaluate.ts imports package:@aws-sdk/client-dynamodb',
      'lib/auth/credentials.ts imports package:@cloud-copilot/iam-simulate',
    ]);
  });
});
