// The bucket policy document: JSON to statements (IAM User Guide, "Grammar of the IAM JSON policy
// language", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
// Pure: no AWS, no HTTP.
//
// Two entry points. `parseStoredPolicy` reads a policy this service validated when it was put: the
// structure, compiled for evaluation — what authorization needs on every request, kept small. The
// checks against S3's published actions and condition keys (an unknown action or key, an action that
// does not apply to the statement's resources, a key no action of the statement supports) are in
// validate.ts, which PutBucketPolicy loads with the generated table (docs/architecture.md).
//
// The parsed policy is data a reader can walk — principals, action and resource patterns, each
// condition's operator, qualifier, key and values — as well as compiled for evaluation.
// Names are looked up as Map and Set entries, never as object properties, so `constructor` or
// `__proto__` are unknown names like any other; duplicate JSON keys are refused (json.ts).
import { bucketArn } from '../bucket-name.ts';
import { type Condition, parseConditions } from './conditions.ts';
import type { RequestContext } from './context.ts';
import { type Glob, globOf, type Meter, matchesSomeExtension, matchGlob } from './glob.ts';
import { parseStrictJson } from './json.ts';
import { Budget, MAX_POLICY_BYTES, valueList } from './limits.ts';
import { MESSAGES, malformed } from './messages.ts';
import { type PrincipalSet, parsePrincipal } from './principals.ts';
import { parseTemplate, resolveTemplate, type Template, templateShape } from './variables.ts';

/** Action or NotAction. */
export interface ActionSet {
  readonly negated: boolean;
  /** The patterns as written. */
  readonly patterns: readonly string[];
  /** Whether the element covers `action` (`s3:Name`; ASCII case-insensitive, wildcards). */
  covers(action: string, meter?: Meter): boolean;
}

/** Resource or NotResource. */
export interface ResourceSet {
  readonly negated: boolean;
  readonly patterns: readonly string[];
  /** Whether the element covers `resource` in this request (its policy variables resolved). */
  covers(resource: string, context: RequestContext, meter?: Meter): boolean;
  /** Whether some pattern (its variables as `*`) could name the bucket; some could name objects in it. */
  readonly namesBucket: boolean;
  readonly namesObjects: boolean;
}

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: PrincipalSet;
  readonly actions: ActionSet;
  readonly resources: ResourceSet;
  readonly conditions: readonly Condition[];
}

export interface BucketPolicy {
  /** The document as stored and answered by GetBucketPolicy (decoded UTF-8, a leading BOM dropped). */
  readonly text: string;
  /** `2012-10-17`, `2008-10-17`, or undefined (AWS reads it as 2008-10-17: no policy variables). */
  readonly version: string | undefined;
  readonly id: string | undefined;
  readonly statements: readonly PolicyStatement[];
}

type JsonObject = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field of a parsed JSON object, never one inherited from Object.prototype. */
const field = (object: JsonObject, name: string): unknown =>
  Object.hasOwn(object, name) ? object[name] : undefined;

function checkFields(object: JsonObject, allowed: ReadonlySet<string>): void {
  for (const name of Object.keys(object)) {
    if (!allowed.has(name)) throw malformed(MESSAGES.field(name));
  }
}

/** Exactly one of two elements (`Action` / `NotAction`, …): its value and whether it was the Not… one. */
function oneOf(statement: JsonObject, name: string, invalid: string): { value: unknown; negated: boolean } {
  const plain = field(statement, name);
  const negated = field(statement, `Not${name}`);
  if (plain !== undefined && negated !== undefined) throw malformed(invalid);
  if (plain === undefined && negated === undefined) throw malformed(MESSAGES.missing(name));
  return plain !== undefined ? { value: plain, negated: false } : { value: negated, negated: true };
}

function parseActions(value: unknown, negated: boolean, budget: Budget): ActionSet {
  const patterns = valueList(value, budget, MESSAGES.action);
  const globs = patterns.map((pattern) => globOf(pattern, true));
  // Few actions are ever asked (the served ones): each answer is kept.
  const answers = new Map<string, boolean>();
  return {
    negated,
    patterns,
    covers(action, meter) {
      let named = answers.get(action);
      if (named === undefined) {
        named = globs.some((glob) => matchGlob(glob, action, true, meter));
        answers.set(action, named);
      }
      return negated ? !named : named;
    },
  };
}

const S3_ARN_PREFIX = 'arn:aws:s3:::';

