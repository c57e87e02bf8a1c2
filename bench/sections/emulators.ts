// The local stack against the emulator developers use instead: the same S3 client workload (AWS SDK
// v3, one bucket per client, PutBucketEncryption/GetBucketEncryption alternating, one request at a time
// per client) against `npm start`'s stack (serverless-offline + DynamoDB Local, started by
// scripts/start.ts as a developer starts it) and against moto_server, measured two ways:
// - steady state (`emulators`): one server of each, warmed up, then rounds alternating between the
//   two (A B, then B A), so load drifting on a shared machine falls on both;
// - as users meet it (`firstSeconds`): a fresh server, timed from the moment it says it is ready (npm
//   start's banner, moto answering) for the next few seconds, which is when a test suite pointed at
//   it runs; each sample a new start of each, in alternating order.
// Runs in run.ts's process.
import { CreateBucketCommand, PutBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
import { combine, type LoadResult, load, newClient, prepareBuckets, type Round, RULES } from '../lib/load.ts';
import type { Server } from '../lib/processes.ts';
import { summarize } from '../lib/stats.ts';

export interface EmulatorsInput {
  concurrency: number[];
  /** Before the first concurrency's rounds; later concurrencies warm up for at most 2 s. */
  warmupMs: number;
  roundMs: number;
  rounds: number;
}

export interface EmulatorsResult {
  concurrency: number;
  local: LoadResult;
  /** Undefined when moto_server is not installed. */
  moto?: LoadResult;
}

interface Target {
  clients: S3Client[];
  buckets: string[];
}

async function prepare(server: Server, most: number): Promise<Target> {
  const clients = Array.from({ length: most }, () => newClient(server.endpoint, server.credentials));
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const buckets = clients.map((_, index) => `bench-emu-${suffix}-${index}`);
  const [first] = clients;
  if (!first) throw new Error('no clients');
  await prepareBuckets(first, buckets);
  return { clients, buckets };
}

async function warmUp(name: string, target: Target, concurrency: number, ms: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const warm = await load(target.clients.slice(0, concurrency), target.buckets, ms);
    if (warm.errors === 0 && warm.latencies.length > 0) return;
    if (attempt === 5) {
      throw new Error(`${name}, ${concurrency} clients: still failing after warm-up: ${warm.firstError}`);
    }
  }
}

export async function emulators(
  input: EmulatorsInput,
  local: Server,
  moto: Server | undefined,
): Promise<EmulatorsResult[]> {
  const most = Math.max(...input.concurrency);
  const targets: Array<[string, Target]> = [['local stack', await prepare(local, most)]];
  if (moto) targets.push(['moto', await prepare(moto, most)]);
  const results: EmulatorsResult[] = [];
  for (const [index, concurrency] of input.concurrency.entries()) {
    // The first warm-up brings each server to its steady state; later ones only open the new clients.
    const warmupMs = index === 0 ? input.warmupMs : Math.min(input.warmupMs, 2_000);
    for (const [name, target] of targets) await warmUp(name, target, concurrency, warmupMs);
    const rounds = new Map<string, Round[]>(targets.map(([name]) => [name, []]));
    for (let round = 0; round < input.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const [name, target] of order) {
        const result = await load(target.clients.slice(0, concurrency), target.buckets, input.roundMs);
        // Counted and shown in the table (and the first one said on stderr), not hidden by a retry.
        if (result.errors > 0) {
          console.error(
            `[bench] ${name}, ${concurrency} clients: ${result.errors} errors: ${result.firstError}`,
          );
        }
        rounds.get(name)?.push(result);
      }
    }
    const motoRounds = rounds.get('moto');
    results.push({
      concurrency,
      local: combine(rounds.get('local stack') ?? []),
      ...(motoRounds ? { moto: combine(motoRounds) } : {}),
    });
  }
  for (const [, target] of targets) for (const client of target.clients) client.destroy();
  return results;
}

