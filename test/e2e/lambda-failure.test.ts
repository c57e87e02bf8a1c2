// A Lambda that fails (its module cannot load, it throws, it times out) is answered by the local gateway
// as API Gateway answers it: 500 `{"message":"Internal Server Error"}` (AWS, "How do I troubleshoot
// Internal server errors from API Gateway"). serverless-offline answered a failed payload-2.0 invocation
// with a 200 whose body was the Lambda's error JSON: an S3 client read a success it could not parse and
// did not retry (scripts/offline-patches.ts). The failure here is the one a deleted bundle causes.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_REGION, startOffline } from '../../scripts/local-stack.ts';
import { OWNER } from '../helpers/identities.ts';

/** Every file named `name` under `dir`. */
const filesNamed = (dir: string, name: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === name)
    .map((entry) => join(entry.parentPath, entry.name));

describe('the local gateway, when a Lambda fails', () => {
  it('answers 500 {"message":"Internal Server Error"}, which S3 clients retry, not a 200 with the error', async ({
    onTestFinished,
  }) => {
    // A gateway of its own, asked nothing yet: its bucket route is loaded on the first request to it.
    const gateway = await startOffline({ dynamodbEndpoint: inject('dynamodbEndpoint') });
    onTestFinished(() => gateway.stop());
    const bundles = filesNamed(gateway.buildFolder, 'route-bucket.mjs');
    expect(bundles.length).toBeGreaterThan(0);
    for (const bundle of bundles) rmSync(bundle);

    const raw = await fetch(`${gateway.endpoint}/some-bucket`, { method: 'HEAD' });
    expect(raw.status).toBe(500);
    const got = await fetch(`${gateway.endpoint}/some-bucket?encryption`);
    expect(got.status).toBe(500);
    expect(got.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await got.json()).toEqual({ message: 'Internal Server Error' });

    // The SDK takes it for a transient server error: every attempt is made, and it says 500.
    let attempts = 0;
    const s3 = new S3Client({
      endpoint: gateway.endpoint,
      region: LOCAL_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: OWNER.accessKeyId, secretAccessKey: OWNER.secretAccessKey },
      maxAttempts: 2,
    });
    s3.middlewareStack.add(
      (next) => async (args) => {
        attempts++;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'countAttempts' },
    );
    onTestFinished(() => s3.destroy());
    const error = await s3.send(new HeadBucketCommand({ Bucket: 'some-bucket' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(attempts).toBe(2);
  }, 240_000);
});
