// `serverless package` works on a machine without AWS credentials, and the CloudFormation it generates
// is the stack the README describes. Stages dev and prod are packaged side by side, each in a copy of
// the service.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../bench/lib/zip.ts';
import tableDefinition from '../../lib/storage/table.json' with { type: 'json' };
import { type PackagedService, type PackageOptions, packageService } from '../helpers/serverless-package.ts';
import { created, type Json, lambdaEnvironments } from '../helpers/template.ts';

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

const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
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
    packageStage('prod', { name: 'prod-domain', params: { ...DOMAIN_PARAMS, eventBus: 'audit' } }),
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
      },
    }),
  ]);
}, 180_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('serverless package without AWS credentials', () => {
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

  it.each(['service', 'bucket', 'object'])(
    'returns %s.zip with the KMS client bundled in a chunk that the handler imports only lazily',
    (name) => {
      const files = readZip(readFileSync(join(dev.dir, `${name}.zip`)));
      const code = files.filter((file) => file.name.endsWith('.mjs'));
      const handlerFile = code.find((file) => !file.name.includes('/chunks/'));
      const kmsChunks = code.filter((file) => file.data.includes('TrentService'));
      expect(kmsChunks.map((file) => file.name)).toEqual([expect.stringMatching(/^functions\/chunks\//)]);
      const kmsChunk = (kmsChunks[0]?.name ?? '').replace('functions/', './');
      const handlerText = handlerFile?.data.toString('utf8') ?? '';
      // Only `import("./chunks/…")` names it: a cold start does not load it.
      expect(handlerText).toContain(`import("${kmsChunk}")`);
      expect(handlerText).not.toMatch(
        new RegExp(`from\\s*"${kmsChunk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`),
      );
      expect(handlerText).not.toContain('@aws-sdk/client-kms');
    },
  );

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
    // PutBucketPolicy validator with the S3 table, and what the two share).
    expect(files.length).toBeLessThan(70);
  });

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
    [
      'ServiceRouteRole',
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
    ],
    [
      'BucketRouteRole',
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    ],
  ])('returns %s with the DynamoDB actions %j', (role, actions) => {
    const granted = (dynamoStatements(dev.template).get(role) ?? []).flatMap((statement) =>
      asArray(statement.Action),
    );
    expect(granted.sort()).toEqual(actions);
  });

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
        // The stream of the table this stack created, or of the retained one it adopts (adoptTable).
        EventSourceArn: { 'Fn::If': ['CreateTable', { 'Fn::GetAtt': ['BucketsTable', 'StreamArn'] }, ''] },
        FunctionName: { 'Fn::GetAtt': ['HistoryLambdaFunction', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: -1,
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
      const template = packaged().template as Template & { Conditions: Record<string, unknown> };
      expect(template.Conditions.PublishesEvents).toEqual({
        'Fn::Not': [{ 'Fn::Equals': [publishes === 'true' ? 'audit' : '', ''] }],
      });
      const policy = JSON.stringify(template.Resources.HistoryRecorderRole?.Properties.Policies);
      expect(policy).toContain('"Fn::If":["PublishesEvents",{"Effect":"Allow","Action":["events:PutEvents"]');
      expect(policy).toContain(`event-bus/${publishes === 'true' ? 'audit' : ''}`);
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

  it('writes an access log, with API Gateway’s own error, to a log group kept 30 days', () => {
    const stage = created(prod.template).HttpApiStage?.Properties as {
      AccessLogSettings: { DestinationArn: Json; Format: string };
    };
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      status: '$context.status',
      error: '$context.error.message',
      integrationError: '$context.integrationErrorMessage',
    });
    expect(created(prod.template).HttpApiLogGroup?.Properties).toEqual({
      LogGroupName: '/aws/http-api/bucket-encryption-api-prod',
      RetentionInDays: 30,
    });
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
