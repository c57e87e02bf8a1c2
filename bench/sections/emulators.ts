// The local stack against the emulator developers use instead: the same S3 client workload (AWS SDK
// v3, one bucket per client, PutBucketEncryption/GetBucketEncryption alternating, one request at a time
// per client) against `npm start`'s stack (serverless-offline + DynamoDB Local, started by
// scripts/start.ts as a developer starts it) and against moto_server. Runs alternate between the two
// (A B, then B A), so load drifting on a shared machine falls on both. Runs in run.ts's process.
import type { S3Client } from '@aws-sdk/client-s3';
import { combine, type LoadResult, load, newClient, prepareBuckets, type Round } from '../lib/load.ts';
import type { Server } from '../lib/processes.ts';

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
