// `serverless package` works on a machine without AWS credentials, and the CloudFormation it generates
// is the stack the README describes. Stages dev and prod are packaged side by side, each in a copy of
// the service.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../bench/lib/zip.ts';
import { DEPLOY_PARAMS } from '../../lib/deploy-params.ts';
import { EMITTED_METRICS, METRICS_NAMESPACE } from '../../lib/metrics.ts';
import tableDefinition from '../../lib/storage/table.json' with { type: 'json' };
import { ROOT } from '../../scripts/local-stack.ts';
import {
  type PackagedService,
  type PackageOptions,
  packageRefused,
  packageService,
} from '../helpers/serverless-package.ts';
import { created, decided, type Json, lambdaEnvironments } from '../helpers/template.ts';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
type Packaged = Omit<PackagedService, 'template'> & { template: Template };

const workDir = mkdtempSync(join(tmpdir(), 'package-test-'));
const packageStage = (stage: string, options: PackageOptions = {}) =>
  packageService(workDir, stage, options) as Promise<Packaged>;

/** The file names in a zip archive, from its central directory. */
function zipEntries(path: string): string[] {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${path} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${path}: bad central directory`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** The code a cold start of `handler` loads (it and the chunks it imports statically), and all of the zip's code. */
const coldStartCode = (zip: string, handler: string) => {
  const code = new Map(
    readZip(readFileSync(zip))
      .filter((file) => file.name.endsWith('.mjs'))
      .map((file) => [file.name, file.data.toString('utf8')]),
  );
  const loaded = new Set<string>();
  const pending = [handler];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (loaded.has(name)) continue;
    loaded.add(name);
    // Static imports, with bindings (`import{a}from"./chunks/x.mjs"`) or for effect (`import"./chunks/x.mjs"`).
    for (const [, chunk] of (code.get(name) ?? '').matchAll(
      /(?:^|[;}\s])import\b[^"'()]*?"\.\/(?:chunks\/)?([\w-]+\.mjs)"/g,
    )) {
      pending.push(`functions/chunks/${chunk}`);
    }
  }
  return {
    atColdStart: [...loaded].map((name) => code.get(name) ?? '').join('\n'),
    all: [...code.values()].join('\n'),
  };
};

const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every DynamoDB statement of every IAM role, by role. */
function dynamoStatements(template: Template): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const [name, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
    const policies = (role.Properties.Policies ?? []) as Array<{
      PolicyDocument: { Statement: Statement[] };
    }>;
    const statements = policies
      .flatMap((policy) => policy.PolicyDocument.Statement)
      // A statement under Fn::If (the history role's optional events:PutEvents) is not DynamoDB's.
      .filter((statement) =>
        asArray(statement.Action ?? []).some((action) => action === '*' || action.startsWith('dynamodb:')),
      );
    byRole.set(name, statements);
  }
  return byRole;
}

// CloudFormation's own ${…} substitution, not template literals. The table is named by ARN (not GetAtt):
// a redeploy onto the retained table (adoptTable) has no BucketsTable resource to point at.
const TABLE_ARN = {
  'Fn::Sub':
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
    'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/bucket-encryption-api-dev',
};
const BY_OWNER_INDEX_ARN = {
  'Fn::Sub':
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
    'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/bucket-encryption-api-dev/index/byOwner',
};

/** Every setting `npm start` and the local stack read from the shell, set as a developer might have them. */
const LOCAL_SHELL = {
  DYNAMODB_ENDPOINT: 'http://localhost:8000',
  SECRETS_MODE: 'local',
  LOCAL_SECRETS_KEY: 'not a secret',
  S3_PROFILE: 'obs',
  S3_UNSET_ENCRYPTION: 'not-found',
  S3_BUCKET_DEFAULTS: 'legacy',
  S3_BASE_DOMAIN: 'localhost',
  S3_OBS_DOMAIN: 'example.test',
  CREDENTIAL_CACHE_TTL_SECONDS: '1',
  LOG_LEVEL: 'DEBUG',
  TABLE_NAME: 'local-table',
  AWS_REGION: 'eu-west-3',
  AWS_PROFILE: 'local',
  AWS_ENDPOINT_URL: 'http://localhost:4566',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000',
  AWS_ENDPOINT_URL_KMS: 'http://localhost:4566',
  NODE_OPTIONS: '--inspect',
};

const DOMAIN_PARAMS = {
  domainName: 's3.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
};

const ALARM_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ops-alarms';

let dev: Packaged;
let prod: Packaged;
let prodFromLocalShell: Packaged;
let withDomain: Packaged;
let redeploy: Packaged;
const RETAINED_STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:123456789012:table/bucket-encryption-api-prod/stream/2026-11-01T00:00:00.000';
beforeAll(async () => {
  [dev, prod, prodFromLocalShell, withDomain, redeploy] = await Promise.all([
    packageStage('dev'),
    packageStage('prod'),
    packageStage('prod', { name: 'prod-local-shell', env: LOCAL_SHELL }),
    packageStage('prod', {
      name: 'prod-domain',
      params: {
        ...DOMAIN_PARAMS,
        eventBus: 'audit',
        alarmTopicArn: ALARM_TOPIC_ARN,
        tracing: 'true',
        bucketDefaults: 'legacy',
      },
    }),
    packageStage('prod', {
      name: 'prod-redeploy',
      params: {
        ...DOMAIN_PARAMS,
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        adoptTable: 'true',
        secretsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-4909-8807-060504030201',
        tableStreamArn: RETAINED_STREAM_ARN,
        throttlingRateLimit: '50',
        throttlingBurstLimit: '75',
        alarmEmail: 'ops@example.com',
        accessLogRetentionDays: '365',
      },
    }),
  ]);
}, 300_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('serverless package without AWS credentials', () => {
  it.each([
    ['dev', () => dev],
    ['prod with a domain', () => withDomain],
    ['a redeploy', () => redeploy],
  ])(
    'returns the %s template with every condition settled: no Condition, no Fn::If, no unused branch',
    (_case, packaged) => {
      const text = JSON.stringify(packaged().template);
      expect(packaged().template).not.toHaveProperty('Conditions');
      expect(text).not.toContain('"Fn::If"');
      for (const [name, resource] of Object.entries(packaged().template.Resources)) {
        expect(resource, name).not.toHaveProperty('Condition');
      }
      expect(text).not.toContain('AWS::NoValue');
    },
  );

  it.each([
    ['service', 'functions/route-service'],
    ['bucket', 'functions/route-bucket'],
    ['object', 'functions/route-bucket'],
    ['history', 'functions/record-history'],
  ])('returns %s.zip holding the bundled %s.mjs, its chunks and their source maps only', (name, handler) => {
    expect(dev.files).toContain(`${name}.zip`);
    const entries = zipEntries(join(dev.dir, `${name}.zip`));
    expect(entries).toContain(`${handler}.mjs`);
    expect(entries).toContain(`${handler}.mjs.map`);
    // Everything bundled: no node_modules, nothing left for the runtime's own SDK to provide.
    for (const entry of entries) {
      expect(entry).toMatch(
        /^functions\/(route-(service|bucket)|record-history|chunks\/[\w-]+)\.mjs(\.map)?$/,
      );
    }
  });

  it.each([
    ['service', 'functions/route-service.mjs'],
    ['bucket', 'functions/route-bucket.mjs'],
    ['object', 'functions/route-bucket.mjs'],
  ])('returns %s.zip with the KMS client bundled, reached only through a lazy import()', (name, handler) => {
    const { atColdStart, all } = coldStartCode(join(dev.dir, `${name}.zip`), handler);
    // The KMS client's JSON protocol target prefix.
    expect(all).toContain('TrentService');
    expect(atColdStart).not.toContain('TrentService');
    expect(atColdStart).not.toContain('@aws-sdk/client-kms');
  });

  it.each(['service', 'bucket', 'object', 'history'])(
    'returns %s.zip without the policy oracle or the IAM data package (test-only: iam-simulate is AGPL-3.0)',
    (name) => {
      const code = readZip(readFileSync(join(dev.dir, `${name}.zip`)))
        .filter((file) => file.name.endsWith('.mjs'))
        .map((file) => file.data.toString('utf8'))
        .join('\n');
      // iam-simulate's verdict names and package name; iam-data's file reader.
      for (const marker of [
        'iam-simulate',
        'AllowedForAccount',
        'DeniedForAccount',
        'readRelativeFile',
        'iamActionDetails',
      ]) {
        expect(code, marker).not.toContain(marker);
      }
    },
  );

  it.each(['service', 'bucket', 'object'])(
    'returns %s.zip with the policy language in chunks a cold start does not load (imported when first needed)',
    (name) => {
      const files = new Map(
        readZip(readFileSync(join(dev.dir, `${name}.zip`)))
          .filter((file) => file.name.endsWith('.mjs'))
          .map((file) => [file.name, file.data.toString('utf8')]),
      );
      // What a cold start loads: the handler's module and what it imports statically (as the bench's
      // cold-start section counts it); `import()`ed chunks load when first needed.
      const handler = [...files.keys()].find((file) => !file.includes('/chunks/')) ?? '';
      const loaded = new Set<string>();
      const visit = (file: string) => {
        const text = files.get(file);
        if (loaded.has(file) || text === undefined) return;
        loaded.add(file);
        for (const [, specifier = ''] of text.matchAll(
          /(?:^|[;}\s])(?:import|export)\b[^"'()]*?["'](\.{1,2}\/[^"']+)["']/g,
        )) {
          visit(posix.join(posix.dirname(file), specifier));
        }
      };
      visit(handler);
      // The first row of the generated S3 table (lib/policy/s3-table.generated.ts, PutBucketPolicy's
      // validator) and a message of the grammar (lib/policy/messages.ts, the evaluator's parser too).
      for (const marker of ['AbortMultipartUpload:', 'Invalid Condition type']) {
        const holders = [...files].filter(([, text]) => text.includes(marker)).map(([file]) => file);
        expect(holders, marker).toEqual([expect.stringMatching(/^functions\/chunks\//)]);
        expect(
          [...loaded].filter((file) => holders.includes(file)),
          marker,
        ).toEqual([]);
      }
    },
  );

  it.each([
    ['service', 'AWSEvents'],
    ['bucket', 'AWSEvents'],
    ['history', 'TrentService'],
  ])('returns %s.zip without chunks no module in it imports (here: the %s client)', (name, foreign) => {
    const files = readZip(readFileSync(join(dev.dir, `${name}.zip`)));
    const code = files.filter((file) => file.name.endsWith('.mjs'));
    const imported = new Set<string>();
    for (const file of code) {
      for (const [, specifier = ''] of file.data.toString('utf8').matchAll(/"(\.{1,2}\/[^"]+\.mjs)"/g)) {
        imported.add(posix.join(posix.dirname(file.name), specifier));
      }
    }
    for (const file of code.filter(({ name: path }) => path.startsWith('functions/chunks/'))) {
      expect(imported, file.name).toContain(file.name);
    }
    expect(code.some((file) => file.data.includes(foreign))).toBe(false);
    // A bound on what is shipped (each output is an .mjs and its map): the handler, the SDK's lazily
    // imported pieces, and since issue 18 the policy language's three chunks (the evaluator, the
    // PutBucketPolicy validator with the S3 table, and what the two share); since issue 21 each operation's
    // module and each group of modules only operations share (≈ 40 chunks, 122 files in the route zips).
    expect(files.length).toBeLessThan(140);
  });

  it.each([
    ['service', 'functions/route-service.mjs'],
    ['bucket', 'functions/route-bucket.mjs'],
  ])(
    'returns %s.zip whose cold start loads the operation table, not the operations nor what only they use',
    (name, handler) => {
      const { atColdStart, all } = coldStartCode(join(dev.dir, `${name}.zip`), handler);
      for (const marker of [
        // fast-xml-parser's option names (request bodies: PutBucketEncryption and the other Puts).
        'ignoreAttributes',
        // Powertools Metrics' settings (imported by the first request, lib/metrics.ts).
        'POWERTOOLS_METRICS_NAMESPACE',
        // Presigned SigV4 (lib/auth/sigv4-presigned.ts) and V2/OBS (lib/auth/v2.ts: its signed subresources).
        'X-Amz-Expires should be a number',
        'response-content-language',
        // Operations' own documents: GetBucketEncryption's and ListObjects'.
        'BucketKeyEnabled',
        'ListBucketResult',
      ]) {
        expect(all, marker).toContain(marker);
        expect(atColdStart, marker).not.toContain(marker);
      }
    },
  );

  it('returns history.zip whose cold start loads neither the XML parser nor the EventBridge client', () => {
    const files = readZip(readFileSync(join(dev.dir, 'history.zip')));
    const code = new Map(
      files
        .filter((file) => file.name.endsWith('.mjs'))
        .map((file) => [file.name, file.data.toString('utf8')]),
    );
    // What a cold start loads: the handler's module and the chunks it imports statically.
    const loaded = new Set<string>();
    const pending = ['functions/record-history.mjs'];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (loaded.has(name)) continue;
      loaded.add(name);
      for (const [, chunk] of (code.get(name) ?? '').matchAll(/from\s*"\.\/(?:chunks\/)?([\w-]+\.mjs)"/g)) {
        pending.push(`functions/chunks/${chunk}`);
      }
    }
    const atColdStart = [...loaded].map((name) => code.get(name) ?? '').join('\n');
    expect(loaded.size).toBeGreaterThan(1);
    // The EventBridge client (its JSON protocol's target prefix) is in a chunk imported lazily.
    expect(atColdStart).not.toContain('AWSEvents');
    expect([...code.values()].some((text) => text.includes('AWSEvents'))).toBe(true);
    // fast-xml-parser's option names are in the route bundles, not here.
    expect(atColdStart).not.toContain('ignoreAttributes');
  });

  it('returns exactly four function packages', () => {
    expect(dev.files.filter((file) => file.endsWith('.zip')).sort()).toEqual([
      'bucket.zip',
      'history.zip',
      'object.zip',
      'service.zip',
    ]);
  });

  it.each([
    ['ServiceLambdaFunction', 'functions/route-service.handler', 'ServiceRouteRole'],
    ['BucketLambdaFunction', 'functions/route-bucket.handler', 'BucketRouteRole'],
    ['ObjectLambdaFunction', 'functions/route-bucket.handler', 'BucketRouteRole'],
    ['HistoryLambdaFunction', 'functions/record-history.handler', 'HistoryRecorderRole'],
  ])('returns %s on nodejs24.x with handler %s and role %s', (name, handler, role) => {
    expect(dev.template.Resources[name]?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: handler,
      Role: { 'Fn::GetAtt': [role, 'Arn'] },
    });
  });

  it('returns only nodejs24.x functions', () => {
    const runtimes = resourcesOfType(dev.template, 'AWS::Lambda::Function').map(
      ([, fn]) => fn.Properties.Runtime,
    );
    expect(new Set(runtimes)).toEqual(new Set(['nodejs24.x']));
  });

  it('returns the table on demand, keyed as lib/storage/table.json, with point-in-time recovery and SSE', () => {
    expect(dev.template.Resources.BucketsTable).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'bucket-encryption-api-dev',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: tableDefinition.KeySchema,
        AttributeDefinitions: tableDefinition.AttributeDefinitions,
        GlobalSecondaryIndexes: tableDefinition.GlobalSecondaryIndexes,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it.each([
    ['dev', () => dev, false],
    ['prod', () => prod, true],
  ])('returns DeletionProtectionEnabled for stage %s as %s', (stage, packaged, protectedTable) => {
    expect(packaged().template.Resources.BucketsTable?.Properties).toMatchObject({
      TableName: `bucket-encryption-api-${stage}`,
      DeletionProtectionEnabled: protectedTable,
    });
  });

  it('returns the HTTP API routes ANY /, ANY /{bucket} and ANY /{bucket}/{proxy+}', () => {
    const routes = resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Route').map(
      ([, route]) => route.Properties.RouteKey,
    );
    expect(routes.sort()).toEqual(['ANY /', 'ANY /{bucket}', 'ANY /{bucket}/{proxy+}']);
    expect(
      resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Api').map(([, api]) => api.Properties.ProtocolType),
    ).toEqual(['HTTP']);
  });

  it('returns roles whose DynamoDB statements allow named actions on the table only', () => {
    const byRole = dynamoStatements(dev.template);
    expect([...byRole.keys()].sort()).toEqual(['BucketRouteRole', 'HistoryRecorderRole', 'ServiceRouteRole']);
    byRole.delete('HistoryRecorderRole'); // on the stream and the history's keys only: its own test below
    for (const statements of byRole.values()) {
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asArray(statement.Action)) expect(action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
        const onIndex = asArray(statement.Action).includes('dynamodb:Query');
        expect(asArray(statement.Resource)).toEqual([onIndex ? BY_OWNER_INDEX_ARN : TABLE_ARN]);
      }
    }
  });

  it.each([
    ['ServiceRouteRole', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
    ['BucketRouteRole', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
  ])('returns %s with the DynamoDB actions %j', (role, actions) => {
    const granted = (dynamoStatements(dev.template).get(role) ?? []).flatMap((statement) =>
      asArray(statement.Action),
    );
    expect(granted.sort()).toEqual(actions);
  });

  it.each(['ServiceRouteRole', 'BucketRouteRole'])(
    'returns %s reading only access keys and buckets, creating only buckets, and updating only buckets and signature bindings (dynamodb:LeadingKeys)',
    (role) => {
      const onTable = (dynamoStatements(dev.template).get(role) ?? []).filter(
        (statement) => !asArray(statement.Action).includes('dynamodb:Query'),
      );
      expect(onTable.map(({ Action, Condition }) => ({ Action, Condition }))).toEqual([
        {
          Action: ['dynamodb:GetItem'],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BUCKET#*', 'KEY#*'] } },
        },
        {
          Action: ['dynamodb:PutItem'],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BUCKET#*'] } },
        },
        {
          Action: ['dynamodb:UpdateItem'],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BUCKET#*', 'SIGNATURE#*'] } },
        },
      ]);
    },
  );

  it.each(['ServiceRouteRole', 'BucketRouteRole'])(
    'returns %s decrypting with the stack key only, and only with the accessKeyId encryption context the admin CLI seals with',
    (role) => {
      const policies = (created(dev.template)[role]?.Properties.Policies ?? []) as Array<{
        PolicyDocument: { Statement: Statement[] };
      }>;
      const statements = policies.flatMap((policy) => policy.PolicyDocument.Statement);
      expect(statements.filter((statement) => JSON.stringify(statement.Action).includes('kms:'))).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: { 'Fn::GetAtt': ['SecretsKey', 'Arn'] },
          Condition: {
            StringLike: { 'kms:EncryptionContext:accessKeyId': '?*' },
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['accessKeyId'] },
          },
        },
      ]);
    },
  );

  it('returns dynamodb:Query on the service role only, and only on the byOwner index', () => {
    const queries = [...dynamoStatements(dev.template)].flatMap(([role, statements]) =>
      statements
        .filter((statement) => asArray(statement.Action).includes('dynamodb:Query'))
        .map((statement) => ({
          role,
          actions: asArray(statement.Action),
          resources: asArray(statement.Resource),
        })),
    );
    expect(queries).toEqual([
      { role: 'ServiceRouteRole', actions: ['dynamodb:Query'], resources: [BY_OWNER_INDEX_ARN] },
    ]);
  });

  it('returns the history Lambda reading the table stream, reporting failed records, only for bucket items', () => {
    const mappings = resourcesOfType(dev.template, 'AWS::Lambda::EventSourceMapping').map(
      ([, m]) => m.Properties,
    );
    expect(mappings).toEqual([
      expect.objectContaining({
        // The stream of the table this stack created (adoptTable: the retained one's, below). The
        // template's conditions are settled at packaging (scripts/settle-conditions.ts).
        EventSourceArn: { 'Fn::GetAtt': ['BucketsTable', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['HistoryLambdaFunction', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        // Bounded (docs/history.md "Failures"): a poison record cannot hold its shard for 24 hours.
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['HistoryFailedQueue', 'Arn'] } } },
        FilterCriteria: {
          Filters: [
            { Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: 'BUCKET#' }] } } } }) },
          ],
        },
      }),
    ]);
    expect(dev.template.Resources.HistoryLambdaFunction?.Properties).toMatchObject({
      Environment: { Variables: { HISTORY_RETENTION_DAYS: '400', EVENT_BUS_NAME: '' } },
    });
  });

  it('returns a history role that reads the stream and writes only HISTORY# items', () => {
    expect(dynamoStatements(dev.template).get('HistoryRecorderRole')).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        Resource: {
          'Fn::Sub':
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
            'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/bucket-encryption-api-dev/stream/*',
        },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem'],
        Resource: TABLE_ARN,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['HISTORY#*'] } },
      },
    ]);
  });

  it.each([
    ['dev', () => dev, 'false'],
    ['prod with a domain and an event bus', () => withDomain, 'true'],
  ])(
    'returns events:PutEvents on the named bus only with --param eventBus (%s: %s)',
    (_stage, packaged, publishes) => {
      const policy = JSON.stringify(packaged().template.Resources.HistoryRecorderRole?.Properties.Policies);
      expect(policy.includes('events:PutEvents')).toBe(publishes === 'true');
      if (publishes === 'true') expect(policy).toContain('event-bus/audit');
    },
  );
});

const ofType = (template: Template, type: string) =>
  Object.values(created(template)).filter((resource) => resource.Type === type);

describe('deployed configuration comes from --stage and --param only', () => {
  it('returns identical Lambda environments for prod packaged from a clean shell and from a local one', () => {
    const clean = lambdaEnvironments(prod.template);
    expect(Object.keys(clean).sort()).toEqual([
      'BucketLambdaFunction',
      'HistoryLambdaFunction',
      'ObjectLambdaFunction',
      'ServiceLambdaFunction',
    ]);
    expect(lambdaEnvironments(prodFromLocalShell.template)).toEqual(clean);
  });

  it('returns prod Lambdas that name no local endpoint, local key or local mode', () => {
    for (const variables of Object.values(lambdaEnvironments(prodFromLocalShell.template))) {
      expect(Object.keys(variables)).not.toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^(DYNAMODB_ENDPOINT|SECRETS_MODE|LOCAL_SECRETS_KEY)$/),
        ]),
      );
      expect(JSON.stringify(variables)).not.toMatch(/localhost|local|DEBUG|obs|eu-west-3/);
      expect(variables).toMatchObject({
        TABLE_NAME: 'bucket-encryption-api-prod',
        S3_REGION: 'us-east-1',
        S3_PROFILE: 'aws',
        S3_BUCKET_DEFAULTS: 'secure',
        LOG_LEVEL: 'INFO',
        S3_BASE_DOMAIN: '',
        SECRETS_KMS_KEY_ID: { 'Fn::GetAtt': ['SecretsKey', 'Arn'] },
      });
    }
  });

  it('returns the same resources for prod from a clean shell and from a local one', () => {
    expect(Object.keys(created(prodFromLocalShell.template)).sort()).toEqual(
      Object.keys(created(prod.template)).sort(),
    );
    expect(created(prodFromLocalShell.template).BucketsTable).toEqual(created(prod.template).BucketsTable);
  });
});

describe('custom domain', () => {
  const DOMAIN_TYPES = [
    'AWS::ApiGatewayV2::DomainName',
    'AWS::ApiGatewayV2::ApiMapping',
    'AWS::Route53::RecordSetGroup',
  ];

  it('creates no domain, mapping or record without domainName, and the Lambdas answer path-style only', () => {
    for (const type of DOMAIN_TYPES) expect(ofType(prod.template, type)).toEqual([]);
    for (const variables of Object.values(lambdaEnvironments(prod.template))) {
      expect(variables.S3_BASE_DOMAIN).toBe('');
    }
  });

  it('returns regional domain names for domainName and its wildcard under one certificate', () => {
    const domains = ofType(withDomain.template, 'AWS::ApiGatewayV2::DomainName').map(
      (domain) => domain.Properties,
    );
    expect(domains).toEqual([
      {
        DomainName: 's3.example.com',
        DomainNameConfigurations: [
          {
            CertificateArn: DOMAIN_PARAMS.certificateArn,
            EndpointType: 'REGIONAL',
            SecurityPolicy: 'TLS_1_2',
          },
        ],
      },
      {
        DomainName: '*.s3.example.com',
        DomainNameConfigurations: [
          {
            CertificateArn: DOMAIN_PARAMS.certificateArn,
            EndpointType: 'REGIONAL',
            SecurityPolicy: 'TLS_1_2',
          },
        ],
      },
    ]);
  });

  it('maps both names to the $default stage with an empty mapping key (a key would be cut from rawPath)', () => {
    const mappings = ofType(withDomain.template, 'AWS::ApiGatewayV2::ApiMapping').map(
      (mapping) => mapping.Properties,
    );
    expect(mappings).toEqual([
      { ApiId: { Ref: 'HttpApi' }, DomainName: { Ref: 'ApiDomainName' }, Stage: '$default' },
      { ApiId: { Ref: 'HttpApi' }, DomainName: { Ref: 'ApiWildcardDomainName' }, Stage: '$default' },
    ]);
    for (const mapping of mappings) expect(mapping).not.toHaveProperty('ApiMappingKey');
  });

  it('gives every Lambda domainName as its base domain for virtual-hosted addressing', () => {
    for (const variables of Object.values(lambdaEnvironments(withDomain.template))) {
      expect(variables.S3_BASE_DOMAIN).toBe('s3.example.com');
    }
  });

  it("gives the route Lambdas --param bucketDefaults as S3_BUCKET_DEFAULTS (AWS's defaults without it)", () => {
    const routes = ['ServiceLambdaFunction', 'BucketLambdaFunction', 'ObjectLambdaFunction'];
    const pick = (template: Template) =>
      routes.map(
        (name) => (lambdaEnvironments(template)[name] as Record<string, unknown>).S3_BUCKET_DEFAULTS,
      );
    expect(pick(withDomain.template)).toEqual(['legacy', 'legacy', 'legacy']);
    expect(pick(prod.template)).toEqual(['secure', 'secure', 'secure']);
  });

  it('creates Route 53 alias records only with hostedZoneId', () => {
    expect(ofType(withDomain.template, 'AWS::Route53::RecordSetGroup')).toEqual([]);
    expect(
      ofType(redeploy.template, 'AWS::Route53::RecordSetGroup').map((group) => group.Properties),
    ).toEqual([
      {
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        RecordSets: [
          {
            Name: 's3.example.com',
            Type: 'A',
            AliasTarget: {
              DNSName: { 'Fn::GetAtt': ['ApiDomainName', 'RegionalDomainName'] },
              HostedZoneId: { 'Fn::GetAtt': ['ApiDomainName', 'RegionalHostedZoneId'] },
            },
          },
          {
            Name: '*.s3.example.com',
            Type: 'A',
            AliasTarget: {
              DNSName: { 'Fn::GetAtt': ['ApiWildcardDomainName', 'RegionalDomainName'] },
              HostedZoneId: { 'Fn::GetAtt': ['ApiWildcardDomainName', 'RegionalHostedZoneId'] },
            },
          },
        ],
      },
    ]);
  });
});

describe("API Gateway's own answers", () => {
  it('throttles the stage at 100 requests/s with a burst of 200 by default', () => {
    expect(created(prod.template).HttpApiStage?.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
  });

  it('throttles at the rate and burst given as params', () => {
    const settings = created(redeploy.template).HttpApiStage?.Properties.DefaultRouteSettings as Record<
      string,
      unknown
    >;
    // A --param is a string; CloudFormation reads '50' as the number.
    expect(Number(settings.ThrottlingRateLimit)).toBe(50);
    expect(Number(settings.ThrottlingBurstLimit)).toBe(75);
  });

  it('writes an access log, with API Gateway’s own error, to a log group kept 30 days that outlives the stack', () => {
    const stage = created(prod.template).HttpApiStage?.Properties as {
      AccessLogSettings: { DestinationArn: Json; Format: string };
    };
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      status: '$context.status',
      error: '$context.error.message',
      integrationError: '$context.integrationErrorMessage',
    });
    expect(prod.template.Resources.HttpApiLogGroup).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(created(prod.template).HttpApiLogGroup?.Properties).toEqual({
      // Named per stack (its id's last part): a redeploy after `serverless remove` makes a new group
      // instead of failing on the retained one ("remove and redeploy" below).
      LogGroupName: {
        'Fn::Join': [
          '',
          [
            '/aws/http-api/bucket-encryption-api-prod/',
            { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
          ],
        ],
      },
      RetentionInDays: 30,
    });
  });

  it('keeps the access log for accessLogRetentionDays', () => {
    // A --param is a string; CloudFormation reads '365' as the number.
    expect(Number(created(redeploy.template).HttpApiLogGroup?.Properties.RetentionInDays)).toBe(365);
  });
});

describe('remove and redeploy', () => {
  it.each(['BucketsTable', 'SecretsKey'])('retains %s when the stack is removed', (name) => {
    expect(prod.template.Resources[name]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('deletes the alias with the stack, so a redeploy can create it again', () => {
    expect(prod.template.Resources.SecretsKeyAlias).not.toHaveProperty('DeletionPolicy');
  });

  it('creates no table and no key when redeploying onto the retained ones', () => {
    const resources = created(redeploy.template);
    expect(resources).not.toHaveProperty('BucketsTable');
    expect(resources).not.toHaveProperty('SecretsKey');
    expect(ofType(redeploy.template, 'AWS::DynamoDB::Table')).toEqual([]);
    expect(ofType(redeploy.template, 'AWS::KMS::Key')).toEqual([]);
  });

  it("triggers the history Lambda from the retained table's stream (tableStreamArn)", () => {
    expect(created(redeploy.template).HistoryStreamMapping?.Properties).toMatchObject({
      EventSourceArn: RETAINED_STREAM_ARN,
      FunctionName: { 'Fn::GetAtt': ['HistoryLambdaFunction', 'Arn'] },
    });
    expect(created(prod.template).HistoryStreamMapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['BucketsTable', 'StreamArn'] },
    });
  });

  it('points the alias, the Lambdas and their roles at the retained key and table', () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-4909-8807-060504030201';
    const resources = created(redeploy.template);
    expect(resources.SecretsKeyAlias?.Properties).toEqual({
      AliasName: 'alias/bucket-encryption-api-prod-secrets',
      TargetKeyId: keyArn,
    });
    for (const variables of Object.values(lambdaEnvironments(redeploy.template))) {
      expect(variables).toMatchObject({
        TABLE_NAME: 'bucket-encryption-api-prod',
        SECRETS_KMS_KEY_ID: keyArn,
      });
    }
    for (const role of ofType(redeploy.template, 'AWS::IAM::Role')) {
      const statements = (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)
        .flatMap((policy) => policy.PolicyDocument.Statement)
        .filter(
          (statement) =>
            JSON.stringify(statement).includes('kms:') || JSON.stringify(statement).includes('dynamodb:'),
        );
      for (const statement of statements) {
        const resource = JSON.stringify(statement.Resource);
        if (JSON.stringify(statement.Action).includes('kms:')) expect(statement.Resource).toBe(keyArn);
        else expect(resource).toContain('table/bucket-encryption-api-prod');
      }
    }
  });
});

describe('the history on-failure queue', () => {
  it('creates the queue, retained, encrypted (SSE-SQS), keeping messages 14 days, named as the admin CLI expects', () => {
    expect(prod.template.Resources.HistoryFailedQueue).toMatchObject({
      Type: 'AWS::SQS::Queue',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        QueueName: 'bucket-encryption-api-prod-history-failed',
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
      },
    });
    const outputs = (prod.template as unknown as { Outputs: Record<string, { Value: Json }> }).Outputs;
    expect(decided(prod.template, outputs.HistoryFailedQueueUrl?.Value)).toEqual({
      Ref: 'HistoryFailedQueue',
    });
  });

  it('lets the history role send to that queue only', () => {
    const policy = JSON.stringify(created(prod.template).HistoryRecorderRole?.Properties.Policies);
    expect(policy).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      '{"Effect":"Allow","Action":["sqs:SendMessage"],"Resource":{"Fn::Sub":"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:bucket-encryption-api-prod-history-failed"}}',
    );
  });

  it('adopts the retained queue with the retained table (adoptTable): no new queue, the same name', () => {
    expect(created(redeploy.template)).not.toHaveProperty('HistoryFailedQueue');
    const destination = created(redeploy.template).HistoryStreamMapping?.Properties.DestinationConfig as
      | { OnFailure: { Destination: Json } }
      | undefined;
    expect(destination?.OnFailure.Destination).toEqual({
      'Fn::Sub':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:bucket-encryption-api-prod-history-failed',
    });
    const outputs = (redeploy.template as unknown as { Outputs: Record<string, { Value: Json }> }).Outputs;
    expect(decided(redeploy.template, outputs.HistoryFailedQueueUrl?.Value)).toEqual({
      'Fn::Sub':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        'https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/bucket-encryption-api-prod-history-failed',
    });
  });
});

/** Every metric an alarm reads: `{ Namespace, MetricName, Dimensions }`, from a plain or a metric-math alarm. */
function alarmMetrics(alarm: Record<string, unknown>) {
  type Metric = { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: Json }> };
  const math = (alarm.Metrics as Array<{ MetricStat?: { Metric: Metric } }> | undefined) ?? [];
  const plain = alarm.MetricName ? [alarm as unknown as Metric] : [];
  return [...plain, ...math.flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []))];
}

const dimensionNames = (metric: { Dimensions?: Array<{ Name: string }> }) =>
  (metric.Dimensions ?? []).map((dimension) => dimension.Name).sort();

describe('alarms', () => {
  const alarmsOf = (packaged: Packaged) =>
    Object.entries(created(packaged.template)).filter(
      ([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm',
    );

  it('ships the alarms docs/operations.md explains, with or without a topic', () => {
    const names = alarmsOf(prod)
      .map(([, alarm]) => String(alarm.Properties.AlarmName))
      .sort();
    expect(names).toEqual(
      [
        '5xx-rate',
        'latency-p99',
        ...['service', 'bucket', 'object', 'history'].flatMap((fn) => [`${fn}-errors`, `${fn}-throttles`]),
        'dynamodb-throttles',
        'dynamodb-system-errors',
        'history-iterator-age',
        'history-entries-failed',
        'history-failed-messages',
        'history-destination-failures',
      ]
        .map((name) => `bucket-encryption-api-prod-${name}`)
        .sort(),
    );
    const runbook = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const headings = [...runbook.matchAll(/^### (.+)$/gm)].flatMap((match) => match[1]?.split(', ') ?? []);
    for (const [, alarm] of alarmsOf(prod)) {
      const name = String(alarm.Properties.AlarmName).replace('bucket-encryption-api-prod-', '');
      // Each alarm has its runbook section, and its description names that section.
      expect(headings, name).toContain(name);
      expect(alarm.Properties.AlarmDescription, name).toMatch(
        new RegExp(`\\(docs/operations\\.md "${name}"\\)$`),
      );
    }
  });

  it.each([
    ['no topic param', () => prod, undefined],
    ['alarmTopicArn', () => withDomain, [ALARM_TOPIC_ARN]],
    ['alarmEmail', () => redeploy, [{ Ref: 'AlarmTopic' }]],
  ])('notifies, with %s, %j', (_case, packaged, actions) => {
    for (const [name, alarm] of alarmsOf(packaged())) {
      expect(alarm.Properties.AlarmActions, name).toEqual(actions);
      expect(alarm.Properties.OKActions, name).toEqual(actions);
    }
  });

  it('creates an e-mail topic only with alarmEmail', () => {
    expect(created(prod.template)).not.toHaveProperty('AlarmTopic');
    expect(created(withDomain.template)).not.toHaveProperty('AlarmTopic');
    expect(created(redeploy.template).AlarmTopic?.Properties.Subscription).toEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com' },
    ]);
  });

  it('reads only metrics the code emits (name, namespace, dimensions, service) or AWS’s own', () => {
    // AWS's metrics and their dimensions, as documented: Lambda "Viewing metrics for Lambda functions"
    // (DestinationDeliveryFailures: "Types of metrics for Lambda functions"),
    // DynamoDB "DynamoDB metrics and dimensions" (ThrottledRequests, SystemErrors: TableName,
    // Operation), SQS "Available CloudWatch metrics for Amazon SQS".
    const functions = resourcesOfType(dev.template, 'AWS::Lambda::Function').map(([name]) => ({ Ref: name }));
    const aws: Record<string, Record<string, { dimensions: string[]; values: Record<string, Json[]> }>> = {
      'AWS/Lambda': Object.fromEntries(
        ['Errors', 'Throttles', 'IteratorAge', 'DestinationDeliveryFailures'].map((metric) => [
          metric,
          { dimensions: ['FunctionName'], values: { FunctionName: functions } },
        ]),
      ),
      'AWS/DynamoDB': Object.fromEntries(
        ['ThrottledRequests', 'SystemErrors'].map((metric) => [
          metric,
          {
            dimensions: ['Operation', 'TableName'],
            values: {
              TableName: ['bucket-encryption-api-dev'],
              // The operations the Lambdas send (derived from their bundles below).
              Operation: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
            },
          },
        ]),
      ),
      'AWS/SQS': {
        ApproximateNumberOfMessagesVisible: {
          dimensions: ['QueueName'],
          values: { QueueName: ['bucket-encryption-api-dev-history-failed'] },
        },
      },
    };
    const service = lambdaEnvironments(dev.template).ServiceLambdaFunction?.METRICS_SERVICE;
    expect(service).toBe('bucket-encryption-api-dev');
    let checked = 0;
    for (const [name, alarm] of alarmsOf(dev)) {
      for (const metric of alarmMetrics(alarm.Properties)) {
        checked++;
        const where = `${name}: ${metric.Namespace} ${metric.MetricName}`;
        if (metric.Namespace === METRICS_NAMESPACE) {
          const emitted = EMITTED_METRICS[metric.MetricName as keyof typeof EMITTED_METRICS];
          expect(emitted, where).toBeDefined();
          expect(
            emitted.dimensions.map((set) => [...set].sort()),
            where,
          ).toContainEqual(dimensionNames(metric));
          for (const dimension of metric.Dimensions ?? []) {
            if (dimension.Name === 'service') expect(dimension.Value, where).toBe(service);
            if (dimension.Name === 'OutcomeClass')
              expect(['2xx', '4xx', '5xx'], where).toContain(dimension.Value);
          }
        } else {
          const known = aws[metric.Namespace]?.[metric.MetricName];
          expect(known, where).toBeDefined();
          expect(dimensionNames(metric), where).toEqual(known?.dimensions);
          for (const dimension of metric.Dimensions ?? []) {
            expect(known?.values[dimension.Name], where).toContainEqual(dimension.Value);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('shows requests, errors, latency and history lag on the stage’s dashboard', () => {
    const dashboard = created(dev.template).Dashboard?.Properties as {
      DashboardName: string;
      DashboardBody: Json;
    };
    expect(dashboard.DashboardName).toBe('bucket-encryption-api-dev');
    const [body] = (dashboard.DashboardBody as { 'Fn::Sub': [string, Record<string, Json>] })['Fn::Sub'];
    const titles = (
      JSON.parse(body.replaceAll(/\$\{[^}]+\}/g, 'x')) as {
        widgets: Array<{ properties: { title: string } }>;
      }
    ).widgets.map((widget) => widget.properties.title);
    expect(titles).toEqual([
      'Requests by outcome (per minute)',
      'Latency of 2xx answers (ms)',
      'Lambda errors and throttles',
      'History lag (iterator age, ms) and entries',
      'DynamoDB throttled requests and system errors',
    ]);
  });
});

/** The SDK commands a packaged zip holds, by IAM action (`dynamodb:GetItem`, `kms:Decrypt`, …). */
function commandsInZip(zip: string): Set<string> {
  // A command class, minified: `class extends command(endpointParams, middleware, "GetItem", schema){}`.
  const COMMAND = /class extends [\w$]+\([\w$]+,[\w$]+,"([A-Za-z]+)",[\w$]+\)\{\}/g;
  const clients: Record<string, string> = {
    'client-dynamodb': 'dynamodb',
    'client-kms': 'kms',
    'client-eventbridge': 'events',
    'client-sqs': 'sqs',
  };
  const actions = new Set<string>();
  for (const file of readZip(readFileSync(zip)).filter((entry) => entry.name.endsWith('.mjs'))) {
    for (const [, operation = ''] of file.data.toString('utf8').matchAll(COMMAND)) {
      const owners = Object.entries(clients).filter(([client]) =>
        existsSync(
          join(ROOT, 'node_modules', '@aws-sdk', client, 'dist-es', 'commands', `${operation}Command.js`),
        ),
      );
      expect(
        owners.map(([, prefix]) => prefix),
        `${zip}: command ${operation}`,
      ).toHaveLength(1);
      actions.add(`${owners[0]?.[1]}:${operation}`);
    }
  }
  return actions;
}

/** The AWS-service actions (DynamoDB, KMS, EventBridge, SQS) a role allows, every Fn::If decided. */
function roleActions(template: Template, role: string): Set<string> {
  const policies = created(template)[role]?.Properties.Policies as Array<{
    PolicyDocument: { Statement: Statement[] };
  }>;
  return new Set(
    policies
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .flatMap((statement) => asArray(statement.Action))
      .filter((action) => /^(dynamodb|kms|events|sqs):/.test(action)),
  );
}

describe('least privilege: each role allows exactly what its bundle can send', () => {
  // Sent by the DynamoDB client itself only with endpoint discovery on, which no client here enables.
  const CLIENT_MACHINERY = new Set(['dynamodb:DescribeEndpoints']);
  // In a bundle, never sent by its function, and refused by its role: the bucket store's listBuckets
  // (one object with the store's other access patterns, so esbuild keeps it) serves only ListBuckets,
  // which API Gateway routes to the service function (`ANY /`).
  const UNREACHABLE: Record<string, string[]> = { BucketRouteRole: ['dynamodb:Query'] };
  // Used by Lambda on the function's behalf, not by its code: the event source mapping reads the
  // stream and sends the on-failure record with the function's role.
  const PLATFORM = new Set([
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
    'sqs:SendMessage',
  ]);

  it.each([
    ['service', 'ServiceRouteRole', () => dev],
    ['bucket', 'BucketRouteRole', () => dev],
    ['object', 'BucketRouteRole', () => dev],
    ['history', 'HistoryRecorderRole', () => dev],
    ['history', 'HistoryRecorderRole', () => withDomain],
  ])(
    'returns %s.zip sending only what %s allows, and the role allowing nothing more',
    (name, role, packaged) => {
      const sent = [...commandsInZip(join(packaged().dir, `${name}.zip`))].filter(
        (action) => !CLIENT_MACHINERY.has(action) && !UNREACHABLE[role]?.includes(action),
      );
      const allowed = [...roleActions(packaged().template, role)].filter((action) => !PLATFORM.has(action));
      // With eventBus (withDomain) the history role gains events:PutEvents; without it the bundle can
      // still publish, but the publisher is never made (EVENT_BUS_NAME empty).
      const expected = packaged() === dev ? sent.filter((action) => action !== 'events:PutEvents') : sent;
      expect(allowed.sort()).toEqual(expected.sort());
    },
  );

  it('returns the commands each Lambda sends, as the issue expects them', () => {
    expect([...commandsInZip(join(dev.dir, 'service.zip'))].sort()).toEqual([
      'dynamodb:DescribeEndpoints',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
    ]);
    expect([...commandsInZip(join(dev.dir, 'history.zip'))].sort()).toEqual([
      'dynamodb:DescribeEndpoints',
      'dynamodb:PutItem',
      'events:PutEvents',
    ]);
  });
});

describe('cold start', () => {
  it('sets no NODE_OPTIONS (no --enable-source-maps at init) on any function', () => {
    for (const variables of Object.values(lambdaEnvironments(prod.template))) {
      expect(variables).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it.each([
    ['service', 'functions/route-service.mjs'],
    ['history', 'functions/record-history.mjs'],
  ])(
    'returns %s.zip whose cold start loads no X-Ray code, which a traced invocation imports lazily',
    (name, handler) => {
      const { atColdStart, all } = coldStartCode(join(withDomain.dir, `${name}.zip`), handler);
      // Settings the X-Ray SDK and Powertools Tracer read (the SDK core names the trace header itself,
      // for recursion detection, so that is no marker).
      for (const marker of ['AWS_XRAY_DAEMON_ADDRESS', 'POWERTOOLS_TRACE_ENABLED']) {
        expect(all, marker).toContain(marker);
        expect(atColdStart, marker).not.toContain(marker);
      }
    },
  );

  it.each(['service', 'bucket', 'history'])(
    'returns %s.zip without the SDK’s credential providers Lambda never uses (SSO, STS web identity, ini files)',
    (name) => {
      const all = readZip(readFileSync(join(dev.dir, `${name}.zip`)))
        .map((file) => file.data.toString('utf8'))
        .join('\n');
      for (const marker of [
        'AssumeRoleWithWebIdentity',
        'GetRoleCredentials',
        'AWS_WEB_IDENTITY_TOKEN_FILE',
        'sso_start_url',
      ]) {
        expect(all, marker).not.toContain(marker);
      }
    },
  );

  it('turns X-Ray on for every function with --param tracing=true, and the roles may write traces', () => {
    for (const [packaged, mode] of [
      [prod, 'PassThrough'],
      [withDomain, 'Active'],
    ] as const) {
      for (const [, fn] of Object.entries(created(packaged.template)).filter(
        ([, r]) => r.Type === 'AWS::Lambda::Function',
      )) {
        expect(fn.Properties.TracingConfig).toEqual({ Mode: mode });
        expect((fn.Properties.Environment as { Variables: Record<string, Json> }).Variables.TRACING).toBe(
          mode === 'Active' ? 'true' : 'false',
        );
      }
      for (const role of ['ServiceRouteRole', 'BucketRouteRole', 'HistoryRecorderRole']) {
        const policy = JSON.stringify(created(packaged.template)[role]?.Properties.Policies);
        expect(policy.includes('xray:PutTraceSegments'), role).toBe(mode === 'Active');
      }
    }
  });
});

describe('deploy params, checked before anything is built (scripts/validate-params.ts)', () => {
  const STREAM =
    'arn:aws:dynamodb:us-east-1:123456789012:table/bucket-encryption-api-prod/stream/2026-11-01T00:00:00.000';
  const KEY = 'arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-4909-8807-060504030201';
  const BAD: Array<[string, Record<string, string>, string]> = [
    [
      'an unknown profile',
      { profile: 'minio' },
      '--param profile must be one of aws, qstorage, obs (got "minio")',
    ],
    [
      'an unknown unsetEncryption',
      { unsetEncryption: 'nope' },
      '--param unsetEncryption must be one of default, not-found (got "nope")',
    ],
    [
      'a retention of 0 days',
      { historyRetentionDays: '0' },
      '--param historyRetentionDays must be a positive integer (got "0")',
    ],
    [
      'domainName without certificateArn',
      { domainName: 's3.example.com' },
      "--param certificateArn is needed with domainName: an ACM certificate in the stack's region covering domainName and *.domainName",
    ],
    [
      'adoptTable without tableStreamArn',
      { adoptTable: 'true', secretsKeyArn: KEY },
      "--param tableStreamArn is needed with adoptTable=true: the retained table's stream (aws dynamodbstreams list-streams --table-name …)",
    ],
    [
      'adoptTable without secretsKeyArn',
      { adoptTable: 'true', tableStreamArn: STREAM },
      '--param secretsKeyArn is needed with adoptTable=true: the retained KMS key that sealed the access keys (stack output SecretsKeyArn); a new key could open none of them',
    ],
    ['adoptTable=False', { adoptTable: 'False' }, '--param adoptTable must be true or false (got "False")'],
    [
      'a misspelt name',
      { profil: 'obs' },
      '--param profil is not a param of this service: did you mean profile?',
    ],
    ['tracing=yes', { tracing: 'yes' }, '--param tracing must be true or false (got "yes")'],
    [
      'an alarm topic that is no SNS ARN',
      { alarmTopicArn: 'ops-alarms' },
      '--param alarmTopicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>) (got "ops-alarms")',
    ],
    [
      'a retention CloudWatch Logs does not offer',
      { accessLogRetentionDays: '31' },
      `--param accessLogRetentionDays must be one of ${DEPLOY_PARAMS.accessLogRetentionDays.rule.allowed.replace('one of ', '')} (got "31")`,
    ],
    [
      "another stage's stream",
      { adoptTable: 'true', secretsKeyArn: KEY, tableStreamArn: STREAM.replace('-prod/', '-dev/') },
      '--param tableStreamArn must be a stream of the table bucket-encryption-api-prod, the one this stage adopts (got table bucket-encryption-api-dev)',
    ],
  ];

  it.each(BAD)(
    'refuses %s with exit 1 and one line naming it, before building',
    async (_case, params, line) => {
      const refused = await packageRefused(workDir, 'prod', {
        name: `bad-${Object.keys(params).join('-')}-${Object.values(params).join('').length}`,
        params,
      });
      expect(refused.exitCode, refused.output).toBe(1);
      expect(refused.errorLines, refused.output).toEqual([line]);
      expect(refused.files.filter((file) => file.endsWith('.zip'))).toEqual([]);
      expect(refused.output).not.toMatch(/esbuild|Compiling/i);
    },
    240_000,
  );

  it('packages every good combination above (dev, prod, a domain with a bus, tracing and a topic, a redeploy with an e-mail)', () => {
    for (const packaged of [dev, prod, prodFromLocalShell, withDomain, redeploy]) {
      expect(packaged.files.filter((file) => file.endsWith('.zip')).sort()).toEqual([
        'bucket.zip',
        'history.zip',
        'object.zip',
        'service.zip',
      ]);
    }
  });
});
