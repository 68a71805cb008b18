import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { configFrom, example, until } from '../helpers.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { Journal } from '../../src/service/journal.js';
import { storeTarget } from '../../src/store/database-url.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { describeIfAvailable } from '../requires.js';
import { createDatabase, dropDatabase, lockTables, testDatabaseUrl } from './stores.js';

// Several nodes on one database: each PostgresStore here is a node with its own connections.
describeIfAvailable('PostgreSQL', testDatabaseUrl !== null, 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@localhost/postgres (bash .ci/run does)')(
  'PostgreSQL shared by several nodes', () => {
    const base = testDatabaseUrl!;
    let url: string;
    const nodes: PostgresStore[] = [];
    // Generous waits: these tests check atomicity, not latency, on a shared machine.
    const node = () => { const s = new PostgresStore(url, { waitMs: 20_000 }); nodes.push(s); return s; };
    const at = { now: () => new Date('2026-11-30T10:00:00Z') };

    beforeAll(async () => { url = await createDatabase(base); });
    afterAll(async () => {
      for (const n of nodes) await n.close();
      await dropDatabase(base, url);
    });

    it('four nodes starting at once on an empty database migrate it once', async () => {
      const four = [node(), node(), node(), node()];
      const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
      expect(await Promise.all(four.map((n) => n.ensureSchema(true)))).toEqual([latest, latest, latest, latest]);
    });

    it('two nodes deciding for the same 40 consumers at once: exactly 4 attempts each', async () => {
      const gateways = [node(), node()].map((s) => new Gateway(example, s, at, silentLogger));
      const calls = [];
      for (let k = 0; k < 6; k++) {
        for (let i = 0; i < 40; i++) {
          for (const g of gateways) {
            calls.push(g.check({ campaign: 'prospecting', from: '0612345678', to: `01457${String(i).padStart(5, '0')}`, consent: true }, { record: true }));
          }
        }
      }
      const results = await Promise.all(calls);
      expect(results.filter((r) => r.decision.reasons.includes('store-unavailable'))).toEqual([]);
      const allowed = new Map<string, number>();
      for (const r of results) if (r.decision.action !== 'block') allowed.set(r.decision.callee!, (allowed.get(r.decision.callee!) ?? 0) + 1);
      expect(allowed.size).toBe(40);
      expect([...allowed.values()].every((n) => n === 4)).toBe(true);
      let counted = 0;
      for await (const r of nodes[0]!.attempts({})) if (r.counted && r.callee?.startsWith('+3314570')) counted++;
      expect(counted).toBe(160);
    });

    it('health says the store cannot record from a call that waited too long until a batch commits again', async () => {
      const s = new PostgresStore(url, { waitMs: 300 });
      nodes.push(s);
      const g = new Gateway(example, s, at, silentLogger);
      const call = { campaign: 'customer', from: '0612345678', to: '0145999999' };
      await g.check(call, { record: true });
      expect(s.health()).toEqual({ ok: true, reason: null, walBytes: 0, checkpointLagFrames: -1 });
      const unlock = await lockTables(url);
      expect((await g.check(call, { record: true })).attemptId).toBeNull();
      expect(s.health()).toMatchObject({ ok: false, reason: expect.any(String) });
      await unlock();
      await until(async () => (await g.check(call, { record: true })).attemptId !== null, 5_000);
      expect(s.health().ok).toBe(true);
    });

    it('a batch that commits after its call was answered by the policy: the replay puts what the PBX was told in its row', async () => {
      const s = new PostgresStore(url, { waitMs: 1_500 });
      nodes.push(s);
      const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'cidgate-late-')), 'node.journal'), silentLogger);
      const g = new Gateway(example, s, at, silentLogger, journal);
      await s.ensureSchema(true);
      const observer = postgres(url, { max: 1, onnotice: () => {} });
      // Reads go on, writes wait: the batch decides, numbers its row, then waits to insert it.
      const unlock = await lockTables(url, 'EXCLUSIVE');
      const answer = g.check({ campaign: 'prospecting', from: '0612345678', to: '0145777001', consent: true, pbx: { uniqueId: 'late.1' } }, { record: true });
      await until(async () => (await observer`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = to_regclass('decisions')`).length > 0, 10_000);
      expect((await answer).decision.reasons).toEqual(['store-unavailable']); // the wait ran out: the PBX got the policy's answer
      await unlock();
      await until(async () => (await s.findAttempt({ pbxUniqueId: 'late.1' })) !== null, 10_000); // and the batch committed after all
      const late = (await s.findAttempt({ pbxUniqueId: 'late.1' }))!;
      expect(late).toMatchObject({ action: 'rewrite', counted: true, withoutHistory: false });
      expect(await g.replayJournal()).toBe(1);
      expect(await s.findAttempt({ pbxUniqueId: 'late.1' })).toMatchObject({ id: late.id, action: 'block', reasons: 'store-unavailable', counted: false, withoutHistory: true });
      await observer.end();
      journal.close();
    });

    it('a read-only server (as a standby): every decision answered by the policy, the reason in the health, reads still served', async () => {
      await node().ensureSchema(true);
      const readOnly = new URL(url);
      readOnly.searchParams.set('default_transaction_read_only', 'on');
      const s = new PostgresStore(readOnly.toString(), { waitMs: 10_000, migrate: false });
      nodes.push(s);
      const g = new Gateway(example, s, at, silentLogger);
      expect((await g.check({ campaign: 'prospecting', from: '0612345678', to: '0145888001', consent: true }, { record: true })).decision.reasons).toEqual(['store-unavailable']);
      expect(s.health()).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot execute nextval\(\) in a read-only transaction/) });
      expect(await s.findAttempt({ pbxUniqueId: 'none' })).toBeNull();
    });

    it('a URL naming several hosts: the first one down, the node records on the next writable one', async () => {
      const u = new URL(url);
      u.searchParams.set('target_session_attrs', 'read-write');
      const multi = u.toString().replace(`${u.host}/`, `127.0.0.1:1,${u.host}/`); // nothing listens on port 1
      const target = storeTarget(multi, undefined, silentLogger, {});
      const s = new PostgresStore(target.kind === 'postgres' ? target.url : '', { waitMs: 20_000 });
      nodes.push(s);
      const g = new Gateway(example, s, at, silentLogger);
      expect((await g.check({ campaign: 'customer', from: '0612345678', to: '0145888002' }, { record: true })).attemptId).not.toBeNull();
    });

    it('a pool number\'s daily cap holds across nodes', async () => {
      const capped = configFrom(`
campaigns:
  p: { purpose: prospecting, dialing: automated, dailyCapPerNumber: 5, pool: ["0162000009"] }
`);
      const gateways = [node(), node(), node()].map((s) => new Gateway(capped, s, at, silentLogger));
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
        gateways[i % 3]!.check({ campaign: 'p', from: '0612345678', to: `01458${String(i).padStart(5, '0')}`, consent: true }, { record: true })));
      expect(results.filter((r) => r.decision.reasons.includes('store-unavailable'))).toEqual([]);
      expect(results.filter((r) => r.decision.callerId === '+33162000009')).toHaveLength(5);
      expect(results.filter((r) => r.decision.reasons.includes('no-substitute'))).toHaveLength(25);
    });
  });

