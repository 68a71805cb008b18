/**
 * `npm run soak -- --seconds N` (default 60; or `--minutes N`): FastAGI sessions against `cidgate
 * serve` (its own process), 50 back to back (`--concurrency`) or a fixed `--rate` a second, while
 * faults are injected — the database locked by another process for up to 5 s with outcomes
 * reported meanwhile, peers disconnecting mid-session, garbage connections, a `kill -9` and a
 * restart — then, as root, a full-disk phase on a tmpfs (bench/soak-disk-full.ts). The report:
 * sessions, answers and their latency, errors by kind, the WAL's size over time, attempts
 * acknowledged vs found in the database, outcomes and decisions taken during the outage vs found
 * in the audit trail, RSS, integrity check. Exits 1 if anything was lost or the file is damaged.
 */
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { numberOption, scriptOptions } from './args.js';
import { freePort, waitForPort } from './ports.js';
import { diskFullPhase } from './soak-disk-full.js';
import { drive, outcomeSession, soakConfig, startServe, stopServe } from './soak-parts.js';
import { rssMb, summarize } from './stats.js';
import { benchWorkDir } from './workdir.js';

const args = scriptOptions('usage: npm run soak [-- --seconds N | --minutes N] [-- --concurrency N | --rate R]',
  { seconds: { type: 'string' }, minutes: { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' } });
const seconds = Math.max(3, Math.min(3600, numberOption(args.minutes, 'minutes', 0) * 60 || numberOption(args.seconds, 'seconds', 60)));
const concurrency = numberOption(args.concurrency, 'concurrency', 50, 1);
const rate = numberOption(args.rate, 'rate', 0);
const lockMs = Math.min(5_000, seconds * 100);
const work = benchWorkDir('cidgate-soak-'); // deleted at exit, on failure and on Ctrl-C
const db = join(work, 'soak.db');
/** Starting may take long on a loaded machine: a restart under load is not a failure until this. */
const START_WAIT_MS = 60_000;
let server: ChildProcess | null = null;

async function main(): Promise<void> {
  const port = await freePort();
  const config = soakConfig(work, port);
  server = startServe(config, db);
  await waitForPort(port, START_WAIT_MS);
  const rssStart = rssMb(server.pid!);
  const errors = new Map<string, number>();
  const bump = (k: string) => errors.set(k, (errors.get(k) ?? 0) + 1);
  const acknowledged = new Set<number>();
  /** Unique ids of calls the PBX was told were recorded, not blocked: what outcomes are reported for. */
  const dialled: string[] = [];
  /** Unique ids of calls answered without being recorded (onStoreError): the journal must bring them to the audit trail. */
  const unrecorded: string[] = [];
  const latencyNs: bigint[] = [];
  let answered = 0;
  const faults: string[] = [];
  const lock = { from: 0, to: 0 };
  const lockedSessionsMs: number[] = [];
  const t0 = Date.now();
  // The WAL's size over time: at most 60 samples whatever the duration, and its maximum.
  const wal: { s: number; mb: number }[] = [];
  let walMaxMb = 0;
  const walMb = () => { try { return statSync(`${db}-wal`).size / 1e6; } catch { return 0; } };
  const walTimer = setInterval(() => {
    const mb = walMb();
    walMaxMb = Math.max(walMaxMb, mb);
    if (wal.length === 0 || Date.now() - t0 >= (wal.length * seconds * 1000) / 60) wal.push({ s: Math.round((Date.now() - t0) / 1000), mb: Math.round(mb * 10) / 10 });
  }, 200);
  const end = t0 + seconds * 1000;
  const at = (fraction: number) => t0 + fraction * seconds * 1000;

  const driving = drive(port, () => Date.now() >= end, { rate, concurrency }, (r, startedAt) => {
    if (lock.from && startedAt >= lock.from && (!lock.to || startedAt < lock.to)) lockedSessionsMs.push(Number(r.ns) / 1e6);
    if (r.error) bump(r.error);
    else if (!r.variables.has('CIDGATE_ACTION')) bump('closed-without-answer');
    if (!r.variables.has('CIDGATE_ACTION')) return;
    answered++;
    latencyNs.push(r.ns);
    const id = Number(r.variables.get('CIDGATE_ATTEMPT'));
    if (id > 0) {
      acknowledged.add(id);
      if (r.variables.get('CIDGATE_ACTION') !== 'block' && dialled.length < 100_000) dialled.push(r.uniqueId);
    } else if (r.variables.get('CIDGATE_REASON') === 'store-unavailable') {
      unrecorded.push(r.uniqueId);
    }
  });

  const outcomes = { sent: [] as string[], failed: 0 };
  const injector = async () => {
    const until = async (t: number) => { while (Date.now() < t) await new Promise((r) => setTimeout(r, 20)); };
    await until(at(0.15));
    faults.push(`database locked by another process for ${lockMs / 1000} s, outcomes reported meanwhile`);
    const locker = new Database(db, { timeout: 5000 });
    locker.exec('BEGIN IMMEDIATE');
    lock.from = Date.now();
    // Two hangup handlers reporting outcomes back to back while the lock lasts.
    const reporters = Array.from({ length: 2 }, async () => {
      while (Date.now() < lock.from + lockMs && dialled.length > 0) {
        const uniqueId = dialled.pop()!;
        if (await outcomeSession(port, uniqueId)) outcomes.sent.push(uniqueId);
        else outcomes.failed++;
      }
    });
    await new Promise((r) => setTimeout(r, lockMs));
    lock.to = Date.now();
    locker.exec('COMMIT');
    locker.close();
    await Promise.all(reporters);

    await until(at(0.35));
    faults.push('100 garbage connections (binary, a 1 MB line, an environment that never ends)');
    await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise<void>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        const payloads = [Buffer.from([0xff, 0, 0xfe, 10, 10]), Buffer.alloc(1024 * 1024, 0x41), Buffer.from('agi_network: yes\n')];
        s.write(payloads[i % 3]!);
        setTimeout(() => s.destroy(), 300);
      });
      s.on('error', () => undefined);
      s.on('close', () => r());
    })));

    await until(at(0.5));
    faults.push('100 peers hanging up mid-session');
    await Promise.all(Array.from({ length: 100 }, () => new Promise<void>((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.write('agi_network: yes\nagi_network_script: check\nagi_extension: 0145678901\n'); setTimeout(() => s.destroy(), 5); });
      s.on('error', () => undefined);
      s.on('close', () => r());
    })));

    await until(at(0.7));
    faults.push('kill -9 under load, then restart');
    await stopServe(server!, 'SIGKILL');
    server = startServe(config, db);
    await waitForPort(port, START_WAIT_MS);
  };

  const [sessions] = await Promise.all([driving, injector()]);
  clearInterval(walTimer);
  const rssEnd = rssMb(server.pid!);
  await stopServe(server); // replays the journal at stop
  server = null;

  const check = new Database(db, { readonly: true });
  const integrity = String(check.pragma('integrity_check', { simple: true }));
  const ids = new Set((check.prepare('SELECT id FROM decisions').pluck().all() as number[]));
  const inTrail = check.prepare('SELECT without_history FROM decisions WHERE pbx_unique_id = ?').pluck();
  const outcomeOf = check.prepare('SELECT outcome FROM decisions WHERE pbx_unique_id = ?').pluck();
  const missingFromTrail = unrecorded.filter((u) => inTrail.get(u) === undefined).length;
  const outcomesLost = outcomes.sent.filter((u) => outcomeOf.get(u) !== 'answered').length;
  check.close();
  const lost = [...acknowledged].filter((id) => !ids.has(id)).length;
  const diskFull = await diskFullPhase(rate || 500);
  const report = {
    seconds, load: rate ? { rate, achievedPerSecond: Math.round(sessions / seconds) } : { concurrency },
    sessionsAttempted: sessions, sessionsAnswered: answered, sessionMs: summarize(latencyNs),
    errors: Object.fromEntries(errors), faults, attemptsAcknowledged: acknowledged.size,
    attemptsFoundInDatabase: acknowledged.size - lost, lost, rssStartMb: rssStart, rssEndMb: rssEnd, integrity,
    walMaxMb: Math.round(walMaxMb * 10) / 10, wal,
    // Every call still answered while another process held the write lock (onStoreError).
    whileLocked: { lockSeconds: lockMs / 1000, sessions: lockedSessionsMs.length, slowestSessionMs: Math.round(Math.max(0, ...lockedSessionsMs)) },
    outcomesDuringLock: { reported: outcomes.sent.length, refusedByServer: outcomes.failed, lost: outcomesLost },
    storeOutage: { answeredWithoutRecord: unrecorded.length, missingFromAuditTrail: missingFromTrail },
    diskFull,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const diskFullOk = 'skipped' in diskFull || diskFull.lost === 0;
  process.exitCode = lost === 0 && integrity === 'ok' && outcomesLost === 0 && missingFromTrail === 0 && diskFullOk ? 0 : 1;
}

main()
  .catch((err) => { process.stderr.write(`soak failed: ${(err as Error).stack}\n`); process.exitCode = 1; })
  .finally(() => {
    process.exit(); // the load may still be running after a failure; exit stops the server and removes the work dir
  });
