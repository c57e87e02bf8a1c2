import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 as awsCryptoCrc32 } from '@aws-crypto/crc32';
import { PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  computeChecksum,
  verifyIntegrity,
} from '../../lib/integrity.ts';
import { rejectedS3Error } from '../helpers/s3-error.ts';

const CHECK_INPUT = Buffer.from('123456789');
const base64OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
// An MD5 independent of the module under test (whose computeContentMd5 the other tests use).
const md5 = (body: Uint8Array) => createHash('md5').update(body).digest('base64');
const headerOf = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;

// For "123456789": the CRCs' check values from the catalogue of parametrised CRC algorithms (reveng), and
// the SHA digests of the same text.
const CHECK_VALUES: ReadonlyArray<readonly [ChecksumAlgorithm, hex: string]> = [
  ['CRC32', 'cbf43926'],
  ['CRC32C', 'e3069283'],
  ['CRC64NVME', 'ae8b14860a799888'],
  ['SHA1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
  ['SHA256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
];

const expectRejection = async (promise: Promise<unknown>, code: string, message: string) => {
  const error = await rejectedS3Error(promise);
  expect({ code: error.code, statusCode: error.statusCode, message: error.message }).toEqual({
    code,
    statusCode: 400,
    message,
  });
};

describe('computeChecksum', () => {
  it.each(CHECK_VALUES)('returns the check value of %s for "123456789"', async (algorithm, hex) => {
    expect(await computeChecksum(algorithm, CHECK_INPUT)).toBe(base64OfHex(hex));
  });

  it('returns the base64 of the big-endian bytes of a CRC', async () => {
    expect(await computeChecksum('CRC32', CHECK_INPUT)).toBe('y/Q5Jg==');
    expect(await computeChecksum('CRC32C', CHECK_INPUT)).toBe('4waSgw==');
    expect(await computeChecksum('CRC64NVME', CHECK_INPUT)).toBe('rosUhgp5mIg=');
  });

  it.each([
    ['CRC32', 'AAAAAA=='],
    ['CRC32C', 'AAAAAA=='],
    ['CRC64NVME', 'AAAAAAAAAAA='],
    ['SHA1', '2jmj7l5rSw0yVb/vlWAYkK/YBwk='],
    ['SHA256', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
  ] as const)('returns %s of an empty body as %s', async (algorithm, expected) => {
    expect(await computeChecksum(algorithm, new Uint8Array())).toBe(expected);
  });

  it('returns the CRC32 that @aws-crypto/crc32 computes, for any body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (body) => {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32BE(awsCryptoCrc32(body));
        expect(await computeChecksum('CRC32', body)).toBe(bytes.toString('base64'));
      }),
    );
  });
});