describeIfAvailable('PostgreSQL', testDatabaseUrl !== null, 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@localhost/postgres (bash .ci/run does)')(
  'cidgate db copy: a SQLite log into PostgreSQL', () => {
    const base = testDatabaseUrl!;
    let url: string;
    beforeAll(async () => { url = await createDatabase(base); });
    afterAll(async () => { await dropDatabase(base, url); });

    it('copies every table with its ids, idempotently, and the copy decides like the original', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'cidgate-copy-')), 'log.db');
      const sqlite = new SqliteStore(file);
      const at = { now: () => new Date('2026-11-30T10:00:00Z') };
      const g = new Gateway(example, sqlite, at, silentLogger);
      // COPY's text format escapes: a tab, a newline, a backslash and a \N in a field come through as they were.
      const channel = 'Local/a\tb\nc\\d\\N;2';
      for (let i = 0; i < 4; i++) await g.check({ campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true, pbx: { uniqueId: `c.${i}`, channel } }, { record: true });
      await sqlite.recordOutcome({ pbxUniqueId: 'c.0' }, { status: 'answered', hangupCause: 16, durationSeconds: 30, at: at.now() });
      await sqlite.addRefusal('+33145678902', at.now(), 'prospecting');
      await sqlite.addConsents([{ number: '+33145678903', at: at.now(), source: 'form', anytime: true }]);
      await sqlite.addDoNotCall(['+33145678904'], at.now(), 'bloctel');
      await sqlite.close();

      const out: string[] = [];
      const sink = new Writable({ write(chunk, _enc, done) { out.push(String(chunk)); done(); } });
      expect(await main(['node', 'cidgate', 'db', 'copy', '--from', file, '--to', url], sink, sink)).toBe(0);
      expect(await main(['node', 'cidgate', 'db', 'copy', '--from', file, '--to', url], sink, sink)).toBe(0); // again: nothing doubled
      expect(out.join('')).toMatch(/decisions: 4 in .*, 4 in /);
      expect(out.join('')).toMatch(/counts match/);

      const pg = new PostgresStore(url);
      const rows = [];
      for await (const r of pg.attempts({})) rows.push(r);
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
      expect(rows[0]).toMatchObject({ pbxUniqueId: 'c.0', channel, outcome: 'answered', durationSeconds: 30, at: new Date('2026-11-30T10:00:00Z') });
      const onPg = new Gateway(example, pg, at, silentLogger);
      const fifth = await onPg.check({ campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true }, { record: true });
      expect(fifth.decision.reasons).toEqual(['attempt-limit']);
      expect(fifth.attemptId).toBe(5);
      expect((await onPg.check({ campaign: 'prospecting', from: '0612345678', to: '0145678902', consent: true }, { record: false })).decision.reasons).toEqual(['refused-recently']);
      expect((await onPg.check({ campaign: 'prospecting', from: '0612345678', to: '0145678903' }, { record: false })).decision.consentRef).toBe('form');
      expect((await onPg.check({ campaign: 'prospecting', from: '0612345678', to: '0145678904', consent: true }, { record: false })).decision.reasons).toEqual(['do-not-call']);
      await pg.close();

      // The target now holds a decision the file does not: the copy says which table differs, exit 3.
      const err: string[] = [];
      const errSink = new Writable({ write(chunk, _enc, done) { err.push(String(chunk)); done(); } });
      expect(await main(['node', 'cidgate', 'db', 'copy', '--from', file, '--to', url], sink, errSink)).toBe(3);
      expect(err.join('')).toMatch(/^cidgate: COPY_COUNT_MISMATCH: counts differ after the copy \(decisions\)/m);
    });
  });