function parseResources(
  value: unknown,
  negated: boolean,
  bucket: string,
  budget: Budget,
  withVariables: boolean,
): ResourceSet {
  const patterns = valueList(value, budget, MESSAGES.resource);
  const ofBucket = bucketArn(bucket);
  const globs: Glob[] = [];
  const templates: Template[] = [];
  let namesBucket = false;
  let namesObjects = false;
  for (const pattern of patterns) {
    const template = withVariables ? parseTemplate(pattern) : undefined;
    const shape = template ? templateShape(template) : globOf(pattern);
    // AWS: "Policy has invalid resource" for anything but this bucket or objects in it.
    const bucketOnly = matchGlob(shape, ofBucket, false);
    const objects = matchesSomeExtension(shape, `${ofBucket}/`);
    if (!pattern.startsWith(S3_ARN_PREFIX) || !(bucketOnly || objects)) throw malformed(MESSAGES.resource);
    namesBucket ||= bucketOnly;
    namesObjects ||= objects;
    if (template) templates.push(template);
    else globs.push(shape);
  }
  const fixedAnswers = new Map<string, boolean>();
  return {
    negated,
    patterns,
    namesBucket,
    namesObjects,
    covers(resource, context, meter) {
      let named = fixedAnswers.get(resource);
      if (named === undefined) {
        named = globs.some((glob) => matchGlob(glob, resource, false, meter));
        fixedAnswers.set(resource, named);
      }
      for (let index = 0; !named && index < templates.length; index++) {
        const template = templates[index];
        // A variable without a value: the pattern "will not match any resource" (IAM User Guide).
        const glob =
          template && resolveTemplate(template, context, { wildcards: true, budget: resource.length });
        named = glob !== undefined && matchGlob(glob, resource, false, meter);
      }
      return negated ? !named : named;
    },
  };
}

const DOCUMENT_FIELDS: ReadonlySet<string> = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS: ReadonlySet<string> = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const VERSIONS: ReadonlySet<string> = new Set(['2012-10-17', '2008-10-17']);

function parseStatement(
  value: unknown,
  bucket: string,
  budget: Budget,
  withVariables: boolean,
): PolicyStatement {
  if (!isObject(value)) throw malformed(MESSAGES.invalidJson);
  checkFields(value, STATEMENT_FIELDS);
  const sid = field(value, 'Sid');
  if (sid !== undefined && typeof sid !== 'string') throw malformed(MESSAGES.element('Sid'));
  const effect = field(value, 'Effect');
  if (effect === undefined) throw malformed(MESSAGES.missing('Effect'));
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(MESSAGES.effect(String(effect)));
  const principal = oneOf(value, 'Principal', MESSAGES.principal);
  // NotPrincipal "must be used with "Effect":"Deny"" (IAM User Guide, NotPrincipal).
  if (principal.negated && effect === 'Allow') throw malformed(MESSAGES.principal);
  const actions = oneOf(value, 'Action', MESSAGES.action);
  const resources = oneOf(value, 'Resource', MESSAGES.resource);
  return {
    sid,
    effect,
    principal: parsePrincipal(principal.value, principal.negated, budget),
    actions: parseActions(actions.value, actions.negated, budget),
    resources: parseResources(resources.value, resources.negated, bucket, budget, withVariables),
    conditions: parseConditions(field(value, 'Condition'), budget, withVariables),
  };
}

// `fatal` makes invalid UTF-8 throw; a leading BOM is dropped (ignoreBOM: false).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's text, within AWS's 20 KB, starting with `{` (S3 checks the first byte) — the one place the size is checked. */
export function policyText(body: Uint8Array | string): string {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (bytes > MAX_POLICY_BYTES) throw malformed(MESSAGES.tooLarge);
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    throw malformed(MESSAGES.invalidJson);
  }
  if (!text.startsWith('{')) throw malformed(MESSAGES.firstByte);
  return text;
}

/** Parses a policy's text for `bucket` into statements; throws MalformedPolicy. */
export function parsePolicyText(text: string, bucket: string): BucketPolicy {
  let document: unknown;
  try {
    document = parseStrictJson(text);
  } catch {
    throw malformed(MESSAGES.invalidJson);
  }
  if (!isObject(document)) throw malformed(MESSAGES.firstByte);
  checkFields(document, DOCUMENT_FIELDS);
  const version = field(document, 'Version');
  const id = field(document, 'Id');
  const statement = field(document, 'Statement');
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    throw malformed(MESSAGES.version);
  }
  if (id !== undefined && typeof id !== 'string') throw malformed(MESSAGES.element('Id'));
  if (statement === undefined) throw malformed(MESSAGES.noStatement);
  const list: unknown[] = Array.isArray(statement) ? statement : [statement];
  if (list.length === 0) throw malformed(MESSAGES.emptyStatement);
  const budget = new Budget();
  // Policy variables exist only in the 2012-10-17 language; before it, `${…}` is text.
  const withVariables = version === '2012-10-17';
  return {
    text,
    version,
    id,
    statements: list.map((item) => parseStatement(item, bucket, budget, withVariables)),
  };
}

/** A stored policy (validated when it was put), compiled for evaluation. */
export const parseStoredPolicy = (text: string, bucket: string): BucketPolicy =>
  parsePolicyText(policyText(text), bucket);
