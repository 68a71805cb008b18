import { mkdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { decide } from '../src/policy/decide.js';
import type { History } from '../src/model/types.js';
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

/** Frees the disk (3 GB at 10 M attempts) as soon as a section is done with its database. */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
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

/**
 * SQLite's own limit for one check-and-record: the bare transaction on the same schema and data,
 * one at a time — count the consumer's attempts in 30 days, look up refusal, consent and
 * do-not-call, insert the decision — with the store's settings (WAL, synchronous=NORMAL,
 * checkpoints on a worker thread). No decision, no gateway, no promise: what the store adds is
 * what check-and-record costs beyond this.
 */
export async function bareTransaction(file: string, consumers: number, decisions: number): Promise<{ decisionsPerSecond: number; latencyMs: ReturnType<typeof summarize> }> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  const checkpointer = new Worker(new URL('../src/store/checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs: 250 } });
  const count = db.prepare('SELECT count(*) FROM decisions WHERE callee = ? AND counted = 1 AND at > ?').pluck();
  const lookups = db.prepare(
    `SELECT (SELECT max(at) FROM refusals WHERE number = @n) AS refused_at,
            (SELECT kind FROM consent_events WHERE number = @n ORDER BY at DESC LIMIT 1) AS consent,
            EXISTS (SELECT 1 FROM do_not_call WHERE number = @n) AS dnc`);
  const insert = db.prepare(
    `INSERT INTO decisions (at, campaign, purpose, source, channel, pbx_unique_id, agent, original_caller_id,
       presented_caller_id, callee, area, action, reasons, counted)
     VALUES (?, 'prospecting', 'prospecting', 'bench', 'PJSIP/agent-0001', ?, NULL, '+33612345678',
       '+33162000001', ?, '{"country":"FR","zone":"1"}', 'rewrite', 'mobile-caller-id', 1)`);
  const tx = db.transaction((callee: string, at: number, id: string) => {
    count.get(callee, at - 30 * 86_400_000);
    lookups.get({ n: callee });
    insert.run(at, id, callee);
  });
  let seed = 11;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const run = (n: number, tag: string, samples: BigInt64Array | null) => {
    for (let i = 0; i < n; i++) {
      const callee = consumer(Math.floor(rand() * consumers));
      const t = process.hrtime.bigint();
      tx.immediate(callee, NOW.getTime() + i, `limit.${tag}.${i}`);
      if (samples) samples[i] = process.hrtime.bigint() - t;
    }
  };
  run(Math.min(2000, decisions), 'warm', null);
  const samples = new BigInt64Array(decisions);
  const start = process.hrtime.bigint();
  run(decisions, 'run', samples);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  checkpointer.postMessage('stop');
  await new Promise((r) => checkpointer.once('message', r));
  await checkpointer.terminate();
  db.close();
  return { decisionsPerSecond: Math.round(decisions / seconds), latencyMs: summarize(samples) };
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
    decide({ campaign: 'prospecting', from: '0612345678', to: consumer(i % 100_000), consent: true }, history, config.site, campaign, clock);
    samples[i] = process.hrtime.bigint() - t;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { decisionsPerSecond: Math.round(decisions / seconds), latencyMs: summarize(samples) };
}

/**
 * `cidgate report` over the whole pre-filled period (the 90 days before NOW), HTML to /dev/null:
 * its wall time and the process's peak memory (the aggregation runs in the database, streamed).
 * `db`: what `--db` takes, a SQLite file or a postgres:// URL.
 */
export function reportOverDatabase(db: string): { seconds: number; maxRssMb: number } | null {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(PACKAGE_ROOT, 'bin', 'cidgate.js'), 'report',
    '--from', '2026-08-31', '--to', '2026-11-30', '--out', '/dev/null', '--db', db], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { seconds: round((performance.now() - t) / 1000, 2), maxRssMb: round(kb / 1024, 1) };
}
