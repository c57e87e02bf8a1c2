// scripts/trim-packages.ts: a function's zip keeps its handler, every chunk the handler imports
// (statically or lazily, directly or through another chunk) with their source maps, and drops the rest.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { trimPackage } from '../../scripts/trim-packages.ts';

const zip = (files: Record<string, string>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
const names = (data: Uint8Array) => Object.keys(unzipSync(data)).sort();

describe('trimPackage', () => {
  const files = {
    'functions/route.mjs': 'import{a}from"./chunks/chunk-A.mjs";const k=()=>import("./chunks/kms-B.mjs");',
    'functions/route.mjs.map': '{}',
    'functions/chunks/chunk-A.mjs': 'import"./chunk-C.mjs";export const a=1;',
    'functions/chunks/chunk-A.mjs.map': '{}',
    'functions/chunks/kms-B.mjs': 'export const b=2;',
    'functions/chunks/chunk-C.mjs': 'export{};',
    'functions/chunks/other-D.mjs': 'export const d=4;',
    'functions/chunks/other-D.mjs.map': '{}',
  };

  it('keeps the handler and what it imports, with their maps, and drops the rest', () => {
    const { zip: trimmed, removed } = trimPackage(zip(files), 'functions/route.handler');
    expect(removed.sort()).toEqual(['functions/chunks/other-D.mjs', 'functions/chunks/other-D.mjs.map']);
    expect(names(trimmed)).toEqual(
      Object.keys(files)
        .filter((name) => !name.includes('other-D'))
        .sort(),
    );
    expect(strFromU8(unzipSync(trimmed)['functions/chunks/chunk-A.mjs'] ?? new Uint8Array())).toBe(
      files['functions/chunks/chunk-A.mjs'],
    );
  });

  it('returns the zip as it was when every chunk is used', () => {
    const { 'functions/chunks/other-D.mjs': _, 'functions/chunks/other-D.mjs.map': __, ...used } = files;
    const whole = zip(used);
    expect(trimPackage(whole, 'functions/route.handler')).toEqual({ zip: whole, removed: [] });
  });

  it('refuses a package whose handler imports a file it does not hold', () => {
    const { 'functions/chunks/chunk-C.mjs': _, ...broken } = files;
    expect(() => trimPackage(zip(broken), 'functions/route.handler')).toThrow(
      'functions/chunks/chunk-C.mjs is imported but not in the package',
    );
  });
});
