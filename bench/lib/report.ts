// The benchmark's one table, its JSON form, and the comparison of two runs.

export interface Metric {
  value: number;
  unit: string;
  better: 'lower' | 'higher';
}

export type Mark = 'pass' | 'MISS' | 'info';

export interface Row {
  section: string;
  /** Stable across runs: what `--compare` matches on. */
  key: string;
  label: string;
  measured: string;
  floor: string;
  /** The measurement against its floor: a ratio (×) or a difference. */
  versus: string;
  target: string;
  mark: Mark;
  metrics: Record<string, Metric>;
}

export interface Results {
  version: 1;
  startedAt: string;
  /** A `--quick` smoke run: too few samples to keep or compare. */
  quick?: boolean;
  wallSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  rows: Row[];
  /** Raw numbers and breakdowns per section, for reading beyond the table. */
  details: Record<string, unknown>;
}

export const mark = (pass: boolean): Mark => (pass ? 'pass' : 'MISS');

export const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
export const us = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} µs`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const times = (ratio: number): string => `×${ratio.toFixed(3)}`;
export const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')}/s`;

const HEADERS = ['row', 'measured', 'floor', 'vs floor', 'target', 'mark'] as const;

/** The table fits a 120-column terminal; section titles wrap onto lines of their own. */
const WIDTH = 120;

function title(text: string): string[] {
  const lines: string[] = [];
  let line = '──';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = '  ';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

function renderGrid(header: readonly string[], body: (string[] | string)[]): string {
  const widths = header.map((title, column) =>
    Math.max(
      title.length,
      ...body.map((line) => (typeof line === 'string' ? 0 : (line[column] ?? '').length)),
    ),
  );
  const separators = 3 * (widths.length - 1);
  // Too wide: the widest column gives way, a character at a time; its cut cells end in '…'.
  for (let total = widths.reduce((sum, width) => sum + width, 0) + separators; total > WIDTH; total--) {
    const widest = widths.indexOf(Math.max(...widths));
    widths[widest] = (widths[widest] ?? 1) - 1;
  }
  const total = widths.reduce((sum, width) => sum + width, 0) + separators;
  const clip = (cell: string, width: number) => (cell.length > width ? `${cell.slice(0, width - 1)}…` : cell);
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => clip(cell, widths[column] ?? 0).padEnd(widths[column] ?? 0))
      .join(' │ ')
      .trimEnd();
  const lines = [format(header), '─'.repeat(Math.min(total, WIDTH))];
  for (const line of body) lines.push(...(typeof line === 'string' ? title(line) : [format(line)]));
  return lines.join('\n');
}

/** The table `npm run bench` prints (and docs/performance.md holds). */
export function renderTable(rows: readonly Row[], sectionTitles: Record<string, string>): string {
  const body: (string[] | string)[] = [];
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      body.push(sectionTitles[section] ?? section);
    }
    body.push([row.label, row.measured, row.floor, row.versus, row.target, row.mark]);
  }
  return renderGrid(HEADERS, body);
}

/** What changed between two runs, metric by metric; `better`/`worse` only beyond `noise` (a fraction). */
export function renderComparison(before: Results, after: Results, noise = 0.05): string {
  const previous = new Map<string, Metric>();
  for (const row of before.rows) {
    for (const [name, metric] of Object.entries(row.metrics)) previous.set(`${row.key}.${name}`, metric);
  }
  const body: (string[] | string)[] = [];
  let section = '';
  for (const row of after.rows) {
    for (const [name, metric] of Object.entries(row.metrics)) {
      const old = previous.get(`${row.key}.${name}`);
      if (row.section !== section) {
        section = row.section;
        body.push(section);
      }
      if (!old) {
        body.push([`${row.label} ${name}`, '—', format(metric), 'new']);
        continue;
      }
      const change = old.value === 0 ? 0 : (metric.value - old.value) / Math.abs(old.value);
      const improved = metric.better === 'lower' ? change < 0 : change > 0;
      const verdict = Math.abs(change) <= noise ? '' : improved ? ' better' : ' worse';
      const sign = change > 0 ? '+' : '';
      body.push([
        `${row.label} ${name}`,
        format(old),
        format(metric),
        `${sign}${(change * 100).toFixed(1)}%${verdict}`,
      ]);
    }
  }
  const smoke =
    before.quick || after.quick ? ' — a smoke run (--quick) is part of it: read nothing into it' : '';
  const heading = `compared with the run of ${before.startedAt} (changes within ±${noise * 100}% are noise)${smoke}`;
  return `${heading}\n${renderGrid(['metric', 'before', 'after', 'change'], body)}`;
}

function format(metric: Metric): string {
  const digits = Math.abs(metric.value) >= 100 ? 0 : Math.abs(metric.value) >= 10 ? 1 : 3;
  return `${metric.value.toFixed(digits)} ${metric.unit}`;
}
