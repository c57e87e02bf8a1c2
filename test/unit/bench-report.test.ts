// The benchmark's table fits a 120-column terminal (issue 13), whatever its rows hold.
import { describe, expect, it } from 'vitest';
import { type Row, renderTable } from '../../bench/lib/report.ts';

const row = (label: string, measured: string, floor: string): Row => ({
  section: 'emulators',
  key: label,
  label,
  measured,
  floor,
  versus: '×1.236',
  target: '≥ ×2.00',
  mark: 'MISS',
  metrics: {},
});

const widest = (table: string) => Math.max(...table.split('\n').map((line) => [...line].length));

describe('bench table', () => {
  it('fits 120 columns with the longest cells the sections write', () => {
    const table = renderTable(
      [
        row('DeleteBucketEncryption median', '0.86 ms', '0.78 ms UpdateItemCommand'),
        row('bucket+object bundle size', '376.8 KB (zip 744.6 KB)', '209.7 KB (zip 880.4 KB)'),
        row('policy: evaluate, hostile 15 KB', '724.7 µs (mean 727.6 µs)', '—'),
        row('1 client: p50 floors', '1.22 ms (0.47 + 0.75)', '0.99 ms: moto ×0.50'),
      ],
      {
        emulators: 'npm start vs moto_server: SDK v3 clients, a bucket each, Put/Get loop, alternating runs',
      },
    );
    expect(widest(table)).toBeLessThanOrEqual(120);
    expect(table).not.toContain('…');
  });

  it('cuts the widest column rather than overflow', () => {
    const long = `a label that someone made far too long ${'x'.repeat(80)}`;
    const table = renderTable([row(long, '1.00 ms', '0.50 ms')], {});
    expect(widest(table)).toBeLessThanOrEqual(120);
    expect(table).toContain('a label that someone made far too long');
    expect(table).toContain('…');
    expect(table).toContain('MISS');
  });
});
