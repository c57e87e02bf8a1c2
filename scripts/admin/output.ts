// How every admin command prints (docs/accounts.md "Output"). Text for people: lists are tables with
// a header row, JSON documents (a policy, a configuration) are indented JSON. `--json` for programs:
// each command prints exactly ONE JSON document on stdout — an object; a list is an array under a
// named key (`{"accounts": [...]}`), with `nextCursor` where it pages — so `… --json | jq` always
// reads one value. Errors are never on stdout: one line on stderr and a non-zero exit (scripts/admin.ts).
import type { AccountStore } from '../../lib/storage/accounts.ts';

export interface Output {
  readonly json: boolean;
  /** One line of text (text mode only; commands print data through the methods below). */
  line(text: string): void;
  /** The command's answer: `text` in text mode, `data` as the one JSON document with --json. */
  result(text: string | string[], data: Record<string, unknown>): void;
  /** A list's answer: a table (or `empty` when there are no rows), or `{[key]: items}` with --json. */
  list<T>(options: {
    key: string;
    items: readonly T[];
    header: readonly string[];
    row: (item: T) => readonly string[];
    empty: string;
    json?: (item: T) => unknown;
  }): void;
  /**
   * A long list printed as it is read (never held whole): with --json one document
   * `{...head, [key]: [item, …], ...tail}` streamed line by line.
   */
  stream(key: string, head: Record<string, unknown>): ListStream;
}

export interface ListStream {
  /** One item: `text` lines in text mode, `data` in the JSON array. */
  item(text: readonly string[], data: unknown): void;
  /** Ends the list; `tail` goes after it in the JSON document (e.g. `nextCursor`). */
  end(tail: Record<string, unknown>): void;
}

/** Rows under a header, each column as wide as its widest cell, two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** A JSON value as indented lines (a policy, a configuration), each prefixed with `indent`. */
export const indentedJson = (value: unknown, indent: string): string[] =>
  JSON.stringify(value, null, 2)
    .split('\n')
    .map((line) => indent + line);

export function createOutput(json: boolean, print: (line: string) => void): Output {
  return {
    json,
    line: (text) => {
      if (!json) print(text);
    },
    result(text, data) {
      if (json) print(JSON.stringify(data));
      else for (const line of Array.isArray(text) ? text : [text]) print(line);
    },
    list({ key, items, header, row, empty, json: toJson }) {
      if (json) {
        print(JSON.stringify({ [key]: items.map((item) => (toJson ? toJson(item) : item)) }));
        return;
      }
      if (items.length === 0) print(empty);
      else for (const line of formatTable(header, items.map(row))) print(line);
    },
    stream(key, head) {
      // The document's items one per line; the comma after an item is printed when the next comes.
      // Nothing is printed before the first item: a command failing before it leaves stdout empty.
      let pending: string | undefined;
      let opened = false;
      const open = () => {
        if (opened) return;
        opened = true;
        print(`${JSON.stringify(head).slice(0, -1)}${Object.keys(head).length ? ',' : ''}"${key}":[`);
      };
      return {
        item(text, data) {
          if (!json) {
            for (const line of text) print(line);
            return;
          }
          open();
          if (pending !== undefined) print(`${pending},`);
          pending = JSON.stringify(data);
        },
        end(tail) {
          if (!json) return;
          open();
          if (pending !== undefined) print(pending);
          print(`]${Object.keys(tail).length ? `,${JSON.stringify(tail).slice(1)}` : '}'}`);
        },
      };
    },
  };
}

/** `123456789012 (team-a)`: an account id with its name, when the account is known. */
export const withName = (accountId: string, name: string | undefined) =>
  name ? `${accountId} (${name})` : accountId;

/** Account names by id, each read once (one GetItem per account shown, not a scan of all). */
export function accountNames(
  accounts: AccountStore,
): (accountId: string | null) => Promise<string | undefined> {
  const names = new Map<string, Promise<string | undefined>>();
  return (accountId) => {
    if (accountId === null) return Promise.resolve(undefined);
    let name = names.get(accountId);
    if (!name) {
      name = accounts.getAccount(accountId).then((account) => account?.name || undefined);
      names.set(accountId, name);
    }
    return name;
  };
}
