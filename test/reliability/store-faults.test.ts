import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example } from '../helpers.js';
import { lockFromAnotherProcess, release } from './lock.js';

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
    // Every call that went out is in the log the limits read; any the store could not log was blocked.
    const wentOut = results.filter((r) => r.decision.action !== 'block');
    expect(wentOut.filter((r) => r.attemptId === null || r.decision.callerId === null)).toEqual([]);
    expect(results.filter((r) => r.decision.action === 'block').map((r) => r.decision.reasons))
      .toEqual(results.filter((r) => r.decision.action === 'block').map(() => ['store-unavailable']));
    expect(results.some((r) => r.decision.reasons.includes('store-unavailable'))).toBe(true);
    expect(await count()).toBe(wentOut.length);
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
  it('a store failure\'s error lines carry the catalogue code, the driver\'s own code kept under err', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const g = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, createLogger('info', sink));
    const holder = await lockFromAnotherProcess(file);
    try {
      await g.check(prospecting, { record: true });
      expect(await g.recordOutcome({ pbxUniqueId: 'x' }, { status: 'answered', hangupCause: 16, durationSeconds: 1, at: MONDAY_11H })).toBe(false);
    } finally {
      await release(holder);
    }
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.map((l) => [l.msg, l.code])).toEqual([
      ['store unavailable, deciding without history', 'STORE_ERROR'],
      ['outcome not recorded', 'STORE_ERROR'],
    ]);
    expect(errors[0]).toMatchObject({ err: { code: 'SQLITE_BUSY' } });
  });

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
    expect(decision.ms).toBeGreaterThan(0); // the time to decide, store included
    expect(lines[1]).not.toMatch(/s3cr3t|hunter2/);
  });

  it('the decision line follows the log level when a reload changes it', async () => {
    const logFile = join(dir, 'levels.jsonl');
    const logger = createLogger('info', logFile);
    const g = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, logger);
    await g.check({ ...service, pbx: { uniqueId: 'logged' } }, { record: true });
    logger.level = 'warn';
    await g.check({ ...service, pbx: { uniqueId: 'not-logged' } }, { record: true });
    logger.level = 'info';
    await g.check({ ...service, pbx: { uniqueId: 'logged-again' } }, { record: true });
    logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const ids = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { uniqueId: string }).uniqueId);
    expect(ids).toEqual(['logged', 'logged-again']);
  });

  it('an unknown time-zone hint is ignored, not thrown on', async () => {
    const r = await gateway.check({ ...prospecting, timeZone: 'Mars/Olympus_Mons' }, { record: true });
    expect(r.decision.area?.timeZone).toBe('Europe/Paris');
  });
});

describe('deadlines follow a monotonic clock, not the wall clock', () => {
  /** Steps the wall clock (Date.now, new Date) by `ms` for the rest of the test. */
  function stepWallClock(ms: number) {
    const real = Date.now.bind(Date);
    return vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
  }
  afterEach(() => vi.restoreAllMocks());

  it('a call waiting for a locked database answers after ~busyTimeoutMs even if the clock steps back 60 s', async () => {
    const holder = await lockFromAnotherProcess(file);
    try {
      const t0 = performance.now();
      const answer = gateway.check(prospecting, { record: true });
      stepWallClock(-60_000);
      expect((await answer).decision.reasons).toEqual(['store-unavailable']);
      expect(performance.now() - t0).toBeLessThan(5_000); // 60 s with the wall clock
    } finally {
      await release(holder);
    }
  });

  it('the listener\'s shutdown grace is not stretched by a clock stepped back', async () => {
    const { Listener } = await import('../../src/service/listener.js');
    const net = await import('node:net');
    const listener = new Listener({ name: 'test', host: '127.0.0.1', port: 0, allow: [], maxSessions: 10 }, silentLogger, () => undefined);
    const { port } = await listener.listen();
    const stuck = net.connect(port, '127.0.0.1');
    stuck.on('error', () => undefined);
    await new Promise((r) => stuck.once('connect', r));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const closing = listener.close(200);
    stepWallClock(-60_000);
    await closing;
    expect(performance.now() - t0).toBeLessThan(5_000);
    stuck.destroy();
  });
});
