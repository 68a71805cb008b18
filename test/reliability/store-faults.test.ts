import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example } from '../helpers.js';

const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
const prospecting = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true };
const service = { campaign: 'customer', from: '0612345678', to: '0145678901' };

let dir: string;
let file: string;
let store: SqliteStore;
let gateway: Gateway;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cidgate-faults-'));
  file = join(dir, 'faults.db');
  store = new SqliteStore(file, { busyTimeoutMs: 40 });
  gateway = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger);
});
afterEach(() => store.close());

/** Another process holding SQLite's write lock until told to let go. */
async function lockFromAnotherProcess(db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `
    const db = new (require('better-sqlite3'))(${JSON.stringify(db)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
  `], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return child;
}

async function release(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('close', r));
  child.stdin!.end('go\n');
  await done;
}

async function count(): Promise<number> {
  let n = 0;
  for await (const _ of store.attempts({})) n++;
  return n;
}

describe('onStoreError: every call gets an answer when the database fails', () => {
  it('database locked by another process: prospecting blocked, service allowed, then recovery', async () => {
    const holder = await lockFromAnotherProcess(file);
    const p = await gateway.check(prospecting, { record: true });
    expect(p.decision).toMatchObject({ action: 'block', reasons: ['store-unavailable'] });
    const s = await gateway.check(service, { record: true });
    expect(s.decision).toMatchObject({ action: 'rewrite', callerId: '+33199000001' });
    expect(gateway.stats.storeErrors).toBe(2);
    await release(holder);
    const after = await gateway.check(prospecting, { record: true });
    expect(after.decision.action).toBe('rewrite');
    expect(after.attemptId).not.toBeNull();
    expect(await count()).toBe(1);
  });

  it('read-only database: same policy; recovers when writable again', async () => {
    const db = (store as unknown as { db: { pragma(s: string): unknown } }).db;
    db.pragma('query_only = ON');
    expect((await gateway.check(prospecting, { record: true })).decision.reasons).toEqual(['store-unavailable']);
    db.pragma('query_only = OFF');
    expect((await gateway.check(prospecting, { record: true })).attemptId).not.toBeNull();
  });

  it('disk full (SQLITE_FULL): same policy; recovers when space comes back', async () => {
    const db = (store as unknown as { db: { pragma(s: string, o?: object): unknown } }).db;
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);
    const results = [];
    for (let i = 0; i < 50; i++) results.push(await gateway.check({ ...prospecting, to: `01456789${String(i).padStart(2, '0')}` }, { record: true }));
    expect(results.some((r) => r.decision.reasons.includes('store-unavailable'))).toBe(true);
    expect(results.every((r) => r.decision.action !== 'allow' || r.decision.callerId !== null)).toBe(true);
    db.pragma('max_page_count = 1073741823');
    expect((await gateway.check({ ...prospecting, to: '0299000000' }, { record: true })).attemptId).not.toBeNull();
  });

  it('onStoreError is configurable', async () => {
    const { configFrom } = await import('../helpers.js');
    const lenient = configFrom(`
onStoreError: { prospecting: allow, service: block }
campaigns:
  p: { purpose: prospecting, dialing: automated, pool: ["0162000001"] }
  s: { purpose: service, dialing: manual, pool: ["0199000001"] }
`);
    const g = new Gateway(lenient, store, { now: () => new Date(MONDAY_11H) }, silentLogger);
    const holder = await lockFromAnotherProcess(file);
    expect((await g.check({ ...prospecting, campaign: 'p' }, { record: true })).decision.action).toBe('rewrite');
    expect((await g.check({ ...service, campaign: 's' }, { record: true })).decision.reasons).toEqual(['store-unavailable']);
    await release(holder);
  });
});

describe('logs', () => {
  it('one JSON line per decision, whatever the input carries (no log injection), secrets redacted', async () => {
    const logFile = join(dir, 'log.jsonl');
    const logger = createLogger('info', logFile);
    const g = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, logger);
    await g.check({ ...service, pbx: { agent: 'evil\n{"level":60,"msg":"forged"}\r', uniqueId: 'u\u2028x' } }, { record: true });
    logger.info({ secret: 's3cr3t', password: 'hunter2' }, 'with secrets');
    logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const decision = JSON.parse(lines[0]!);
    expect(decision).toMatchObject({ event: 'decision', agent: 'evil\n{"level":60,"msg":"forged"}\r', uniqueId: 'u\u2028x' });
    expect(lines[1]).not.toMatch(/s3cr3t|hunter2/);
  });

  it('an unknown time-zone hint is ignored, not thrown on', async () => {
    const r = await gateway.check({ ...prospecting, timeZone: 'Mars/Olympus_Mons' }, { record: true });
    expect(r.decision.area?.timeZone).toBe('Europe/Paris');
  });
});