export interface FirstSecondsInput {
  concurrency: number[];
  /** The window after the server says it is ready. */
  windowMs: number;
  /** Fresh starts of each server per concurrency. */
  samples: number;
}

export interface FirstSecondsResult {
  concurrency: number;
  /** Every request in the windows (bucket set-up included), over the windows' total time. */
  local: LoadResult;
  moto?: LoadResult;
  /** Per sample: how long the server took to say it was ready (npm start: to its banner). */
  startupSeconds: { local: number[]; moto: number[] };
}

/** One window: buckets set up, then the workload, until `windowMs` after `readyAt`. */
async function window(
  server: Server,
  concurrency: number,
  readyAt: number,
  windowMs: number,
): Promise<Round> {
  const clients = Array.from({ length: concurrency }, () => newClient(server.endpoint, server.credentials));
  const buckets = clients.map((_, index) => `bench-first-${process.pid}-${Date.now().toString(36)}-${index}`);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    // Set-up as a test suite does it, one bucket per client at once, timed like the rest.
    await Promise.all(
      clients.map(async (client, index) => {
        const Bucket = buckets[index] ?? '';
        for (const command of [
          new CreateBucketCommand({ Bucket }),
          new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: RULES }),
        ]) {
          const sent = performance.now();
          try {
            await client.send(command as CreateBucketCommand);
            latencies.push(performance.now() - sent);
          } catch (error) {
            errors++;
            firstError ??= String(error);
          }
        }
      }),
    );
    const left = readyAt + windowMs - performance.now();
    if (left > 0) {
      const round = await load(clients, buckets, left);
      latencies.push(...round.latencies);
      errors += round.errors;
      firstError ??= round.firstError;
    }
  } finally {
    for (const client of clients) client.destroy();
  }
  return {
    latencies,
    errors,
    seconds: (performance.now() - readyAt) / 1000,
    ...(firstError ? { firstError } : {}),
  };
}

/**
 * The first `windowMs` after each server says it is ready, for each concurrency: `samples` fresh
 * starts of each, alternating which starts first. `start` starts a server and resolves when it is
 * ready; the window is timed from then.
 */
export async function firstSeconds(
  input: FirstSecondsInput,
  startLocal: () => Promise<Server>,
  startMoto: (() => Promise<Server>) | undefined,
  progress: (message: string) => void,
): Promise<FirstSecondsResult[]> {
  const starters: Array<[string, () => Promise<Server>]> = [['local stack', startLocal]];
  if (startMoto) starters.push(['moto', startMoto]);
  const results: FirstSecondsResult[] = [];
  for (const concurrency of input.concurrency) {
    const rounds = new Map<string, Round[]>(starters.map(([name]) => [name, []]));
    const startup = new Map<string, number[]>(starters.map(([name]) => [name, []]));
    for (let sample = 0; sample < input.samples; sample++) {
      const order = sample % 2 === 0 ? starters : [...starters].reverse();
      for (const [name, start] of order) {
        progress(
          `emulators: first ${input.windowMs / 1000} s, ${concurrency} clients, ${name} #${sample + 1}`,
        );
        const starting = performance.now();
        const server = await start();
        const readyAt = performance.now();
        startup.get(name)?.push((readyAt - starting) / 1000);
        try {
          const result = await window(server, concurrency, readyAt, input.windowMs);
          if (result.errors > 0) {
            console.error(
              `[bench] ${name}, first seconds, ${concurrency} clients: ${result.errors} errors: ${result.firstError}`,
            );
          }
          rounds.get(name)?.push(result);
        } finally {
          await server.stop();
        }
      }
    }
    const motoRounds = rounds.get('moto');
    results.push({
      concurrency,
      local: combine(rounds.get('local stack') ?? []),
      ...(motoRounds ? { moto: combine(motoRounds) } : {}),
      startupSeconds: { local: startup.get('local stack') ?? [], moto: startup.get('moto') ?? [] },
    });
  }
  return results;
}

/** Median of a list of seconds, for the report. */
export const medianSeconds = (values: number[]): number => summarize(values).p50;
