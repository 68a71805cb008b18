/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --only NAME[,NAME]]`: every benchmark of cidgate
 * (or the sections named), one table and one JSON. The load generator and the baseline servers run
 * in processes of their own, apart from the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_CONFIG, PACKAGE_ROOT } from '../src/paths.js';
import { bareTransaction, engineWithStore, prefilledDatabase, pureDecision, removeDatabase, reportOverDatabase } from './engine.js';
import { load } from './load-process.js';
import { freePort, waitForPort } from './ports.js';
import { postgresBench } from './postgres.js';
import { scriptOptions } from './args.js';
import { cpuMs, machine, round, rssMb } from './stats.js';
import { benchWorkDir, track } from './workdir.js';

const args = scriptOptions('usage: npm run bench [-- --quick] [-- --json FILE] [-- --only NAME[,NAME]]',
  { quick: { type: 'boolean' }, json: { type: 'string' }, only: { type: 'string' } });
const quick = args.quick ?? false;
const jsonOut = args.json;
const HERE = dirname(fileURLToPath(import.meta.url));
const results: Record<string, unknown> = { machine: machine(), quick };
const rows: [string, string][] = [];
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
let work = '';

/** `cidgate serve` on the example config with fresh ports and database; its logs go to /dev/null. */
async function startCidgate(): Promise<{ child: ChildProcess; agi: number; esl: number; http: number }> {
  const [agi, esl, http] = [await freePort(), await freePort(), await freePort()];
  const config = readFileSync(EXAMPLE_CONFIG, 'utf8').replace('port: 4573', `port: ${agi}`).replace('port: 8084', `port: ${esl}`)
    // One generator is one peer: the per-peer rate limit (5,000/s by default) would answer 429s, not decisions.
    + `\nhttp:\n  port: ${http}\n  rateLimitPerSecond: 1000000\n`;
  const file = join(work, `cidgate-${agi}.yaml`);
  writeFileSync(file, config);
  const devnull = openSync('/dev/null', 'w');
  const child = track(spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cidgate.js'), 'serve', '--config', file, '--db', join(work, `serve-${agi}.db`)], { stdio: ['ignore', devnull, 'inherit'] }));
  await waitForPort(agi);
  await waitForPort(esl);
  await waitForPort(http);
  return { child, agi, esl, http };
}

/** `httpBody`: what the bare `node:http` baseline answers (protocol `http`). */
async function startNoop(protocol: 'agi' | 'esl' | 'http', httpBody = ''): Promise<{ child: ChildProcess; port: number }> {
  const child = track(spawn(process.execPath, [join(HERE, 'noop-server.js'), protocol, '0', httpBody], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const line = await new Promise<string>((r) => child.stdout!.once('data', (d) => r(String(d))));
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

async function stop(child: ChildProcess): Promise<void> {
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await closed;
}

type Row = Record<string, unknown>;
const lat = (r: Row) => r.latencyMs as { p50: number; p99: number; p999: number };

function pure(): void {
  const r = pureDecision(quick ? 20_000 : 200_000);
  results.pureDecision = r;
  rows.push(['engine, pure decision', `${r.decisionsPerSecond}/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, p99.9 ${r.latencyMs.p999} ms`]);
}

/**
 * Check-and-record on a database pre-filled with `attempts` over 100,000 consumers: its size,
 * SQLite's limit (the bare transaction) and the store one and 32 calls at a time, as a share of
 * it. `exports`: also `cidgate report` and `attempts --csv` over it (they scale with the rows, so
 * the 1 M run says what 10 M would, at a tenth of the time).
 */
async function store(attempts: number, exports: boolean): Promise<void> {
  const decisions = quick ? 3_000 : 50_000;
  const consumers = quick ? 2_000 : 100_000;
  const size = attempts.toLocaleString('en');
  log(`store: pre-filling ${size} attempts`);
  const db = await prefilledDatabase(join(work, 'engine'), attempts, consumers);
  rows.push([`storage at ${size} attempts`, `${db.bytesPerAttempt} bytes/attempt (pre-filled in ${db.seconds} s)`]);
  if (exports) {
    log(`report: cidgate report over ${size} attempts`);
    const report = reportOverDatabase(db.file);
    results.report = [...((results.report as unknown[] | undefined) ?? []), { attempts, ...report }];
    rows.push([`cidgate report over ${size} attempts`, report ? `${report.seconds} s, peak RSS ${report.maxRssMb} MB` : 'failed']);
  }
  log(`store: ${size} attempts, SQLite's limit (bare transaction)`);
  const limit = await bareTransaction(db.file, consumers, decisions);
  rows.push([`limit: bare SQLite transaction, ${size} attempts`,
    `${limit.decisionsPerSecond}/s, p50 ${limit.latencyMs.p50} ms, p99 ${limit.latencyMs.p99} ms, p99.9 ${limit.latencyMs.p999} ms`]);
  const engine = (results.engine ??= []) as unknown[];
  for (const concurrency of [1, 32]) {
    log(`store: ${size} attempts, ${concurrency} in flight`);
    const r = await engineWithStore(db.file, attempts, consumers, decisions, concurrency, exports && concurrency === 32);
    const ofLimit = round((r.decisionsPerSecond / limit.decisionsPerSecond) * 100, 0);
    engine.push({ ...r, bytesPerAttempt: db.bytesPerAttempt, limit, percentOfLimit: ofLimit });
    rows.push([`engine + SQLite, ${size} attempts, ${concurrency} in flight`,
      `${r.decisionsPerSecond}/s (${ofLimit}% of the limit), p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, p99.9 ${r.latencyMs.p999} ms`]);
    if (r.attemptsCsvSeconds !== null) rows.push([`cidgate attempts --csv over ${size} rows`, `${r.attemptsCsvSeconds} s`]);
  }
  removeDatabase(db.file);
}

