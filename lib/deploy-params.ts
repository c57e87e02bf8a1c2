// The deploy params: ONE table (name, default, rule, what it does). serverless.yml's `params.default`,
// the README's param table (README "Deploy it") and the check that runs before `serverless package` /
// `deploy` (scripts/validate-params.ts) all agree with it: test/unit/deploy-params.test.ts compares
// them, and the plugin refuses to package when serverless.yml's defaults disagree. The rules are
// lib/config.ts's, the ones `npm start` and the Lambdas read their environment with.
//
// Adding a param: a row here, its default under serverless.yml `params.default`, a row in the README
// table (the test names whichever is missing). Never imported by a Lambda.
import {
  BUCKET_DEFAULTS_MODES,
  booleanText,
  domainName,
  LOG_LEVELS,
  logLevel,
  matching,
  oneOf,
  PROFILE_NAMES,
  positiveInteger,
  positiveNumber,
  type Rule,
  UNSET_ENCRYPTION_MODES,
} from './config.ts';

export interface DeployParam {
  /** The value when no `--param` gives one (serverless.yml `params.default`; '' = unset). */
  default: string;
  /** What a non-empty value must be. An empty value is allowed only where the default is empty. */
  rule: Rule<unknown>;
  /** What it does: the README's row. */
  doc: string;
}

// ARN shapes (the partition is `aws`, `aws-cn` or `aws-us-gov`).
const ARN = 'arn:aws(?:-cn|-us-gov)?';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';

/**
 * The longest DynamoDB attempt a deploy may set: one call's 3 attempts (the SDK's default, `dynamodbMaxAttempts`)
 * and their backoff (50 + 100 ms) end 250 ms (lib/http/stack.ts RESPONSE_MARGIN_MS) before the routes' 6 s
 * timeout (serverless.yml). Longer ones cost the third attempt, and from ≈ 5.75 s the request deadline lets
 * no attempt start at all, so every request would be answered 503 (test/integration/faults.test.ts checks
 * the same sum for the default).
 */
export const DYNAMODB_REQUEST_TIMEOUT_MAX_MS = Math.floor((6_000 - 250 - (50 + 100)) / 3);

const integerUpTo = (max: number): Rule<number> => ({
  allowed: `a positive integer up to ${max}`,
  read: (text) => {
    const value = positiveInteger.read(text);
    return value !== undefined && value <= max ? value : undefined;
  },
});

/** CloudWatch Logs' retention periods (days): PutRetentionPolicy accepts these only. */
export const LOG_RETENTION_DAYS = [
  '1',
  '3',
  '5',
  '7',
  '14',
  '30',
  '60',
  '90',
  '120',
  '150',
  '180',
  '365',
  '400',
  '545',
  '731',
  '1096',
  '1827',
  '2192',
  '2557',
  '2922',
  '3288',
  '3653',
] as const;