describe('verifyIntegrity', () => {
  const required = { required: true };
  // What AWS CLI v2 (older builds) sends for `s3api put-bucket-encryption`: botocore's XML, no declaration,
  // and Content-MD5 = base64 of the MD5 of the body.
  const CLI_BODY = Buffer.from(
    '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>' +
      '<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>' +
      '</Rule></ServerSideEncryptionConfiguration>',
  );

  describe('with a correct value', () => {
    it('resolves when Content-MD5 matches, in the form AWS CLI v2 sends', async () => {
      await expect(
        verifyIntegrity({ 'content-md5': md5(CLI_BODY) }, CLI_BODY, required),
      ).resolves.toBeUndefined();
      await expect(
        verifyIntegrity({ 'content-md5': 'JfnnlDI7RTiF9RgfG2JNCw==' }, CHECK_INPUT, required),
      ).resolves.toBeUndefined();
    });

    it.each(CHECK_VALUES)('resolves when x-amz-checksum-%s matches', async (algorithm, hex) => {
      const headers = { [headerOf(algorithm)]: base64OfHex(hex) };
      await expect(verifyIntegrity(headers, CHECK_INPUT, required)).resolves.toBeUndefined();
    });

    it.each(CHECK_VALUES)(
      'resolves when x-amz-sdk-checksum-algorithm names %s and its header matches',
      async (algorithm, hex) => {
        const headers = {
          'x-amz-sdk-checksum-algorithm': algorithm,
          [headerOf(algorithm)]: base64OfHex(hex),
        };
        await expect(verifyIntegrity(headers, CHECK_INPUT, required)).resolves.toBeUndefined();
      },
    );

    it('resolves when x-amz-sdk-checksum-algorithm is in lower case', async () => {
      const headers = { 'x-amz-sdk-checksum-algorithm': 'crc32', 'x-amz-checksum-crc32': 'y/Q5Jg==' };
      await expect(verifyIntegrity(headers, CHECK_INPUT, required)).resolves.toBeUndefined();
    });

    it.each(CHECK_VALUES)(
      'resolves when Content-MD5 and x-amz-checksum-%s both match',
      async (algorithm, hex) => {
        const headers = { 'content-md5': md5(CHECK_INPUT), [headerOf(algorithm)]: base64OfHex(hex) };
        await expect(verifyIntegrity(headers, CHECK_INPUT, required)).resolves.toBeUndefined();
      },
    );

    it('resolves when the body is empty and its checksums are those of nothing', async () => {
      const headers = { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==', 'x-amz-checksum-crc32': 'AAAAAA==' };
      await expect(verifyIntegrity(headers, new Uint8Array(), required)).resolves.toBeUndefined();
    });

    it('resolves when x-amz-checksum-type or -mode accompany the checksum (they carry no value)', async () => {
      const headers = {
        'x-amz-checksum-crc32': 'y/Q5Jg==',
        'x-amz-checksum-type': 'FULL_OBJECT',
        'x-amz-checksum-mode': 'ENABLED',
      };
      await expect(verifyIntegrity(headers, CHECK_INPUT, required)).resolves.toBeUndefined();
    });
  });

  describe('with no checksum', () => {
    it('resolves when none is required', async () => {
      await expect(
        verifyIntegrity({ host: 'b1.example' }, CHECK_INPUT, { required: false }),
      ).resolves.toBeUndefined();
    });

    it('returns InvalidRequest when one is required', async () => {
      await expectRejection(
        verifyIntegrity({ host: 'b1.example' }, CHECK_INPUT, required),
        'InvalidRequest',
        'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
      );
    });

    it('still verifies a checksum that is present when none is required', async () => {
      await expectRejection(
        verifyIntegrity({ 'x-amz-checksum-crc32': 'AAAAAA==' }, CHECK_INPUT, { required: false }),
        'BadDigest',
        'The CRC32 you specified did not match the calculated checksum.',
      );
    });
  });

  describe('with headers that do not fit together', () => {
    const unsupported =
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]';
    it.each([
      [
        'two x-amz-checksum-* headers, both correct',
        { 'x-amz-checksum-crc32': 'y/Q5Jg==', 'x-amz-checksum-crc32c': '4waSgw==' },
        'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      ],
      [
        'two x-amz-checksum-* headers and a Content-MD5',
        {
          'content-md5': 'JfnnlDI7RTiF9RgfG2JNCw==',
          'x-amz-checksum-sha1': 'x',
          'x-amz-checksum-sha256': 'y',
        },
        'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      ],
      [
        'an x-amz-checksum-* of an unknown algorithm',
        { 'x-amz-checksum-crc16': 'AAA=' },
        'The algorithm type you specified in x-amz-checksum- header is invalid.',
      ],
      [
        'x-amz-sdk-checksum-algorithm naming an unknown algorithm',
        { 'x-amz-sdk-checksum-algorithm': 'MD4', 'x-amz-checksum-crc32': 'y/Q5Jg==' },
        unsupported,
      ],
      [
        'an empty x-amz-sdk-checksum-algorithm',
        { 'x-amz-sdk-checksum-algorithm': '', 'content-md5': 'JfnnlDI7RTiF9RgfG2JNCw==' },
        unsupported,
      ],
      [
        'x-amz-sdk-checksum-algorithm and no x-amz-checksum-*',
        { 'x-amz-sdk-checksum-algorithm': 'CRC32' },
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      ],
      [
        'x-amz-sdk-checksum-algorithm and only a Content-MD5',
        { 'x-amz-sdk-checksum-algorithm': 'CRC32', 'content-md5': 'JfnnlDI7RTiF9RgfG2JNCw==' },
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      ],
      [
        'x-amz-sdk-checksum-algorithm naming another algorithm than the x-amz-checksum-* sent',
        { 'x-amz-sdk-checksum-algorithm': 'SHA1', 'x-amz-checksum-crc32': 'y/Q5Jg==' },
        'Value for x-amz-sdk-checksum-algorithm header is invalid.',
      ],
    ])('returns InvalidRequest when the request has %s', async (_case, headers, message) => {
      await expectRejection(verifyIntegrity(headers, CHECK_INPUT, required), 'InvalidRequest', message);
    });
  });

  describe('with a value that is not the base64 of a digest', () => {
    // Each maker gives, from the correct value, one of the forms S3 refuses.
    const malformed: ReadonlyArray<readonly [string, (value: string) => string]> = [
      ['empty', () => ''],
      ['without its padding', (value) => value.replace(/=+$/, '')],
      ['with extra padding', (value) => `${value}==`],
      ['in hexadecimal', (value) => Buffer.from(value, 'base64').toString('hex')],
      // Bytes 0xff encode as `/` in the standard alphabet, `_` in the URL-safe one.
      [
        'in the URL-safe alphabet',
        (value) => Buffer.alloc(byteLength(value), 0xff).toString('base64').replaceAll('/', '_'),
      ],
      ['with a character outside the alphabet', (value) => `*${value.slice(1)}`],
      ['with a space inside', (value) => `${value.slice(0, 4)} ${value.slice(4)}`],
      ['with surrounding whitespace', (value) => ` ${value}`],
      ['one byte too short', (value) => Buffer.from(value, 'base64').subarray(1).toString('base64')],
      [
        'one byte too long',
        (value) => Buffer.concat([Buffer.from(value, 'base64'), Buffer.of(0)]).toString('base64'),
      ],
      // The last character before the padding has unused low bits; setting one gives a non-canonical text
      // that lenient decoders accept as the same bytes.
      ['with non-zero unused bits', (value) => nonCanonical(value)],
      ['repeated, as a proxy joins two headers', (value) => `${value},${value}`],
    ];
    const byteLength = (value: string) => Buffer.from(value, 'base64').length;
    // The same bytes in a non-canonical text: the lowest unused bit of the last data character set.
    const nonCanonical = (value: string) => {
      const at = value.indexOf('=') - 1;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      return value.slice(0, at) + alphabet[alphabet.indexOf(value.charAt(at)) + 1] + value.slice(at + 1);
    };

    const correct = CHECK_VALUES.map(([algorithm, hex]) => [algorithm, base64OfHex(hex)] as const);
    const cases = correct.flatMap(([algorithm, value]) =>
      malformed.map(([form, make]) => [algorithm, form, make(value)] as const),
    );

    it.each(cases)('returns InvalidDigest when x-amz-checksum-%s is %s', async (algorithm, _form, value) => {
      const header = headerOf(algorithm);
      await expectRejection(
        verifyIntegrity({ [header]: value }, CHECK_INPUT, required),
        'InvalidDigest',
        `Value for ${header} header is invalid.`,
      );
    });

    it.each(malformed)('returns InvalidDigest when Content-MD5 is %s', async (_form, make) => {
      await expectRejection(
        verifyIntegrity({ 'content-md5': make(md5(CHECK_INPUT)) }, CHECK_INPUT, required),
        'InvalidDigest',
        'The Content-MD5 you specified was invalid.',
      );
    });

    it('returns values that differ from the correct one, non-canonical ones decoding to the same bytes (the cases themselves)', () => {
      for (const [, value] of correct) {
        for (const [, make] of malformed) expect(make(value)).not.toBe(value);
        expect(Buffer.from(nonCanonical(value), 'base64')).toEqual(Buffer.from(value, 'base64'));
      }
    });
  });

  describe('with a value that does not match the body', () => {
    it.each(CHECK_VALUES)(
      'returns BadDigest when x-amz-checksum-%s does not match',
      async (algorithm, hex) => {
        const wrong = Buffer.alloc(hex.length / 2, 1).toString('base64');
        await expectRejection(
          verifyIntegrity({ [headerOf(algorithm)]: wrong }, CHECK_INPUT, required),
          'BadDigest',
          `The ${algorithm} you specified did not match the calculated checksum.`,
        );
      },
    );

    it('returns BadDigest when Content-MD5 does not match', async () => {
      await expectRejection(
        verifyIntegrity({ 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' }, CHECK_INPUT, required),
        'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
      );
    });

    it('returns BadDigest when Content-MD5 matches but the checksum does not', async () => {
      const headers = {
        'content-md5': md5(CHECK_INPUT),
        'x-amz-checksum-sha256': base64OfHex('00'.repeat(32)),
      };
      await expectRejection(
        verifyIntegrity(headers, CHECK_INPUT, required),
        'BadDigest',
        'The SHA256 you specified did not match the calculated checksum.',
      );
    });

    it('returns BadDigest when the checksum matches but Content-MD5 does not', async () => {
      const headers = { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==', 'x-amz-checksum-crc32': 'y/Q5Jg==' };
      await expectRejection(
        verifyIntegrity(headers, CHECK_INPUT, required),
        'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
      );
    });
  });

  describe('order of the checks', () => {
    it('returns InvalidRequest before looking at a malformed value', async () => {
      const headers = { 'x-amz-sdk-checksum-algorithm': 'SHA1', 'x-amz-checksum-crc32': 'not base64' };
      await expectRejection(
        verifyIntegrity(headers, CHECK_INPUT, required),
        'InvalidRequest',
        'Value for x-amz-sdk-checksum-algorithm header is invalid.',
      );
    });

    it('returns InvalidDigest for a malformed checksum even when Content-MD5 does not match', async () => {
      const headers = { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==', 'x-amz-checksum-crc32c': 'AAAA' };
      await expectRejection(
        verifyIntegrity(headers, CHECK_INPUT, required),
        'InvalidDigest',
        'Value for x-amz-checksum-crc32c header is invalid.',
      );
    });
  });

  describe('for any body', () => {
    const bodies = fc.uint8Array({ minLength: 1, maxLength: 2048 });
    const flip = fc.record({ index: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) });
    const flipped = (body: Uint8Array, { index, mask }: { index: number; mask: number }) => {
      const copy = Uint8Array.from(body);
      const at = index % copy.length;
      copy[at] = (copy[at] ?? 0) ^ mask;
      return copy;
    };

    it('resolves with a correct checksum of each algorithm and returns BadDigest when one byte changes', async () => {
      await fc.assert(
        fc.asyncProperty(
          bodies,
          fc.constantFrom(...CHECKSUM_ALGORITHMS),
          flip,
          async (body, algorithm, change) => {
            const headers = {
              'x-amz-sdk-checksum-algorithm': algorithm,
              [headerOf(algorithm)]: await computeChecksum(algorithm, body),
            };
            await verifyIntegrity(headers, body, required);
            const error = await rejectedS3Error(verifyIntegrity(headers, flipped(body, change), required));
            expect(error.code).toBe('BadDigest');
          },
        ),
      );
    });

    it('resolves with a correct Content-MD5 and returns BadDigest when one byte changes', async () => {
      await fc.assert(
        fc.asyncProperty(bodies, flip, async (body, change) => {
          const headers = { 'content-md5': md5(body) };
          await verifyIntegrity(headers, body, required);
          const error = await rejectedS3Error(verifyIntegrity(headers, flipped(body, change), required));
          expect(error.code).toBe('BadDigest');
        }),
      );
    });
  });
});

describe('verifyIntegrity with what the AWS SDK for JavaScript v3 sends', () => {
  interface Recorded {
    headers: Record<string, string>;
    body: Buffer;
  }
  let server: Server;
  let endpoint: string;
  const recorded: Recorded[] = [];

  const flatten = (headers: IncomingHttpHeaders): Record<string, string> =>
    Object.fromEntries(
      Object.entries(headers).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value]],
      ),
    );

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        recorded.push({ headers: flatten(request.headers), body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-length': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const send = async (
    checksumAlgorithm: ChecksumAlgorithm | undefined,
    requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' = 'WHEN_SUPPORTED',
  ): Promise<Recorded> => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      requestChecksumCalculation,
      maxAttempts: 1,
    });
    try {
      const before = recorded.length;
      await client.send(
        new PutBucketEncryptionCommand({
          Bucket: 'b1',
          ChecksumAlgorithm: checksumAlgorithm,
          ServerSideEncryptionConfiguration: {
            Rules: [
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/k1' } },
            ],
          },
        }),
      );
      expect(recorded).toHaveLength(before + 1);
      return recorded[before] as Recorded;
    } finally {
      client.destroy();
    }
  };

  it('sends CRC32 by default, with x-amz-sdk-checksum-algorithm and no Content-MD5', async () => {
    const { headers, body } = await send(undefined);
    expect(headers).toMatchObject({
      'x-amz-sdk-checksum-algorithm': 'CRC32',
      'x-amz-checksum-crc32': await computeChecksum('CRC32', body),
    });
    expect(headers).not.toHaveProperty('content-md5');
    await expect(verifyIntegrity(headers, body, { required: true })).resolves.toBeUndefined();
  });

  it.each(['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const)(
    'resolves for what it sends with requestChecksumCalculation %s',
    async (calculation) => {
      const { headers, body } = await send(undefined, calculation);
      await expect(verifyIntegrity(headers, body, { required: true })).resolves.toBeUndefined();
    },
  );

  it.each(CHECKSUM_ALGORITHMS)('resolves for what it sends with ChecksumAlgorithm %s', async (algorithm) => {
    const { headers, body } = await send(algorithm);
    expect(headers).toHaveProperty(headerOf(algorithm));
    await expect(verifyIntegrity(headers, body, { required: true })).resolves.toBeUndefined();
  });

  it.each(CHECKSUM_ALGORITHMS)(
    'returns BadDigest when the body it sent with %s is changed',
    async (algorithm) => {
      const { headers, body } = await send(algorithm);
      const changed = Buffer.from(body.toString().replace('alias/k1', 'alias/k2'));
      await expectRejection(
        verifyIntegrity(headers, changed, { required: true }),
        'BadDigest',
        `The ${algorithm} you specified did not match the calculated checksum.`,
      );
    },
  );
});
