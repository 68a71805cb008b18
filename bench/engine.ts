import { mkdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { decide } from '../src/policy/decide.js';
import type { History } from '../src/policy/types.js';
import { Gateway } from '../src/service/gateway.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { consumer, prefill } from './prefill.js';
import { round, summarize } from './stats.js';

/** Monday 2026-11-30 11:00 Paris: inside the legal window, so decisions take the full path. */
const NOW = new Date('2026-11-30T10:00:00Z');

export interface EngineResult {
  attempts: number;
  concurrency: number;
  decisionsPerSecond: number;
  latencyMs: ReturnType<typeof summarize>;
  attemptsCsvSeconds: number | null;
}

/** A database pre-filled with `attempts` over `consumers`; its size per attempt on disk. */
export async function prefilledDatabase(dir: string, attempts: number, consumers: number): Promise<{ file: string; bytesPerAttempt: number; seconds: number }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `engine-${attempts}.db`);
  const t0 = performance.now();
  await prefill(file, attempts, consumers, NOW);
  return { file, bytesPerAttempt: round((statSync(file).size + walSize(file)) / attempts, 0), seconds: round((performance.now() - t0) / 1000, 1) };
}

/**
 * Check-and-record on a database pre-filled with `attempts`, `concurrency` calls in flight at
 * once (PBX channels deciding together, as the service sees them).
 */
export async function engineWithStore(file: string, attempts: number, consumers: number, decisions: number, concurrency: number, csv: boolean): Promise<EngineResult> {

  const { config } = loadConfig();
  const store = new SqliteStore(file, { backgroundCheckpoint: true }); // as the service runs it
  let tick = 0;
  // Each decision 1 ms later than the last, so the log grows as in production.
  const clock = { now: () => new Date(NOW.getTime() + tick) };
  const gateway = new Gateway(config, store, clock, createLogger('info', '/dev/null'));
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const call = (i: number) => ({
    campaign: 'prospecting', from: '0612345678', to: consumer(Math.floor(rand() * consumers)), consent: true,
    pbx: { source: 'bench', uniqueId: `run.${attempts}.${i}`, channel: 'PJSIP/agent-0001' },
  });
  for (let i = 0; i < Math.min(2000, decisions); i++) { tick++; await gateway.check(call(-i - 1), { record: true }); }
  const samples = new BigInt64Array(decisions);
  let next = 0;
  const worker = async () => {
    while (next < decisions) {
      const i = next++;
      tick++;
      const c = call(i);
      const t = process.hrtime.bigint();
      await gateway.check(c, { record: true });
      samples[i] = process.hrtime.bigint() - t;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();

  let attemptsCsvSeconds: number | null = null;
  if (csv) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cidgate.js'), 'attempts', '--csv', '--db', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status === 0) attemptsCsvSeconds = round((performance.now() - t) / 1000, 2);
  }
  return {
    attempts, concurrency, decisionsPerSecond: Math.round(decisions / seconds), latencyMs: summarize(samples), attemptsCsvSeconds,
  };
}

function walSize(file: string): number {
  return existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
}

/** The pure decision, no store: parsing, area, rules, caller-ID choice. */
export function pureDecision(decisions: number): { decisionsPerSecond: number; latencyMs: ReturnType<typeof summarize> } {
  const { config } = loadConfig();
  const campaign = config.campaigns.get('prospecting');
  const history: History = {
    attempts: [{ at: new Date(NOW.getTime() - 86_400_000), campaign: 'prospecting', purpose: 'prospecting' }],
    lastRefusalAt: null, consent: null, doNotCall: false, lastPresented: null, usageToday: new Map(),
  };
  const clock = { now: () => NOW };
  const samples = new BigInt64Array(decisions);
  const start = process.hrtime.bigint();
  for (let i = 0; i < decisions; i++) {
    const t = process.hrtime.bigint();
    decide({ campaign: 'prospecting', from: '0612345678', to: consumer(i % 100_000), consent: true }, history, config.rules, campaign, clock);
    samples[i] = process.hrtime.bigint() - t;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { decisionsPerSecond: Math.round(decisions / seconds), latencyMs: summarize(samples) };
}
