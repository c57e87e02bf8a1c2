// scripts/offline-patches.ts against the pinned serverless-offline: every patch finds its statement
// (else `npm start` refuses to start), changes only that, and the JWT shape test keeps decodeJwt's
// answers (it throws for anything that is not three base64url parts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { PATCHES, patchSource } from '../../scripts/offline-patches.ts';
import { deliveredAsText } from '../helpers/gateway-event.ts';

const source = (file: string) =>
  readFileSync(join(import.meta.dirname, '../../node_modules/serverless-offline/src', file), 'utf8');

describe('serverless-offline patches', () => {
  for (const [file, patches] of Object.entries(PATCHES)) {
    it(`${file}: each statement is found once and replaced`, () => {
      const before = source(file);
      const after = patchSource(file, before);
      for (const patch of patches) {
        expect(before.match(new RegExp(patch.find.source, 'g'))).toHaveLength(1);
        expect(patch.find.test(after)).toBe(false);
      }
      // Nothing else moved: the text grew or shrank by no more than the replacements' own length.
      const replaced = patches.reduce((total, patch) => total + patch.replace.length, 0);
      expect(Math.abs(after.length - before.length)).toBeLessThanOrEqual(replaced);
    });
  }

  it('refuses a source whose statement changed, naming the file and the reason', () => {
    const [file] = Object.keys(PATCHES);
    expect(() => patchSource(file ?? '', '// nothing here')).toThrow(
      /serverless-offline's .* changed \(.+\)/,
    );
  });

  it('decodes as a JWT exactly what decodeJwt would decode', () => {
    const patched = patchSource(
      'events/http/lambda-events/LambdaProxyIntegrationEventV2.js',
      source('events/http/lambda-events/LambdaProxyIntegrationEventV2.js'),
    );
    const shape = /if \(token && \/(.+)\/\.test\(token\)\)/.exec(patched)?.[1];
    expect(shape).toBeDefined();
    const looksLikeJwt = new RegExp(shape ?? '$^');
    const jwt = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a","scope":"x y"}').toString('base64url')}.`;
    const tokens = [
      jwt,
      'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261128/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc',
      'AWS AKIAEXAMPLE:c2lnbmF0dXJl',
      'OBS AKIAEXAMPLE:c2lnbmF0dXJl',
      'a.b.c',
      'not-a-token',
    ];
    for (const token of tokens) {
      let decodes = true;
      try {
        decodeJwt(token);
      } catch {
        decodes = false;
      }
      if (decodes) expect(looksLikeJwt.test(token), token).toBe(true);
      if (!looksLikeJwt.test(token)) expect(decodes, token).toBe(false);
    }
    expect(looksLikeJwt.test(jwt)).toBe(true);
  });

  it('takes as text exactly the bodies the runtime tests build as text events (deliveredAsText)', () => {
    const patched = patchSource('utils/index.js', source('utils/index.js'));
    const declaration = /export function detectEncoding[\s\S]*?\n\}\n/.exec(patched)?.[0];
    expect(declaration).toBeDefined();
    const detectEncoding = new Function(
      `${declaration?.replace('export ', '')}; return detectEncoding`,
    )() as (request: { headers: Record<string, string> }) => string;
    const types = [
      undefined,
      'application/xml',
      'application/json; charset=utf-8',
      'Application/XML',
      'text/plain',
      'text/xml;charset=ISO-8859-1',
      'application/javascript',
      'application/octet-stream',
      'binary/octet-stream',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
      ' ; ',
    ];
    for (const type of types) {
      for (const encoding of [undefined, 'identity', ' GZIP ', 'aws-chunked']) {
        const headers: Record<string, string> = {};
        if (type !== undefined) headers['content-type'] = type;
        if (encoding !== undefined) headers['content-encoding'] = encoding;
        expect(detectEncoding({ headers }) === 'utf8', `${type} / ${encoding}`).toBe(
          deliveredAsText(type, encoding),
        );
      }
    }
  });
});
