// The JSON log lines a test's invocations write (Powertools writes to stdout/stderr), captured per test.
// The level is the test file's to set, before lib/log.ts is first imported (vi.hoisted).
import { afterEach, beforeEach, vi } from 'vitest';

export type LogLine = Record<string, unknown>;

/** Captures every JSON line written during each test; returns the current test's lines. */
export function captureLogLines(): () => LogLine[] {
  let lines: LogLine[] = [];
  beforeEach(() => {
    lines = [];
    const capture = (chunk: unknown) => {
      for (const text of String(chunk).split('\n')) {
        if (text.startsWith('{')) lines.push(JSON.parse(text) as LogLine);
      }
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => vi.restoreAllMocks());
  return () => lines;
}