async function endToEnd(protocol: 'agi' | 'esl'): Promise<void> {
  const seconds = quick ? 0.5 : 8;
  const levels = [50, 200, 1000];
  // The server's CPU time over every session it served (warm-ups included) ÷ those sessions.
  const measure = async (port: number, pid: number) => {
    const closed: Row[] = [];
    const cpuBefore = cpuMs(pid);
    let sessions = 0;
    const counted = (r: Row) => { sessions += (r.sessions as number) + (r.errors as number) + (r.warmUpSessions as number); return r; };
    for (const concurrency of levels) closed.push({ concurrency, ...counted(await load({ protocol, port, mode: 'closed', concurrency, seconds })) });
    const open = counted(await load({ protocol, port, mode: 'open', rate: 1000, seconds }));
    return { closed, open, cpuMsPerSession: round((cpuMs(pid) - cpuBefore) / sessions, 3), sessions };
  };
  log(`${protocol}: cidgate`);
  const cidgate = await startCidgate();
  const mine = await measure(protocol === 'agi' ? cidgate.agi : cidgate.esl, cidgate.child.pid!);
  await stop(cidgate.child);
  log(`${protocol}: no-op baseline`);
  const noop = await startNoop(protocol);
  const base = await measure(noop.port, noop.child.pid!);
  await stop(noop.child);
  const name = protocol === 'agi' ? 'FastAGI' : 'Event Socket';
  results[protocol] = { cidgate: mine, baseline: base };
  mine.closed.forEach((r, i) => {
    const b = base.closed[i]!;
    rows.push([`${name}, closed loop, ${r.concurrency} sessions`,
      `${r.sessionsPerSecond}/s (baseline ${b.sessionsPerSecond}/s, ${round((r.sessionsPerSecond as number) / (b.sessionsPerSecond as number) * 100, 0)}%), errors ${r.errors}`]);
  });
  rows.push([`${name}, CPU per session`,
    `${mine.cpuMsPerSession} ms (baseline ${base.cpuMsPerSession} ms), over ${mine.sessions.toLocaleString('en')} sessions`]);
  rows.push([`${name}, open loop 1,000/s`,
    `p50 ${lat(mine.open).p50} ms, p99 ${lat(mine.open).p99} ms, p99.9 ${lat(mine.open).p999} ms, errors ${mine.open.errors} (baseline p99 ${lat(base.open).p99} ms)`]);
}

/** One decision's answer from cidgate: the bytes the bare `node:http` baseline answers. */
async function oneDecisionBody(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true, consentAnytime: true }) });
  return res.text();
}

/**
 * `POST /v1/decisions` over keep-alive connections, for the same calls as the FastAGI rows; then
 * a bare `node:http` server answering the same bytes, with the same generator.
 */
async function httpApi(): Promise<void> {
  const seconds = quick ? 0.5 : 8;
  log('http: cidgate');
  const cidgate = await startCidgate();
  const closed = await load({ protocol: 'http', port: cidgate.http, mode: 'closed', concurrency: 50, seconds });
  const open = await load({ protocol: 'http', port: cidgate.http, mode: 'open', rate: 1000, seconds });
  const body = await oneDecisionBody(cidgate.http);
  await stop(cidgate.child);
  log('http: bare node:http baseline');
  const bare = await startNoop('http', body);
  const baseline = await load({ protocol: 'http', port: bare.port, mode: 'closed', concurrency: 50, seconds });
  await stop(bare.child);
  const share = round((closed.sessionsPerSecond as number) / (baseline.sessionsPerSecond as number) * 100, 0);
  results.http = { closed, open, baseline: { ...baseline, bodyBytes: Buffer.byteLength(body) } };
  rows.push(['HTTP API (keep-alive), closed loop, 50 in flight',
    `${closed.sessionsPerSecond} decisions/s, p99 ${lat(closed).p99} ms, errors ${closed.errors} (bare node:http ${baseline.sessionsPerSecond}/s, ${share}%)`]);
  rows.push(['HTTP API (keep-alive), open loop 1,000/s',
    `p50 ${lat(open).p50} ms, p99 ${lat(open).p99} ms, p99.9 ${lat(open).p999} ms, errors ${open.errors}`]);
}

