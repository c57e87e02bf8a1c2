// CPU per request of the pure pieces, in microseconds (tinybench, in a process of its own):
// SigV4 verification of requests as SDK v3 signs them, the body checksums, parse and serialize of
// the configuration the other sections send. Hot-loop numbers: a request pays them on a cold CPU,
// several times over (docs/performance.md, "Reading the table").
import { Bench } from 'tinybench';
import { verifyRequestSignature } from '../../lib/auth/sigv4.ts';
import { parseEncryptionConfiguration } from '../../lib/encryption/parse.ts';
import { getProfile } from '../../lib/encryption/profiles.ts';
import { serializeEncryptionConfiguration } from '../../lib/encryption/serialize.ts';
import { decodeEvent } from '../../lib/http/addressing.ts';
import { verifyIntegrity } from '../../lib/integrity.ts';
import { evaluateBucketPolicy, parseStoredPolicy } from '../../lib/policy/index.ts';
import { parseBucketPolicy } from '../../lib/policy/validate.ts';
import { HOSTILE_POLICIES } from '../../test/fixtures/policies/hostile.ts';
import { policyRequest } from '../../test/helpers/policy-request.ts';
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
  /** A p99 target in microseconds, when the row has one (issue 18: parse ≤ 2 ms, evaluate ≤ 0.2 ms). */
  targetP99Us?: number;
}

/** Issue 18's targets for hostile policies over the full grammar, at p99. */
const PARSE_P99_US = 2000;
const EVALUATE_P99_US = 200;

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

  // Hostile policies at the limits, over the whole grammar (test/fixtures/policies/hostile.ts; docs/
  // security.md › Bounded work): wildcard runs, thousands of variables, qualified conditions, 2,000-digit
  // numbers and dates, CIDR edge cases. Parse is what PutBucketPolicy pays (with AWS's table checks);
  // evaluate, what every request on the bucket pays, against a request none of them grant or deny.
  const bucket = 'amzn-s3-demo-bucket';
  const hostile = HOSTILE_POLICIES.map(({ name, text }) => {
    const document = text(bucket);
    return {
      name,
      document,
      parsed: parseStoredPolicy(document, bucket),
      bytes: Buffer.byteLength(document),
    };
  });
  const policyRequestShape = policyRequest({
    userAgent: 'aws-sdk-js/3.1162.0 ua/2.1 os/linux',
    referer: 'https://example.com/',
  });
  const targets = new Map<string, number>();

  const bench = new Bench({ time: input.timeMs, warmupTime: Math.min(500, input.timeMs / 2) });
  bench
    .add('SigV4 verify: GET, header form', () => verifyRequestSignature(get, verifyOptions()))
    .add('SigV4 verify: PUT, payload hash', () => verifyRequestSignature(put, verifyOptions()))
    .add('checksum: CRC32 (SDK v3)', () => verifyIntegrity(crc32Headers, body, { required: true }))
    .add('checksum: Content-MD5 (AWS CLI)', () => verifyIntegrity(md5Headers, body, { required: true }))
    .add('parse: KMS configuration', () => {
      parseEncryptionConfiguration(body, profile, settings);
    })
    .add('serialize: KMS configuration', () => {
      // Read it as the response does (xmlResponse checks its start): V8 builds the string lazily.
      if (!serializeEncryptionConfiguration(stored, profile, settings).startsWith('<?xml')) throw new Error();
    });
  for (const { name, document, parsed, bytes } of hostile) {
    const kb = `${(bytes / 1024).toFixed(0)} KB`;
    const parseRow = `policy: parse, ${name} (${kb})`;
    const evaluateRow = `policy: evaluate, ${name} (${kb})`;
    bench.add(parseRow, () => parseBucketPolicy(document, bucket));
    bench.add(evaluateRow, () => evaluateBucketPolicy(parsed, policyRequestShape));
    targets.set(parseRow, PARSE_P99_US).set(evaluateRow, EVALUATE_P99_US);
  }
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
      ...(targets.has(task.name) ? { targetP99Us: targets.get(task.name) } : {}),
    };
  });
}

serveSection(run);
