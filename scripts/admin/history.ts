// `history BUCKET`: an operator's view of a bucket name's changes, newest first, every life of the
// name (docs/history.md), with the changes that have no entry shown as gaps of their own.
import type {
  CurrentBucket,
  HistoryEntry,
  HistoryGap,
  HistoryItem,
  HistoryPage,
} from '../../lib/storage/history.ts';
import { InvalidCursor } from '../../lib/storage/history.ts';
import { accountNames, formatTable, indentedJson, withName } from './output.ts';
import { accountIdOption, type Command, UsageError } from './usage.ts';

/** Entries read per request: long histories are printed page by page, never held whole. */
const PAGE = 100;

/** A JSON document kept as text in a state (a bucket policy) shown as the JSON it is. */
function asJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The state an entry shows, with a policy's text as its JSON (policy operations; a bucket's `policy`). */
export function stateView(operation: string, state: unknown): unknown {
  if (operation.endsWith('BucketPolicy')) return asJson(state);
  if (state !== null && typeof state === 'object' && 'policy' in state)
    return { ...state, policy: asJson((state as { policy: unknown }).policy) };
  return state;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `1 change not recorded between v5 and v7`, and the other shapes of a gap. */
export function gapText(gap: HistoryGap): string {
  const missing = `${plural(gap.toVersion - gap.fromVersion + 1, 'change')} not recorded`;
  if (gap.pending) {
    const after = gap.fromVersion > 1 ? ` after v${gap.fromVersion - 1}` : '';
    return `${missing}${after}: the bucket is at v${gap.toVersion} (entries of the last moments may still be on their way)`;
  }
  if (gap.fromVersion === 1) return `${missing} before v${gap.toVersion + 1}`;
  return `${missing} between v${gap.fromVersion - 1} and v${gap.toVersion + 1}`;
}

const versions = (gap: HistoryGap) =>
  gap.fromVersion === gap.toVersion ? `v${gap.fromVersion}` : `v${gap.fromVersion}-v${gap.toVersion}`;

const detail = (label: string, state: unknown): string[] =>
  state !== null && typeof state === 'object'
    ? [`    ${label}:`, ...indentedJson(state, '      ')]
    : [`    ${label}: ${JSON.stringify(state)}`];

const HEADER = ['VERSION', 'TIME', 'OPERATION', 'ACCOUNT', 'ACCESS KEY', 'SOURCE IP', 'REQUEST ID', 'OWNER'];

export const history: Command = {
  words: 'history',
  synopsis: 'BUCKET [--owner ID] [--account ID] [--since ISO] [--limit N] [--cursor CURSOR]',
  summary: "a bucket's changes, newest first, and the changes not recorded (gaps)",
  help: `A bucket name's changes, newest first, every life of the name (docs/history.md): who (account and
its name, access key, source IP, request id), when, and the state before and after, policies and
configurations as indented JSON. Versions count every change of a bucket, so a change whose entry
could not be written shows as a gap of its own ("1 change not recorded between v5 and v7"); replay
the history consumer's on-failure queue with \`history replay\` to write what is still in the stream.
With --json: {"bucket": …, "entries": [{"kind": "change", …} | {"kind": "gap", …}], "nextCursor": …};
pass nextCursor back with --cursor for the next page. A bucket named "replay": --bucket replay.`,
  options: ['bucket', 'owner', 'account', 'since', 'limit', 'cursor', 'after'],
  optionHelp: {
    owner: 'only the lives of the bucket this account owned (gaps included)',
    account: 'only the changes this account made (gaps still show: who made them is unknown)',
    limit: 'at most N entries (gaps not counted); nextCursor goes on',
  },
  async run({ args, options, out, target }) {
    if (options.bucket !== undefined && args.length > 0)
      throw new UsageError('give the bucket once: history BUCKET, or history --bucket BUCKET');
    if (args.length > 1) throw new UsageError(`history takes one bucket (got ${args.join(' ')})`);
    const bucket = options.bucket ?? args[0];
    if (!bucket) throw new UsageError('history needs BUCKET');
    const bucketOwner = accountIdOption('owner', options.owner);
    const accountId = accountIdOption('account', options.account);
    let remaining = Number.POSITIVE_INFINITY;
    if (options.limit !== undefined) {
      remaining = Number(options.limit);
      if (!Number.isInteger(remaining) || remaining <= 0)
        throw new UsageError(`--limit must be a positive integer (got "${options.limit}")`);
    }
    let since: string | undefined;
    if (options.since !== undefined) {
      const parsed = new Date(options.since);
      if (Number.isNaN(parsed.getTime()))
        throw new UsageError(`--since must be an ISO 8601 time (got "${options.since}")`);
      since = parsed.toISOString();
    }
    if (options.cursor !== undefined && options.after !== undefined)
      throw new UsageError('--after is the former name of --cursor: give one');
    let cursor = options.cursor ?? options.after;
    const cursorFlag = options.after !== undefined ? '--after' : '--cursor';

    const { history: store, buckets, accounts } = target();
    const nameOf = accountNames(accounts);
    // The first page also shows the bucket's newest changes that have no entry yet (or never will).
    let current: CurrentBucket | undefined;
    if (cursor === undefined) {
      const live = await buckets.getBucket(bucket);
      if (live)
        current = {
          bucketOwner: live.ownerId,
          generation: live.createdAt,
          version: live.version,
          lastRequestId: live.item.lastChange?.M?.requestId?.S,
        };
    }

    const changeJson = async (entry: HistoryEntry) => ({
      kind: 'change',
      version: entry.version,
      time: entry.time,
      operation: entry.operation,
      bucket: entry.bucket,
      accountId: entry.accountId,
      accountName: (await nameOf(entry.accountId)) ?? null,
      accessKeyId: entry.accessKeyId,
      requestId: entry.requestId,
      sourceIp: entry.sourceIp,
      bucketOwner: entry.bucketOwner,
      bucketOwnerName: (await nameOf(entry.bucketOwner)) ?? null,
      generation: entry.generation,
      before: stateView(entry.operation, entry.before),
      after: stateView(entry.operation, entry.after),
    });
    const gapJson = async (gap: HistoryGap) => ({
      kind: 'gap',
      bucket: gap.bucket,
      bucketOwner: gap.bucketOwner,
      bucketOwnerName: (await nameOf(gap.bucketOwner)) ?? null,
      generation: gap.generation,
      fromVersion: gap.fromVersion,
      toVersion: gap.toVersion,
      missing: gap.toVersion - gap.fromVersion + 1,
      pending: gap.pending,
    });
    const row = async (entry: HistoryEntry) => [
      `v${entry.version}`,
      entry.time,
      entry.operation,
      entry.accountId === null ? '(unknown)' : withName(entry.accountId, await nameOf(entry.accountId)),
      entry.accessKeyId ?? '-',
      entry.sourceIp ?? '-',
      entry.requestId ?? '-',
      withName(entry.bucketOwner, await nameOf(entry.bucketOwner)),
    ];

    const list = out.stream('entries', { bucket });
    let shown = 0;
    do {
      let page: HistoryPage;
      try {
        page = await store.listHistory(bucket, {
          bucketOwner,
          accountId,
          since,
          limit: Math.min(remaining, PAGE),
          after: cursor,
          current: shown === 0 ? current : undefined,
        });
      } catch (error) {
        if (error instanceof InvalidCursor) throw new UsageError(`${cursorFlag}: ${error.message}`);
        throw error;
      }
      // Text: one table per page (its columns as wide as its widest cell), details under each row.
      const rows = await Promise.all(
        page.items.map((item) => (item.kind === 'change' ? row(item.entry) : Promise.resolve(undefined))),
      );
      const changes = rows.filter((cells): cells is string[] => cells !== undefined);
      const [header = '', ...lines] = formatTable(HEADER, changes);
      const width = Math.max(7, ...changes.map(([version = '']) => version.length));
      if (page.items.length > 0) out.line(header);
      let next = 0;
      for (const item of page.items as HistoryItem[]) {
        if (item.kind === 'change') {
          const { entry } = item;
          list.item(
            [
              lines[next++] ?? '',
              ...detail('before', stateView(entry.operation, entry.before)),
              ...detail('after', stateView(entry.operation, entry.after)),
            ],
            await changeJson(entry),
          );
        } else {
          list.item([`${versions(item).padEnd(width)}  ${gapText(item)}`], await gapJson(item));
        }
      }
      shown += page.items.length;
      remaining -= page.entries.length;
      cursor = page.cursor;
    } while (cursor && remaining > 0);
    list.end({ nextCursor: cursor ?? null });
    const filtered = bucketOwner !== undefined || accountId !== undefined || since !== undefined;
    if (shown === 0)
      out.line(filtered ? `(no changes of ${bucket} match the filters)` : `(no history for ${bucket})`);
    if (cursor) out.line(`(more: --cursor ${cursor})`);
  },
};