async function memory(): Promise<void> {
  const cidgate = await startCidgate();
  const pid = cidgate.child.pid!;
  await new Promise((r) => setTimeout(r, 500));
  const idle = rssMb(pid);
  log('memory: 1,000 open sessions');
  const holder = spawn(process.execPath, [join(HERE, 'load.js'), JSON.stringify({ protocol: 'agi', port: cidgate.agi, mode: 'hold', sessions: 1000 })], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((r) => holder.stdout!.once('data', r));
  const holding = rssMb(pid);
  holder.stdin!.end('go\n');
  await new Promise((r) => holder.once('close', r));
  // 100,000 sessions in four rounds: RSS after each shows whether it climbs or only breathes with GC.
  const rounds = 4;
  const perRound = quick ? 250 : 25_000;
  const before = rssMb(pid);
  const afterRounds: number[] = [];
  let runSessions = 0;
  for (let i = 0; i < rounds; i++) {
    log(`memory: round ${i + 1}/${rounds}, ${perRound} sessions`);
    const run = await load({ protocol: 'agi', port: cidgate.agi, mode: 'closed', concurrency: 200, seconds: 600, sessions: perRound });
    runSessions += run.sessions as number;
    await new Promise((r) => setTimeout(r, 1000));
    afterRounds.push(rssMb(pid));
  }
  const after = afterRounds[afterRounds.length - 1]!;
  const sessions = rounds * perRound;
  await stop(cidgate.child);
  results.memory = { idleMb: idle, with1000OpenSessionsMb: holding, beforeRunMb: before, afterEachRoundMb: afterRounds, afterRunMb: after, runSessions };
  rows.push(['RSS with 1,000 open FastAGI sessions', `${holding} MB (idle ${idle} MB)`]);
  rows.push([`RSS before / after each quarter of ${sessions.toLocaleString('en')} sessions`, `${before} MB / ${afterRounds.join(', ')} MB`]);
}

/** PostgreSQL rows (bench/postgres.ts): the store shared by several nodes. */
async function postgres(): Promise<void> {
  const pg = await postgresBench({ quick, work, log, load });
  results.postgres = pg.results;
  rows.push(...pg.rows);
}

/**
 * Every section, in the order run; `--only` picks some. The store sections are the long ones
 * (the 10 M pre-fill alone takes minutes); a quick run has no 10 M section.
 */
const SECTIONS: readonly [string, () => Promise<void> | void][] = [
  ['decision', pure],
  ['store', () => store(quick ? 20_000 : 1_000_000, true)],
  ...(quick ? [] : [['store-10m', () => store(10_000_000, false)] as [string, () => Promise<void>]]),
  ['agi', () => endToEnd('agi')],
  ['esl', () => endToEnd('esl')],
  ['http', httpApi],
  ['postgres', postgres],
  ['memory', memory],
];

function selected(): typeof SECTIONS {
  const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!only) return SECTIONS;
  const unknown = only.filter((name) => !SECTIONS.some(([n]) => n === name));
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}: the sections are ${SECTIONS.map(([n]) => n).join(', ')}`);
  return SECTIONS.filter(([name]) => only.includes(name));
}

async function main(): Promise<void> {
  const sections = selected();
  work = benchWorkDir('cidgate-bench-'); // deleted at exit, on failure and on Ctrl-C
  log(`working in ${work}${quick ? ' (quick)' : ''} — sections ${sections.map(([n]) => n).join(', ')}`);
  const started = performance.now();
  for (const [name, run] of sections) {
    const t = performance.now();
    await run();
    log(`${name} done in ${round((performance.now() - t) / 1000, 0)} s`);
  }
  results.seconds = round((performance.now() - started) / 1000, 0);
  const m = results.machine as Record<string, string>;
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\ncidgate benchmarks — ${m.date}, ${m.cpu}, ${m.cores} cores, Node ${m.node}${quick ? ' (quick: smoke sizes, not figures)' : ''}\n\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
}

main().catch((err) => { process.stderr.write(`bench failed: ${(err as Error).stack}\n`); process.exit(1); });
