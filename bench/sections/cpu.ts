// CPU per request of the pure pieces, in microseconds (tinybench, in a process of its own):
// SigV4 verification of requests as SDK v3 signs them, the body checksums, parse and serialize of
// the configuration the other sections send. Hot-loop numbers: a request pays them on a cold CPU,
// several times over (docs/performance.md, "Reading the table").
import { Bench } from 'tinybench';
import { evaluateBucketPolicy, parseBucketPolicy } from '../../lib/auth/policy.ts';
import { verifyRequestSignature } from '../../lib/auth/sigv4.ts';
import { parseEncryptionConfiguration } from '../../lib/encryption/parse.ts';
import { getProfile } from '../../lib/encryption/profiles.ts';
import { serializeEncryptionConfiguration } from '../../lib/encryption/serialize.ts';
import { decodeEvent } from '../../lib/http/addressing.ts';
import { verifyIntegrity } from '../../lib/integrity.ts';
import { md5, signedEvent } from '../../test/helpers/signed-event.ts';
import { encryptionRequest, IDENTITY, KMS_CONFIGURATION } from '../fixtures.ts';
import { serveSection } from '../lib/child.ts';

export interface CpuInput {
  timeMs: number;
}

export interface CpuResult {
  name: string;
  /** Microseconds. */
  p50: number;
  mean: number;
  p99: number;
  samples: number;
}

async function run(input: CpuInput): Promise<CpuResult[]> {
  const decode = async (shape: ReturnType<typeof encryptionRequest>) =>
    decodeEvent(await signedEvent(shape), 'BENCH', undefined);
  const get = await decode(encryptionRequest('GetBucketEncryption', 'bench-cpu'));
  const put = await decode(encryptionRequest('PutBucketEncryption', 'bench-cpu'));
  const secret = {
    accessKeyId: IDENTITY.accessKeyId,
    secretAccessKey: IDENTITY.secretAccessKey,
    accountId: IDENTITY.accountId,
  };
  const verifyOptions = () => ({
    now: new Date(),
    region: 'us-east-1',
    allowV2: false,
    lookup: async () => secret,
  });
  const body = Buffer.from(KMS_CONFIGURATION);
  const crc32Headers = put.headers;
  const md5Headers = { 'content-md5': md5(body) };
  const profile = getProfile('aws');
  const settings = { region: 'us-east-1', obsDomain: 'myhuaweicloud.com' };
  const configuration = parseEncryptionConfiguration(body, profile, settings);
  const stored = { ...configuration, updatedAt: new Date().toISOString(), updatedBy: IDENTITY.accountId };

  // A hostile policy at the limits (docs/security.md › Bounded work): 50 Deny statements of wildcard
  // runs and 30-star StringLike values, ~15 KB, none matching the caller.
  const bucketArn = 'arn:aws:s3:::bench-cpu';
  const hostilePolicy = JSON.stringify({
    Statement: Array.from({ length: 50 }, () => ({
      Effect: 'Deny',
      Principal: '*',
      Action: [...Array.from({ length: 5 }, () => 's3:*e*e*e*e*e*n'), 's3:*'],
      Resource: [`arn:aws:s3:::${'*?'.repeat(8)}*u`, bucketArn],
      Condition: { StringLike: { 'aws:PrincipalAccount': `${'*'.repeat(30)}x` } },
    })),
  });
  const parsedPolicy = parseBucketPolicy(hostilePolicy, 'bench-cpu');
  const policyRequest = {
    action: 's3:GetEncryptionConfiguration' as const,
    principalAccount: '210987654321',
    resource: bucketArn,
    sourceIp: '10.1.2.3',
  };

  const bench = new Bench({ time: input.timeMs, warmupTime: Math.min(500, input.timeMs / 2) });
  bench
    .add('SigV4 verify: GET, header form', () => verifyRequestSignature(get, verifyOptions()))
    .add('SigV4 verify: PUT, payload hash', () => verifyRequestSignature(put, verifyOptions()))
    .add('checksum: CRC32 (SDK v3)', () => verifyIntegrity(crc32Headers, body, { required: true }))
    .add('checksum: Content-MD5 (AWS CLI)', () => verifyIntegrity(md5Headers, body, { required: true }))
    .add('parse: KMS configuration', () => {
      parseEncryptionConfiguration(body, profile, settings);
    })
    .add('policy: parse, hostile 15 KB', () => parseBucketPolicy(hostilePolicy, 'bench-cpu'))
    .add('policy: evaluate, hostile 15 KB', () => evaluateBucketPolicy(parsedPolicy, policyRequest))
    .add('serialize: KMS configuration', () => {
      // Read it as the response does (xmlResponse checks its start): V8 builds the string lazily.
      if (!serializeEncryptionConfiguration(stored, profile, settings).startsWith('<?xml')) throw new Error();
    });
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    return {
      name: task.name,
      p50: result.latency.p50 * 1000,
      mean: result.latency.mean * 1000,
      p99: result.latency.p99 * 1000,
      samples: result.latency.df + 1,
    };
  });
}

serveSection(run);
