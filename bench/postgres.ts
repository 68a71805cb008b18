/**
 * The PostgreSQL rows of `npm run bench`: `cidgate report` over a database pre-filled with 1 M
 * attempts, check-and-record on it (one node with 32 in flight; open loop at 1,000/s; four node processes together) and
 * FastAGI end to end on PostgreSQL at 1,000 sessions/s. The server is CIDGATE_BENCH_DATABASE_URL
 * (or CIDGATE_TEST_DATABASE_URL, or the local one); each run works in a schema of its own, dropped
 * at the end. Also a child entry point: `node dist/bench/postgres.js node URL DECISIONS CONSUMERS`
 * runs one node's closed loop and prints its JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { EXAMPLE_CONFIG, PACKAGE_ROOT } from '../src/paths.js';
import { Gateway } from '../src/service/gateway.js';
import { PostgresStore } from '../src/store/postgres.js';
import { reportOverDatabase } from './engine.js';
import { freePort, waitForPort } from './ports.js';
import { round, summarize } from './stats.js';

/** Monday 2026-11-30 11:00 Paris, as the SQLite rows: inside the legal window. */
const NOW = new Date('2026-11-30T10:00:00Z');
const IN_FLIGHT = 32;
const NODES = 4;

type Rows = [string, string][];
type Load = (spec: object) => Promise<Record<string, unknown>>;

interface NodeRun { decisionsPerSecond: number; latencyMs: ReturnType<typeof summarize>; storeErrors: number }

function serverUrl(): string {
  return process.env.CIDGATE_BENCH_DATABASE_URL || process.env.CIDGATE_TEST_DATABASE_URL || 'postgresql://root@127.0.0.1:5432/postgres';
}

/** The i-th consumer, as bench/prefill.ts numbers them. */
const consumerSql = `'+3314' || lpad(((random() * $2::int)::int)::text, 7, '0')`;

/** `attempts` counted decisions over `consumers` consumers and the 90 days before NOW, in one statement. */
async function prefill(url: string, attempts: number, consumers: number): Promise<number> {
  const t0 = performance.now();
  const store = new PostgresStore(url);
  await store.migrate();
  await store.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`SELECT setseed(0.42)`);
    await sql.unsafe(
      `INSERT INTO decisions (at, campaign, purpose, source, channel, pbx_unique_id, agent, original_caller_id,
         presented_caller_id, callee, area, action, reasons, counted, outcome, hangup_cause, duration_s)
       SELECT to_timestamp($3::float8 / 1000) - random() * interval '90 days', 'prospecting', 'prospecting', 'asterisk',
         'PJSIP/agent-0001', 'bench.' || i, 'agent-1', '+33612345678', '+33162000001', ${consumerSql},
         '{"country":"FR","zone":"1"}', 'rewrite', 'mobile-caller-id', true, 'answered', 16, 42
       FROM generate_series(1, $1::int) AS i`, [attempts, consumers, NOW.getTime()]);
    await sql.unsafe('ANALYZE decisions');
  } finally {
    await sql.end();
  }
  return round((performance.now() - t0) / 1000, 1);
}

/** One node: a gateway on PostgreSQL deciding `decisions` calls, `IN_FLIGHT` at once, or offered at `rate`/s. */
async function node(url: string, decisions: number, consumers: number, rate: number | null): Promise<NodeRun> {
  const { config } = loadConfig();
  const store = new PostgresStore(url, { waitMs: 5_000 });
  let tick = 0;
  const clock = { now: () => new Date(NOW.getTime() + tick) };
  const gateway = new Gateway(config, store, clock, createLogger('info', '/dev/null'));
  const tag = `${process.pid}.${Date.now().toString(36)}`;
  const call = (i: number) => ({
    campaign: 'prospecting', from: '0612345678', to: `+3314${String(Math.floor(Math.random() * consumers)).padStart(7, '0')}`, consent: true,
    pbx: { source: 'bench', uniqueId: `pg.${tag}.${i}`, channel: 'PJSIP/agent-0001' },
  });
  const samples = new BigInt64Array(decisions);
  const one = async (i: number) => {
    tick++;
    const t = process.hrtime.bigint();
    await gateway.check(call(i), { record: true });
    samples[i] = process.hrtime.bigint() - t;
  };
  for (let i = 0; i < Math.min(500, Math.ceil(decisions / 5)); i++) await gateway.check(call(-i - 1), { record: true }); // connections, plans, JIT
  const errorsBefore = gateway.stats.storeErrors;
  const start = process.hrtime.bigint();
  if (rate === null) {
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => { while (next < decisions) await one(next++); }));
  } else {
    const running: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < decisions; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      running.push(one(i));
    }
    await Promise.all(running);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  return { decisionsPerSecond: Math.round(decisions / seconds), latencyMs: summarize(samples), storeErrors: gateway.stats.storeErrors - errorsBefore };
}

/** NODES processes deciding at once, each with IN_FLIGHT calls in flight. */
async function nodes(url: string, decisions: number, consumers: number): Promise<NodeRun[]> {
  const self = fileURLToPath(import.meta.url);
  return Promise.all(Array.from({ length: NODES }, () => new Promise<NodeRun>((resolve, reject) => {
    const child = spawn(process.execPath, [self, 'node', url, String(decisions), String(consumers)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as NodeRun) : reject(new Error(`bench node exited ${code}`))));
  })));
}

