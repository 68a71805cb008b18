import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CidgateError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { Journal, journalPath } from '../../src/service/journal.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { AttemptRow, Store } from '../../src/store/store.js';
import { example, runCli } from '../helpers.js';
import { storesUnderTest } from '../store/stores.js';
import { lockFromAnotherProcess, release } from './lock.js';

const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
const service = (i: number) => ({ campaign: 'customer', from: '0612345678', to: `01456789${String(i).padStart(2, '0')}`, pbx: { source: 'asterisk', uniqueId: `out.${i}` } });
const answered = { status: 'answered' as const, hangupCause: 16, durationSeconds: 42, at: MONDAY_11H };

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cidgate-journal-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rows(store: { attempts(f: object): AsyncIterable<AttemptRow> }): Promise<AttemptRow[]> {
  const out: AttemptRow[] = [];
  for await (const r of store.attempts({})) out.push(r);
  return out;
}

describe.each(storesUnderTest())('the journal on the $name store: what the database could not take is kept, then replayed once', (sut) => {
  let store: Store;
  let journal: Journal;
  beforeEach(async () => {
    store = await sut.open();
    journal = new Journal(join(dir, 'cidgate.journal'), silentLogger);
  });
  afterEach(async () => {
    journal.close();
    await store.close();
    await sut.cleanup();
  });

  it('decisions made under onStoreError reach the audit trail, flagged as made without history, with their outcomes', async () => {
    const gateway = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger, journal);
    await gateway.check(service(9), { record: false }); // the store is reachable (and its schema in place)
    const holdWrites = await sut.holdWrites();
    const during = await Promise.all([0, 1, 2, 3, 4].map((i) => gateway.check(service(i), { record: true })));
    expect(during.every((r) => r.attemptId === null && r.decision.action === 'rewrite')).toBe(true);
    expect(await gateway.recordOutcome({ pbxUniqueId: 'out.0' }, answered)).toBe(false);
    expect(gateway.health().journalPending).toBe(6);
    expect(await gateway.replayJournal()).toBe(0); // still held: kept
    await holdWrites();

    expect(await gateway.replayJournal()).toBe(6);
    expect(gateway.health().journalPending).toBe(0);
    const trail = await rows(store);
    expect(trail.map((r) => r.pbxUniqueId)).toEqual(['out.0', 'out.1', 'out.2', 'out.3', 'out.4']);
    expect(trail.every((r) => r.withoutHistory && r.counted)).toBe(true);
    expect(trail[0]).toMatchObject({ outcome: 'answered', durationSeconds: 42 });
    // A decision recorded normally is not flagged, and sees the replayed ones in the pool's usage.
    await gateway.check(service(9), { record: true });
    expect((await rows(store)).at(-1)!.withoutHistory).toBe(false);
    expect(store.health()).toMatchObject({ ok: true, reason: null });
    const csv = await runCli(['attempts', '--csv', '--db', sut.location()]);
    expect(csv.out.trim().split('\n').slice(1).map((l) => l.split(',').at(-1))).toEqual(['1', '1', '1', '1', '1', '0']);
  });

  it('a replay interrupted before the journal was emptied records nothing twice', async () => {
    const gateway = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger);
    const decision = (await gateway.check(service(1), { record: false })).decision;
    journal.appendDecision(decision, { uniqueId: 'crash.1' }, '2026-11-30');
    journal.appendOutcome({ pbxUniqueId: 'crash.1' }, answered);
    const { decisions, outcomes } = journal.read();
    await store.recordJournaled(decisions, outcomes);
    await store.recordJournaled(decisions, outcomes); // the crash: the same entries again
    const trail = await rows(store);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ pbxUniqueId: 'crash.1', withoutHistory: true, outcome: 'answered' });
  });
});


