// Switching the deployment's settings for one describe of in-process tests (the route Lambdas read
// them through lib/config.ts): set before its tests, restored after, the configuration read again.
import { afterAll, beforeAll } from 'vitest';
import { resetConfig } from '../../lib/config.ts';

/** Runs the enclosing describe's tests with these environment variables, restoring them after. */
export function withEnvironment(variables: Record<string, string>) {
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const [name, value] of Object.entries(variables)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    resetConfig();
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
  });
}
