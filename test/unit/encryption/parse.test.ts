import { describe, expect, it } from 'vitest';
import { getProfile, parseEncryptionConfiguration, S3_NAMESPACE } from '../../../lib/encryption/index.ts';
import { S3_ERRORS } from '../../../lib/errors.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../../lib/request.ts';
import { s3ErrorOf } from './fixtures.ts';

const aws = getProfile('aws');
const obs = getProfile('obs');

const document = (rule: string, root = `<ServerSideEncryptionConfiguration xmlns="${S3_NAMESPACE}">`) =>
  `${root}${rule}</ServerSideEncryptionConfiguration>`;
const byDefault = (inner: string, rest = '') =>
  document(
    `<Rule><ApplyServerSideEncryptionByDefault>${inner}</ApplyServerSideEncryptionByDefault>${rest}</Rule>`,
  );

describe('parseEncryptionConfiguration', () => {
  it('returns a plain JSON value without undefined fields when only the algorithm is sent', () => {
    const config = parseEncryptionConfiguration(byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>'), aws);
    expect(config).toStrictEqual({ sseAlgorithm: 'AES256', bucketKeyEnabled: false });
    expect(Object.keys(config)).toEqual(['sseAlgorithm', 'bucketKeyEnabled']);
    expect(JSON.parse(JSON.stringify(config))).toStrictEqual(config);
  });

  it('returns the same configuration when the body is bytes or a string', () => {
    const body = byDefault(
      '<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>',
      '<BucketKeyEnabled>true</BucketKeyEnabled>',
    );
    expect(parseEncryptionConfiguration(new TextEncoder().encode(body), aws)).toStrictEqual(
      parseEncryptionConfiguration(body, aws),
    );
  });

  it('returns the configuration when a string body starts with a byte order mark', () => {
    expect(
      parseEncryptionConfiguration(`\ufeff${byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>')}`, aws)
        .sseAlgorithm,
    ).toBe('AES256');
  });

  it('returns the configuration for a body of the largest size a request may carry', () => {
    const body = byDefault('<SSEAlgorithm>AES256</SSEAlgorithm>');
    const padded = body + ' '.repeat(MAX_REQUEST_BODY_BYTES - body.length);
    expect(parseEncryptionConfiguration(padded, aws).sseAlgorithm).toBe('AES256');
    expect(parseEncryptionConfiguration(Buffer.from(padded), aws).sseAlgorithm).toBe('AES256');
  });

  it.each([
    ['an empty string', ''],
    ['empty bytes', new Uint8Array()],
    ['a byte order mark alone', '\ufeff'],
  ])('throws MalformedXML when the body is %s', (_, body) => {
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, aws)).code).toBe('MalformedXML');
  });

  it.each([null, undefined, 42, {}])('throws MalformedXML when an untyped caller passes %s', (body) => {
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body as unknown as string, aws)).code).toBe(
      'MalformedXML',
    );
  });

  it('throws MalformedXML with AWS fixed message and keeps the detail for the logs only', () => {
    const error = s3ErrorOf(() =>
      parseEncryptionConfiguration(byDefault('<SSEAlgorithm>aes256</SSEAlgorithm>'), aws),
    );
    expect(error.message).toBe(S3_ERRORS.MalformedXML[1]);
    expect(error.fields).toEqual({});
    expect(error.cause).toBe('SSEAlgorithm is not one of AES256, aws:kms, aws:kms:dsse (profile aws)');
  });

  it('throws InvalidArgument with ArgumentName ApplyServerSideEncryptionByDefault when AES256 comes with a key', () => {
    const error = s3ErrorOf(() =>
      parseEncryptionConfiguration(
        byDefault('<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>'),
        aws,
      ),
    );
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toBe(
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
    );
    expect(error.fields).toEqual({ ArgumentName: 'ApplyServerSideEncryptionByDefault' });
  });

  it('throws MalformedXML before InvalidArgument when a body breaks both the schema and a field rule', () => {
    const body = byDefault(
      '<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>',
      '<BucketKeyEnabled>yes</BucketKeyEnabled>',
    );
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, aws)).code).toBe('MalformedXML');
  });

  it('throws MalformedXML without expanding when an internal entity is declared', () => {
    const body = `<!DOCTYPE c [<!ENTITY a "AES256">]>${byDefault('<SSEAlgorithm>&a;</SSEAlgorithm>')}`;
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, aws)).code).toBe('MalformedXML');
  });

  it.each([
    ['a decimal character reference', '&#65;ES256'],
    ['a hexadecimal character reference', '&#x41;ES256'],
    ['a CDATA section', '<![CDATA[AES256]]>'],
    ['text split by a comment', 'AES<!-- - -->256'],
  ])('returns AES256 when the algorithm is written with %s', (_, value) => {
    expect(
      parseEncryptionConfiguration(byDefault(`<SSEAlgorithm>${value}</SSEAlgorithm>`), aws).sseAlgorithm,
    ).toBe('AES256');
  });

  it('returns the key undecoded when it contains what looks like a reference inside CDATA', () => {
    const body = byDefault(
      '<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID><![CDATA[alias/a&amp;b]]></KMSMasterKeyID>',
    );
    expect(parseEncryptionConfiguration(body, aws).kmsMasterKeyId).toBe('alias/a&amp;b');
  });

  it.each([
    ['&#0;', 'a reference to NUL'],
    ['&#xD800;', 'a reference to a surrogate'],
    ['&#x110000;', 'a reference beyond Unicode'],
    ['&#xFFFE;', 'a reference to a non-character'],
    ['&#;', 'an empty reference'],
    ['&amp', 'a reference without its semicolon'],
    ['\u0000', 'a raw NUL'],
    ['\ud800', 'a lone surrogate'],
  ])('throws MalformedXML when a value holds %s (%s)', (value) => {
    const body = byDefault(`<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k${value}</KMSMasterKeyID>`);
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, aws)).code).toBe('MalformedXML');
  });

  it.each([
    ['the default namespace on every element', `<Rule xmlns="${S3_NAMESPACE}">`],
    ['a prefix bound to the same namespace', `<s3:Rule xmlns:s3="${S3_NAMESPACE}">`],
  ])('returns the configuration when a child redeclares %s', (_, open) => {
    const close = open.startsWith('<s3:') ? '</s3:Rule>' : '</Rule>';
    const inner = open.startsWith('<s3:')
      ? '<s3:ApplyServerSideEncryptionByDefault><s3:SSEAlgorithm>AES256</s3:SSEAlgorithm></s3:ApplyServerSideEncryptionByDefault>'
      : '<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>';
    expect(parseEncryptionConfiguration(document(open + inner + close), aws).sseAlgorithm).toBe('AES256');
  });

  it('throws MalformedXML when a prefix-qualified root has unqualified children (they are in no namespace)', () => {
    const body = `<s3:ServerSideEncryptionConfiguration xmlns:s3="${S3_NAMESPACE}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></s3:ServerSideEncryptionConfiguration>`;
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, aws)).code).toBe('MalformedXML');
  });

  it('returns the configuration when the root uses the deployment own OBS namespace, given as options', () => {
    const namespace = 'http://obs.la-south-2.example.internal:8443/doc/2015-06-30/';
    const body = `<ServerSideEncryptionConfiguration xmlns="${namespace}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, obs)).code).toBe('MalformedXML');
    expect(
      parseEncryptionConfiguration(body, obs, { region: 'la-south-2', obsDomain: 'example.internal:8443' })
        .sseAlgorithm,
    ).toBe('kms');
  });

  it('returns BucketKeyEnabled false and no blocked types when neither is sent', () => {
    const config = parseEncryptionConfiguration(byDefault('<SSEAlgorithm>aws:kms</SSEAlgorithm>'), aws);
    expect(config.bucketKeyEnabled).toBe(false);
    expect('blockedEncryptionTypes' in config).toBe(false);
    expect('kmsMasterKeyId' in config).toBe(false);
  });

  it('returns quickly when the body is a maximal run of nested unknown elements', () => {
    const depth = Math.floor(MAX_REQUEST_BODY_BYTES / 8);
    const body = `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`.slice(0, MAX_REQUEST_BODY_BYTES);
    // The CPU time this process spent, not the wall clock: a busy machine (the suite's other workers,
    // a CI neighbour) stretches the wall clock of linear work too; quadratic work takes seconds of CPU.
    const started = process.cpuUsage();
    expect(s3ErrorOf(() => parseEncryptionConfiguration(body, aws)).code).toBe('MalformedXML');
    const { user, system } = process.cpuUsage(started);
    expect((user + system) / 1000).toBeLessThan(2000);
  });
});
