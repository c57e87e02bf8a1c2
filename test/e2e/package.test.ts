// `serverless package` works on a machine without AWS credentials, and the CloudFormation it generates
// is the stack the README describes. Stages dev and prod are packaged side by side, each in a copy of
// the service.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tableDefinition from '../../lib/storage/table.json' with { type: 'json' };
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
interface Packaged {
  dir: string;
  files: string[];
  template: Template;
}

const workDir = mkdtempSync(join(tmpdir(), 'package-test-'));

/** What `serverless package` reads from the working tree (node_modules is linked, not copied). */
const SERVICE_FILES = [
  'serverless.yml',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'functions',
  'lib',
];

/**
 * Runs `serverless package` for a stage in a copy of the service, with a bare environment: no AWS_*
 * variable, and a HOME of its own so no ~/.aws credentials or config can be found either. A copy
 * because osls stages every package in `<service>/.serverless`, which it empties first and removes
 * after: two runs in one directory (or this test and a developer's `npm run package`) would collide.
 */
async function packageStage(stage: string, params: string[] = []): Promise<Packaged> {
  const service = join(workDir, `service-${stage}`);
  for (const file of SERVICE_FILES) cpSync(join(ROOT, file), join(service, file), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(service, 'node_modules'), 'dir');
  const home = mkdtempSync(join(workDir, `home-${stage}-`));
  const dir = join(workDir, `package-${stage}`);
  try {
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
        'package',
        '--package',
        dir,
        '--stage',
        stage,
        ...params.map((param) => `--param=${param}`),
      ],
      {
        cwd: service,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          ESBUILD_WORK_FOLDER: `.esbuild/package-test-${stage}`,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
        },
        timeout: 90_000,
      },
    );
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package --stage ${stage} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { dir, files: readdirSync(dir), template };
}

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

const TABLE_ARN = { 'Fn::GetAtt': ['BucketsTable', 'Arn'] };
// CloudFormation's own ${…} substitution, not a template literal.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const BY_OWNER_INDEX_ARN = { 'Fn::Sub': '${BucketsTable.Arn}/index/byOwner' };

let dev: Packaged;
let prod: Packaged;
beforeAll(async () => {
  [dev, prod] = await Promise.all([packageStage('dev'), packageStage('prod', ['eventBus=audit'])]);
}, 120_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('serverless package without AWS credentials', () => {
  it.each([
    ['service', 'functions/route-service'],
    ['bucket', 'functions/route-bucket'],
    ['object', 'functions/route-bucket'],
    ['history', 'functions/record-history'],
  ])('returns %s.zip holding the bundled %s.mjs and its source map', (name, handler) => {
    expect(dev.files).toContain(`${name}.zip`);
    expect(zipEntries(join(dev.dir, `${name}.zip`)).sort()).toEqual([`${handler}.mjs`, `${handler}.mjs.map`]);
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
        EventSourceArn: { 'Fn::GetAtt': ['BucketsTable', 'StreamArn'] },
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
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Resource: { 'Fn::Sub': '${BucketsTable.Arn}/stream/*' },
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
    ['prod', () => prod, 'true'],
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