describe.each(storesUnderTest())('the $name store: a row committed after its call was answered by onStoreError', (sut) => {
  const pbx = { source: 'asterisk', uniqueId: 'late.1' };
  const prospecting = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true, pbx };
  const clock = { now: () => new Date(MONDAY_11H) };
  let store: Store;
  let journal: Journal;
  let live: Gateway;
  let lateRow: number;
  beforeEach(async () => {
    store = await sut.open();
    journal = new Journal(join(dir, 'cidgate.journal'), silentLogger);
    live = new Gateway(example, store, clock, silentLogger, journal);
    // As on PostgreSQL when the call's wait runs out between its batch's insert and the COMMIT's
    // answer: the row commits, the PBX is told the policy's answer, and the journal keeps that.
    const late: Store = Object.assign(Object.create(store), {
      async checkAndRecord(...args: Parameters<Store['checkAndRecord']>) {
        lateRow = (await store.checkAndRecord(...args)).attemptId!;
        throw new CidgateError('STORE_TIMEOUT', [1], { attemptId: lateRow });
      },
    });
    const told = await new Gateway(example, late, clock, silentLogger, journal).check(prospecting, { record: true });
    expect(told).toMatchObject({ attemptId: null, decision: { action: 'block', reasons: ['store-unavailable'] } });
    expect(await rows(store)).toMatchObject([{ id: lateRow, action: 'rewrite', counted: true }]);
  });
  afterEach(async () => {
    journal.close();
    await store.close();
    await sut.cleanup();
  });

  it('the replay puts what the PBX was told in that row, flagged, and gives back its pool use; replayed again, nothing changes', async () => {
    const { decisions } = journal.read();
    expect(await live.replayJournal()).toBe(1);
    const expected = [{ id: lateRow, pbxUniqueId: 'late.1', action: 'block', reasons: 'store-unavailable', counted: false, withoutHistory: true, presentedCallerId: null }];
    expect(await rows(store)).toMatchObject(expected);
    expect((await store.poolUsage('2026-11-30')).get('+33162000001') ?? 0).toBe(0);
    await store.recordJournaled(decisions, []);
    expect(await rows(store)).toMatchObject(expected);
    expect((await store.poolUsage('2026-11-30')).get('+33162000001') ?? 0).toBe(0);
  });

  it('a PBX retry answered from that row before the replay keeps it: the PBX had its decision', async () => {
    const retry = await live.check(prospecting, { record: true });
    expect(retry).toMatchObject({ replayed: true, attemptId: lateRow, decision: { action: 'rewrite' } });
    expect(await live.replayJournal()).toBe(1);
    expect(await rows(store)).toMatchObject([{ id: lateRow, action: 'rewrite', counted: true, withoutHistory: false }]);
    expect((await store.poolUsage('2026-11-30')).get('+33162000001')).toBe(1);
  });
});

describe('the journal file', () => {
  it('survives a write cut by a crash, and refuses entries past its size bound instead of growing', async () => {
    const path = join(dir, 'torn.journal');
    const first = new Journal(path, silentLogger);
    first.appendOutcome({ attemptId: 1 }, answered);
    first.close();
    appendFileSync(path, '{"kind":"outcome","id":"torn'); // the crash
    const reopened = new Journal(path, silentLogger, 600);
    expect(reopened.appendOutcome({ attemptId: 2 }, answered)).toBe(true);
    expect(reopened.read().outcomes.map((o) => o.key)).toEqual([{ attemptId: 1 }, { attemptId: 2 }]);
    for (let i = 0; i < 10; i++) reopened.appendOutcome({ attemptId: 3 + i }, answered);
    expect(reopened.dropped).toBeGreaterThan(0);
    expect(readFileSync(path).length).toBeLessThanOrEqual(600);
    reopened.close();
  });
});

describe('SQLite: outcomes never wait on a sleeping busy handler', () => {
  it('an outcome reported while another process holds the lock is queued, then recorded when the lock goes', async () => {
    const file = join(dir, 'busy.db');
    // A long busy timeout: a synchronous busy handler would hold this call until the lock is gone,
    // and the lock is released only after the call returns.
    const store = new SqliteStore(file, { busyTimeoutMs: 3_000 });
    const gateway = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger);
    const { attemptId } = await gateway.check(service(1), { record: true });
    const holder = await lockFromAnotherProcess(file);
    const pending = gateway.recordOutcome({ attemptId: attemptId! }, answered);
    await release(holder);
    expect(await pending).toBe(true);
    expect((await rows(store))[0]!.outcome).toBe('answered');
    await store.close();
  });
});

describe('where a node keeps its journal', () => {
  const sqlite = { kind: 'sqlite', file: '/var/lib/cidgate/cidgate.db' } as const;
  const postgres = { kind: 'postgres', url: 'postgres://cidgate@db.example/cidgate' } as const;
  it('next to a SQLite file, in the working directory for PostgreSQL, unless store.journal says where', () => {
    expect(journalPath(null, sqlite)).toBe('/var/lib/cidgate/cidgate.db.journal');
    expect(journalPath(null, postgres)).toBe('cidgate.journal');
    expect(journalPath('/var/lib/cidgate/node-2.journal', postgres)).toBe('/var/lib/cidgate/node-2.journal');
  });
});
