// lib/regions.ts types out the regions of S3's API model; here it is compared with the installed SDK's,
// so a newer @aws-sdk/client-s3 that knows a new region fails until lib/regions.ts names it too.
import { BucketLocationConstraint } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3_LOCATION_CONSTRAINTS, S3_REGIONS } from '../../lib/regions.ts';

describe('lib/regions.ts', () => {
  it("names exactly the installed @aws-sdk/client-s3's BucketLocationConstraint values", () => {
    expect([...S3_LOCATION_CONSTRAINTS].sort()).toEqual(Object.values(BucketLocationConstraint).sort());
  });

  it('names every region of the location constraints, and us-east-1, as a region; EU as none', () => {
    expect(S3_REGIONS.has('us-east-1')).toBe(true);
    expect(S3_REGIONS.has('eu-west-1')).toBe(true);
    expect(S3_REGIONS.has('EU')).toBe(false);
    expect(S3_REGIONS.size).toBe(S3_LOCATION_CONSTRAINTS.size);
  });
});