/** `cidgate serve` on the example config with FastAGI on a fresh port, its log to /dev/null. */
async function serve(url: string, work: string): Promise<{ child: ChildProcess; agi: number }> {
  const [agi, esl, http] = [await freePort(), await freePort(), await freePort()];
  const file = join(work, `cidgate-pg-${agi}.yaml`);
  writeFileSync(file, readFileSync(EXAMPLE_CONFIG, 'utf8').replace('port: 4573', `port: ${agi}`).replace('port: 8084', `port: ${esl}`)
    + `\nhttp:\n  port: ${http}\n`);
  const devnull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cidgate.js'), 'serve', '--config', file, '--db', url], { stdio: ['ignore', devnull, 'inherit'], cwd: work });
  await waitForPort(agi, 30_000);
  return { child, agi };
}

const line = (r: NodeRun) => `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, p99.9 ${r.latencyMs.p999} ms, store errors ${r.storeErrors}`;

/**
 * Runs the PostgreSQL benchmarks and returns their table rows and JSON; a server that cannot be
 * reached gives one row saying so (the SQLite figures do not depend on it).
 */
export async function postgresBench(opts: { quick: boolean; work: string; log: (msg: string) => void; load: Load }): Promise<{ rows: Rows; results: Record<string, unknown> }> {
  const base = serverUrl();
  const schema = `cidgate_bench_${process.pid}`;
  const admin = postgres(base, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    await admin.end();
    opts.log(`postgres: skipped (${(err as Error).message})`);
    return { rows: [['PostgreSQL', `not measured: ${base.replace(/:[^:@/]*@/, ':***@')} unreachable (set CIDGATE_BENCH_DATABASE_URL)`]], results: { skipped: true } };
  }
  const u = new URL(base);
  u.searchParams.set('search_path', schema);
  const url = u.toString();
  const rows: Rows = [];
  const results: Record<string, unknown> = {};
  try {
    const attempts = opts.quick ? 20_000 : 1_000_000;
    const consumers = opts.quick ? 2_000 : 100_000;
    const decisions = opts.quick ? 300 : 20_000;
    opts.log(`postgres: pre-filling ${attempts} attempts`);
    const prefillSeconds = await prefill(url, attempts, consumers);
    const n = attempts.toLocaleString('en');
    opts.log(`postgres: cidgate report over ${n} attempts`);
    const report = reportOverDatabase(url);
    rows.push([`cidgate report over ${n} attempts, PostgreSQL`, report ? `${report.seconds} s, peak RSS ${report.maxRssMb} MB` : 'failed']);
    opts.log(`postgres: one node, ${IN_FLIGHT} in flight`);
    const closed = await node(url, decisions, consumers, null);
    rows.push([`engine + PostgreSQL, ${n} attempts, ${IN_FLIGHT} in flight`, `${closed.decisionsPerSecond}/s, ${line(closed)} (pre-filled in ${prefillSeconds} s)`]);
    opts.log('postgres: one node, open loop 1,000/s');
    const open = await node(url, opts.quick ? 300 : 10_000, consumers, 1_000);
    rows.push([`engine + PostgreSQL, ${n} attempts, open loop 1,000/s`, line(open)]);
    opts.log(`postgres: ${NODES} node processes, ${IN_FLIGHT} in flight each`);
    const four = await nodes(url, opts.quick ? 100 : 10_000, consumers);
    const aggregate = four.reduce((s, r) => s + r.decisionsPerSecond, 0);
    rows.push([`engine + PostgreSQL, ${n} attempts, ${NODES} nodes × ${IN_FLIGHT} in flight`,
      `${aggregate}/s together (${four.map((r) => r.decisionsPerSecond).join(' + ')}), worst p99 ${Math.max(...four.map((r) => r.latencyMs.p99))} ms, store errors ${four.reduce((s, r) => s + r.storeErrors, 0)}`]);
    opts.log('postgres: FastAGI end to end, open loop 1,000/s');
    const cidgate = await serve(url, opts.work);
    const agi = await opts.load({ protocol: 'agi', port: cidgate.agi, mode: 'open', rate: 1000, seconds: opts.quick ? 0.5 : 8 });
    const closedServe = new Promise((r) => cidgate.child.once('close', r));
    cidgate.child.kill('SIGTERM');
    await closedServe;
    const l = agi.latencyMs as ReturnType<typeof summarize>;
    rows.push(['FastAGI on PostgreSQL, open loop 1,000/s', `p50 ${l.p50} ms, p99 ${l.p99} ms, p99.9 ${l.p999} ms, errors ${agi.errors as number}`]);
    Object.assign(results, { attempts, prefillSeconds, report, oneNode: closed, openLoop: open, nodes: four, aggregate, agi });
  } finally {
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
  return { rows, results };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'node') {
  const [url, decisions, consumers] = process.argv.slice(3);
  node(url!, Number(decisions), Number(consumers), null).then((r) => {
    process.stdout.write(JSON.stringify(r));
    process.exit(0);
  }, (err) => {
    process.stderr.write(`bench node failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
