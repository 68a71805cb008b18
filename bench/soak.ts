/**
 * `npm run soak -- --seconds N` (default 60): concurrent FastAGI sessions against `cidgate serve`
 * (its own process) while faults are injected — the database locked by another process for a
 * while, peers disconnecting mid-session, garbage connections, a `kill -9` and a restart — then a
 * report: sessions, answers, errors by kind, attempts acknowledged vs found in the database
 * (lost must be 0), RSS, integrity check. Exits 1 if anything was lost or the file is damaged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EXAMPLE_CONFIG, PACKAGE_ROOT } from '../src/paths.js';
import { agiSession, randomCallee } from './agi-client.js';
import { freePort, waitForPort } from './ports.js';
import { rssMb } from './stats.js';
import { benchWorkDir, track } from './workdir.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const seconds = Math.max(3, Math.min(3600, arg('--seconds', 60)));
const concurrency = arg('--concurrency', 50);
const work = benchWorkDir('cidgate-soak-'); // deleted at exit, on failure and on Ctrl-C
const db = join(work, 'soak.db');

async function main(): Promise<void> {
  const port = await freePort();
  const config = join(work, 'soak.yaml');
  writeFileSync(config, readFileSync(EXAMPLE_CONFIG, 'utf8').replace('port: 4573', `port: ${port}`).replace(/freeswitch:\n  outbound:[^]*?enabled: true/, (m) => m.replace('enabled: true', 'enabled: false')));
  const devnull = openSync('/dev/null', 'w');
  const start = (): ChildProcess => track(spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cidgate.js'), 'serve', '--config', config, '--db', db], { stdio: ['ignore', devnull, 'inherit'] }));

  let server = start();
  await waitForPort(port);
  const rssStart = rssMb(server.pid!);
  const errors = new Map<string, number>();
  const bump = (k: string) => errors.set(k, (errors.get(k) ?? 0) + 1);
  const acknowledged = new Set<number>();
  let attempted = 0;
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

  const worker = async () => {
    while (Date.now() < end) {
      attempted++;
      const startedAt = Date.now();
      const r = await agiSession(port, randomCallee(), { timeoutMs: 5000 });
      if (lock.from && startedAt >= lock.from && (!lock.to || startedAt < lock.to)) lockedSessionsMs.push(Number(r.ns) / 1e6);
      if (r.variables.has('CIDGATE_ACTION')) answered++;
      const id = Number(r.variables.get('CIDGATE_ATTEMPT'));
      if (r.variables.has('CIDGATE_ATTEMPT') && id > 0) acknowledged.add(id);
      if (r.error) bump(r.error);
      else if (!r.variables.has('CIDGATE_ACTION')) bump('closed-without-answer');
      if (r.error === 'ECONNREFUSED') await new Promise((res) => setTimeout(res, 20));
    }
  };

  const injector = async () => {
    const until = async (t: number) => { while (Date.now() < t) await new Promise((r) => setTimeout(r, 20)); };
    await until(at(0.15));
    faults.push('database locked by another process for 2 s');
    const locker = new Database(db, { timeout: 5000 });
    locker.exec('BEGIN IMMEDIATE');
    lock.from = Date.now();
    await new Promise((r) => setTimeout(r, Math.min(2000, seconds * 100)));
    lock.to = Date.now();
    locker.exec('COMMIT');
    locker.close();

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
    const dead = new Promise((r) => server.once('close', r));
    server.kill('SIGKILL');
    await dead;
    server = start();
    await waitForPort(port);
  };

  await Promise.all([...Array.from({ length: concurrency }, worker), injector()]);
  clearInterval(walTimer);
  const rssEnd = rssMb(server.pid!);
  const stopped = new Promise((r) => server.once('close', r));
  server.kill('SIGTERM');
  await stopped;

  const check = new Database(db, { readonly: true });
  const integrity = String(check.pragma('integrity_check', { simple: true }));
  const ids = new Set((check.prepare('SELECT id FROM decisions').pluck().all() as number[]));
  check.close();
  const lost = [...acknowledged].filter((id) => !ids.has(id)).length;
  const report = {
    seconds, concurrency, sessionsAttempted: attempted, sessionsAnswered: answered,
    errors: Object.fromEntries(errors), faults, attemptsAcknowledged: acknowledged.size,
    attemptsFoundInDatabase: acknowledged.size - lost, lost, rssStartMb: rssStart, rssEndMb: rssEnd, integrity,
    walMaxMb: Math.round(walMaxMb * 10) / 10, wal,
    // Every call still answered while another process held the write lock (onStoreError).
    whileLocked: { sessions: lockedSessionsMs.length, slowestSessionMs: Math.round(Math.max(0, ...lockedSessionsMs)) },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = lost === 0 && integrity === 'ok' ? 0 : 1;
}

main().catch((err) => { process.stderr.write(`soak failed: ${(err as Error).stack}\n`); process.exit(1); });
