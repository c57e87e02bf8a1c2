// Runs the enclosing describe's tests as a deployment in another region (S3_REGION, read through
// lib/config.ts); requests in them are signed for that region with `region` in the request shape.
import { afterAll, beforeAll } from 'vitest';
import { resetConfig } from '../../lib/config.ts';

export function inRegion(region: string): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.S3_REGION;
    process.env.S3_REGION = region;
    resetConfig();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.S3_REGION;
    else process.env.S3_REGION = saved;
    resetConfig();
  });
}
