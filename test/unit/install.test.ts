// `npm install` / `npm ci` compiles nothing (issue 19): every dependency with an install script is
// either denied by package.json's allowScripts (npm 11 then leaves it unrun) or allowed because it
// builds nothing; AWS's runtime interface client, whose install builds libcurl and a C++ addon, is
// not a dependency of the project but a package of its own that the runtime tests install once
// (test/runtime/runtime-interface-client.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_CLIENT_PACKAGE, runtimeClientCacheRoot } from '../runtime/runtime-interface-client.ts';

const ROOT = join(import.meta.dirname, '../..');

interface LockFile {
  packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
}
interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

const json = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const manifest = json<PackageJson>(join(ROOT, 'package.json'));
const lock = json<LockFile>(join(ROOT, 'package-lock.json'));

/** The install scripts the project lets run, and why each builds nothing. */
const BUILDS_NOTHING: Record<string, string> = {
  node: "installs the registry package node-<os>-<arch>: Node 24's released binary, unpacked, not built",
};

/** The package name of a lock entry (`node_modules/a/node_modules/@s/b` → `@s/b`). */
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('npm install', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
    .map(([path]) => nameOf(path));

  it.each(withScripts)('runs the install script of %s only if it builds nothing', (name) => {
    const allowed = manifest.allowScripts?.[name];
    expect(allowed, `${name} has an install script and no allowScripts entry`).toBeTypeOf('boolean');
    if (allowed) expect(BUILDS_NOTHING).toHaveProperty([name]);
  });

  it('allows no install script beyond those that build nothing', () => {
    const allowed = Object.entries(manifest.allowScripts ?? {}).filter(([, allow]) => allow);
    expect(allowed.map(([name]) => name).sort()).toEqual(Object.keys(BUILDS_NOTHING).sort());
  });

  it('installs no aws-lambda-ric and no node-gyp with the project', () => {
    expect({ ...manifest.dependencies, ...manifest.devDependencies }).not.toHaveProperty(['aws-lambda-ric']);
    const installed = Object.keys(lock.packages).map(nameOf);
    expect(installed).not.toContain('aws-lambda-ric');
    expect(installed).not.toContain('node-gyp');
  });
});

describe('the runtime tests’ aws-lambda-ric package', () => {
  const pinned = json<PackageJson>(join(RUNTIME_CLIENT_PACKAGE, 'package.json'));
  const pinnedLock = json<LockFile>(join(RUNTIME_CLIENT_PACKAGE, 'package-lock.json'));

  it('pins an exact version, the one its lock file installs, and allows its build', () => {
    const version = pinned.dependencies?.['aws-lambda-ric'];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinnedLock.packages['node_modules/aws-lambda-ric']?.version).toBe(version);
    expect(pinned.allowScripts).toEqual({ 'aws-lambda-ric': true });
  });

  it.each([
    [{ RUNTIME_CLIENT_CACHE: '/c/ric', XDG_CACHE_HOME: '/x' }, '/c/ric'],
    [{ XDG_CACHE_HOME: '/x' }, '/x/bucket-encryption-api/aws-lambda-ric'],
  ])('is cached where the environment says (%o)', (env, expected) => {
    expect(runtimeClientCacheRoot(env)).toBe(expected);
  });
});