export const DEPLOY_PARAMS = {
  profile: {
    default: 'aws',
    rule: oneOf(PROFILE_NAMES),
    doc: '`aws`, `qstorage` or `obs` (below)',
  },
  unsetEncryption: {
    default: 'default',
    rule: oneOf(UNSET_ENCRYPTION_MODES),
    doc: '`not-found`: GetBucketEncryption with nothing set answers 404 `ServerSideEncryptionConfigurationNotFoundError`',
  },
  bucketDefaults: {
    default: 'secure',
    rule: oneOf(BUCKET_DEFAULTS_MODES),
    doc: '`legacy`: new buckets without Block Public Access and ownership controls, as before April 2023 (`S3_BUCKET_DEFAULTS` above)',
  },
  obsDomain: {
    default: 'myhuaweicloud.com',
    rule: domainName,
    doc: 'the domain in the OBS response namespace',
  },
  domainName: {
    default: '',
    rule: domainName,
    doc: "the base domain: API Gateway custom domains for `domainName` and `*.domainName`, both mapped to the API with an empty mapping key, and the Lambdas' base domain for virtual-hosted addressing. Empty: path-style on the `execute-api` URL only, nothing of this created",
  },
  certificateArn: {
    default: '',
    rule: matching(
      new RegExp(`^${ARN}:acm:${REGION}:\\d{12}:certificate/[0-9a-f-]{36}$`),
      'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
    ),
    doc: "an ACM certificate in the stack's region covering `domainName` and `*.domainName` (needed with `domainName`)",
  },
  hostedZoneId: {
    default: '',
    rule: matching(/^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone id (Z followed by capitals and digits)'),
    doc: "also create Route 53 alias records (A) for both names in this zone (needs `domainName`); without it, point them at the domain names' targets yourself (stack outputs / `aws apigatewayv2 get-domain-names`)",
  },
  throttlingRateLimit: {
    default: '100',
    rule: positiveNumber,
    doc: "API Gateway's own throttling of the stage, requests per second; past it API Gateway answers 429 itself",
  },
  throttlingBurstLimit: {
    default: '200',
    rule: positiveInteger,
    doc: "API Gateway's burst allowance above `throttlingRateLimit`",
  },
  dynamodbRequestTimeoutMs: {
    default: '1000',
    rule: integerUpTo(DYNAMODB_REQUEST_TIMEOUT_MAX_MS),
    doc: `the Lambdas' time per DynamoDB attempt, in ms, at most ${DYNAMODB_REQUEST_TIMEOUT_MAX_MS} (3 attempts and their backoff fit the 6 s timeout; \`npm start\` uses 2500 against DynamoDB Local)`,
  },
  logLevel: {
    default: 'INFO',
    rule: logLevel,
    doc: `the Lambdas' log level: ${LOG_LEVELS.join(', ')}`,
  },
  adoptTable: {
    default: 'false',
    rule: booleanText,
    doc: 'redeploy onto the retained table, its stream and KMS key (below); needs `tableStreamArn` and `secretsKeyArn`',
  },
  tableStreamArn: {
    default: '',
    rule: matching(
      new RegExp(`^${ARN}:dynamodb:${REGION}:\\d{12}:table/[A-Za-z0-9_.-]{3,255}/stream/\\S+$`),
      'a DynamoDB stream ARN (arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>)',
    ),
    doc: "with `adoptTable`: the retained table's stream",
  },
  secretsKeyArn: {
    default: '',
    rule: matching(
      new RegExp(`^${ARN}:kms:${REGION}:\\d{12}:key/(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32})$`),
      'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    ),
    doc: 'the retained KMS key that sealed the access keys (with `adoptTable`; alone: seal with this key instead of a new one)',
  },
  deletionProtection: {
    default: 'true',
    rule: booleanText,
    doc: "the table's deletion protection (`false` for the `dev` stage)",
  },
  historyRetentionDays: {
    default: '400',
    rule: positiveInteger,
    doc: 'how long history entries are kept (DynamoDB TTL; [docs/history.md](docs/history.md))',
  },
  eventBus: {
    default: '',
    rule: matching(/^[A-Za-z0-9._/-]{1,256}$/, 'an EventBridge bus name (letters, digits, . _ / -)'),
    doc: 'also publish each history entry to this EventBridge bus (source `bucket-encryption-api`, detail-type `Bucket Configuration Changed`); empty: nothing is published',
  },
  accessLogRetentionDays: {
    default: '30',
    rule: oneOf(LOG_RETENTION_DAYS),
    doc: "how long API Gateway's access log is kept; the log group outlives `serverless remove` ([docs/operations.md](docs/operations.md))",
  },
  alarmTopicArn: {
    default: '',
    rule: matching(
      new RegExp(`^${ARN}:sns:${REGION}:\\d{12}:[A-Za-z0-9_-]{1,256}$`),
      'an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)',
    ),
    doc: 'the SNS topic every alarm notifies (alarm and back to OK); empty: the alarms exist and notify no one',
  },
  alarmEmail: {
    default: '',
    rule: matching(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'),
    doc: 'instead of `alarmTopicArn`: create a topic with this address subscribed (confirm the e-mail AWS sends)',
  },
  tracing: {
    default: 'false',
    rule: booleanText,
    doc: 'X-Ray tracing of the Lambdas (Powertools Tracer, loaded only when on)',
  },
} as const satisfies Record<string, DeployParam>;

export type DeployParamName = keyof typeof DEPLOY_PARAMS;
export type ParamValues = Record<DeployParamName, string>;

/** Where the params are being deployed: what a companion check compares against. */
export interface DeployTarget {
  service: string;
  stage: string;
  region: string;
}

/**
 * Params that need (or exclude) another. Each: the problem in one line, or undefined. A param whose
 * value would be silently ignored counts as a mistake too: it was given for a reason.
 */
const COMPANIONS: ReadonlyArray<(values: ParamValues, target: DeployTarget) => string | undefined> = [
  (v) =>
    v.domainName && !v.certificateArn
      ? "--param certificateArn is needed with domainName: an ACM certificate in the stack's region covering domainName and *.domainName"
      : undefined,
  (v) =>
    !v.domainName && v.certificateArn
      ? '--param certificateArn is used only with domainName: give domainName too, or leave certificateArn out'
      : undefined,
  (v) =>
    !v.domainName && v.hostedZoneId
      ? '--param hostedZoneId is used only with domainName: give domainName too, or leave hostedZoneId out'
      : undefined,
  (v, target) => {
    const region = /^arn:[^:]+:acm:([^:]+):/.exec(v.certificateArn)?.[1];
    return region && region !== target.region
      ? `--param certificateArn must be a certificate in ${target.region}, the stack's region (got one in ${region})`
      : undefined;
  },
  (v) =>
    v.adoptTable === 'true' && !v.tableStreamArn
      ? "--param tableStreamArn is needed with adoptTable=true: the retained table's stream (aws dynamodbstreams list-streams --table-name …)"
      : undefined,
  (v) =>
    v.adoptTable === 'true' && !v.secretsKeyArn
      ? '--param secretsKeyArn is needed with adoptTable=true: the retained KMS key that sealed the access keys (stack output SecretsKeyArn); a new key could open none of them'
      : undefined,
  (v) =>
    v.adoptTable !== 'true' && v.tableStreamArn
      ? '--param tableStreamArn is used only with adoptTable=true: give adoptTable=true too, or leave tableStreamArn out'
      : undefined,
  (v, target) => {
    const match = /^arn:[^:]+:dynamodb:([^:]+):\d+:table\/([^/]+)\//.exec(v.tableStreamArn);
    if (!match) return undefined;
    const table = `${target.service}-${target.stage}`;
    if (match[2] !== table)
      return `--param tableStreamArn must be a stream of the table ${table}, the one this stage adopts (got table ${match[2]})`;
    return match[1] !== target.region
      ? `--param tableStreamArn must be in ${target.region}, the stack's region (got ${match[1]})`
      : undefined;
  },
  (v, target) => {
    const region = /^arn:[^:]+:kms:([^:]+):/.exec(v.secretsKeyArn)?.[1];
    return region && region !== target.region
      ? `--param secretsKeyArn must be a key in ${target.region}, the stack's region (got ${region})`
      : undefined;
  },
  (v) =>
    v.alarmTopicArn && v.alarmEmail
      ? '--param alarmTopicArn and alarmEmail exclude each other: give the topic, or the address for a new topic'
      : undefined,
];

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const NAMES = Object.keys(DEPLOY_PARAMS) as DeployParamName[];
const isParam = (name: string): name is DeployParamName => Object.hasOwn(DEPLOY_PARAMS, name);

function unknownParam(name: string, source: string): string {
  const near = NAMES.filter((known) => distance(name, known) <= 2);
  const hint = near.length > 0 ? `did you mean ${near.join(' or ')}?` : `the params are ${NAMES.join(', ')}`;
  return `${source} ${name} is not a param of this service: ${hint}`;
}

/**
 * Every problem with the params a deploy would use, one line each ([] = deployable).
 * `given`: the `--param` values by name; `stageParams`: serverless.yml's `params.<stage>`.
 */
export function paramProblems(
  given: Readonly<Record<string, string>>,
  target: DeployTarget,
  stageParams: Readonly<Record<string, unknown>> = {},
): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(given)) if (!isParam(name)) problems.push(unknownParam(name, '--param'));
  for (const name of Object.keys(stageParams)) {
    if (!isParam(name)) problems.push(unknownParam(name, `serverless.yml params.${target.stage}:`));
  }
  const values = {} as ParamValues;
  for (const name of NAMES) {
    const row: DeployParam = DEPLOY_PARAMS[name];
    const fromStage = stageParams[name];
    const value =
      given[name] ?? (fromStage === undefined || fromStage === null ? row.default : String(fromStage));
    values[name] = value;
    if (value === '' && row.default === '') continue;
    if (row.rule.read(value) === undefined) {
      problems.push(`--param ${name} must be ${row.rule.allowed} (got "${value}")`);
    }
  }
  if (problems.length > 0) return problems;
  for (const companion of COMPANIONS) {
    const problem = companion(values, target);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Where serverless.yml's `params.default` disagrees with the table, one line each. */
export function defaultsProblems(configured: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const name of NAMES) {
    if (!Object.hasOwn(configured, name)) {
      problems.push(
        `serverless.yml params.default has no ${name} (lib/deploy-params.ts: "${DEPLOY_PARAMS[name].default}")`,
      );
    } else if (String(configured[name] ?? '') !== DEPLOY_PARAMS[name].default) {
      problems.push(
        `serverless.yml params.default.${name} is "${String(configured[name])}" but lib/deploy-params.ts says "${DEPLOY_PARAMS[name].default}"`,
      );
    }
  }
  for (const name of Object.keys(configured)) {
    if (!isParam(name))
      problems.push(`serverless.yml params.default.${name} has no row in lib/deploy-params.ts`);
  }
  return problems;
}
