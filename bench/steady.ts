/**
 * `node dist/bench/steady.js [--rate 1000] [--minutes 10] [--window 60]`: `cidgate serve` (its own
 * process, the example config, a fresh database) under a steady FastAGI open loop, measured window
 * by window: does the decision latency hold as the log grows and the WAL is checkpointed and reset
 * (issue 12: p99 within 10% over 10 minutes at 1,000/s)? Prints one line per window, then JSON.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { load } from './load-process.js';
import { freePort, waitForPort } from './ports.js';
import { soakConfig, startServe, stopServe } from './soak-parts.js';
import { cpuMs, machine, rssMb } from './stats.js';
import { benchWorkDir } from './workdir.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const rate = arg('--rate', 1000);
const windowSeconds = arg('--window', 60);
const windows = Math.max(1, Math.round((arg('--minutes', 10) * 60) / windowSeconds));
const mb = (file: string) => { try { return Math.round(statSync(file).size / 1e5) / 10; } catch { return 0; } };

async function main(): Promise<void> {
  const work = benchWorkDir('cidgate-steady-');
  const port = await freePort();
  const db = join(work, 'steady.db');
  const server = startServe(soakConfig(work, port), db);
  await waitForPort(port, 60_000);
  const rows: Record<string, unknown>[] = [];
  for (let w = 0; w < windows; w++) {
    const cpuBefore = cpuMs(server.pid!);
    const r = await load({ protocol: 'agi', port, mode: 'open', rate, seconds: windowSeconds });
    const latency = r.latencyMs as { p50: number; p99: number };
    const sessions = r.sessions as number;
    // The server's CPU per session, RSS and database size: what grows with the run, if the latency does.
    const cpuMsPerSession = Math.round(((cpuMs(server.pid!) - cpuBefore) / sessions) * 1000) / 1000;
    const row = { window: w + 1, sessions, errors: r.errors, p50: latency.p50, p99: latency.p99, cpuMsPerSession, rssMb: rssMb(server.pid!), dbMb: mb(db), walMb: mb(`${db}-wal`) };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  await stopServe(server);
  const p99s = rows.map((r) => r.p99 as number);
  process.stdout.write(`${JSON.stringify({ machine: machine(), rate, windowSeconds, rows, firstP99: p99s[0], worstLaterP99: Math.max(...p99s.slice(1)) })}\n`);
}

main().catch((err) => { process.stderr.write(`steady failed: ${(err as Error).stack}\n`); process.exitCode = 1; });
