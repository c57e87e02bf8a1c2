// lib/http/addressing.ts's subresources against the vendors' own API models, as the installed SDKs ship
// them: a subresource missing from the list is taken for none, and `DELETE /b?metadataConfiguration`
// (DeleteBucketMetadataConfiguration) was served as DeleteBucket. A newer SDK with a new operation
// fails here until the list names it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SUBRESOURCES } from '../../../lib/http/addressing.ts';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** `?name` of every operation's HTTP binding in @aws-sdk/client-s3's schemas (`[_h]: ["DELETE", "/?x", 204]`). */
function s3Subresources(): Set<string> {
  const schemas = readFileSync(
    join(packageDir('@aws-sdk/client-s3'), 'dist-es/schemas/schemas_0.js'),
    'utf8',
  );
  const bindings = [...schemas.matchAll(/\[_h\]: \["[A-Z]+", "([^"]*)"/g)].map((match) => match[1] ?? '');
  expect(bindings.length).toBeGreaterThan(100);
  const names = new Set<string>();
  for (const uri of bindings) {
    const query = uri.split('?')[1];
    // `list-type=2`, `x-id=GetObject`: a plain parameter with a value, not a subresource.
    for (const piece of query?.split('&') ?? []) if (!piece.includes('=')) names.add(piece);
  }
  return names;
}

/** Every fixed `urlPath` of Huawei's OBS SDK models (both signing dialects). */
function obsSubresources(): Set<string> {
  const names = new Set<string>();
  for (const model of ['lib/obsModel.js', 'lib/v2Model.js']) {
    const source = readFileSync(join(packageDir('esdk-obs-nodejs'), model), 'utf8');
    for (const match of source.matchAll(/'urlPath'\s*:\s*'([^']+)'/g)) names.add(match[1] ?? '');
  }
  return names;
}

describe('the subresources the service tells apart', () => {
  it("include every subresource of S3's API in @aws-sdk/client-s3's operation schemas", () => {
    const s3 = s3Subresources();
    expect(s3).toContain('metadataConfiguration');
    expect([...s3].filter((name) => !KNOWN_SUBRESOURCES.has(name))).toEqual([]);
  });

  it("include every subresource of OBS's API in esdk-obs-nodejs's models", () => {
    const obs = obsSubresources();
    expect(obs).toContain('customdomain');
    expect([...obs].filter((name) => !KNOWN_SUBRESOURCES.has(name))).toEqual([]);
  });

  it('name nothing else but uploadId, which the multipart operations send as a query member', () => {
    const modelled = new Set([...s3Subresources(), ...obsSubresources(), 'uploadId']);
    expect([...KNOWN_SUBRESOURCES].filter((name) => !modelled.has(name))).toEqual([]);
  });
});
