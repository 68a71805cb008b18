import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'cidgate.js');
const call = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true };

describe.each(storesUnderTest())('$name store', (sut) => {
  let store: Store;
  let clock: Clock & { at: Date };
  let gateway: Gateway;

  beforeEach(async () => {
    store = await sut.open();
    clock = { at: new Date('2026-11-30T10:00:00Z'), now() { return new Date(this.at); } };
    gateway = new Gateway(example, store, clock, silentLogger);
  });
  afterEach(async () => {
    await store.close();
    await sut.cleanup();
  });

  async function collect(s: Store = store) {
    const rows = [];
    for await (const r of s.attempts({})) rows.push(r);
    return rows;
  }

  describe('the log the limits read', () => {
    it('logs every decision; blocked ones are audit-only, not attempts', async () => {
      for (let day = 0; day < 5; day++) {
        clock.at = new Date(Date.UTC(2026, 10, 30 + day, 10)); // Mon 30 Nov … Fri 4 Dec, 11:00 Paris
        await gateway.check(call, { record: true });
      }
      const rows = await collect();
      expect(rows.map((r) => r.action)).toEqual(['rewrite', 'rewrite', 'rewrite', 'rewrite', 'block']);
      expect(rows.map((r) => r.counted)).toEqual([true, true, true, true, false]);
      expect(rows[4]!.reasons).toBe('attempt-limit');
      expect(rows[4]!.retryAt?.toISOString()).toBe('2026-12-30T10:00:00.000Z');
      expect(rows[0]).toMatchObject({ callee: '+33145678901', originalCallerId: '+33612345678', presentedCallerId: '+33162000001', source: null });
      expect(rows[0]!.at.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    });

    it('without record nothing is written', async () => {
      await gateway.check(call, { record: false });
      expect(await collect()).toEqual([]);
    });

    it('a PBX retrying the same unique id gets the first decision and does not count twice', async () => {
      const pbx = { source: 'asterisk', uniqueId: '1795821623.21', channel: 'Local/x;2' };
      const first = await gateway.check({ ...call, pbx }, { record: true });
      const again = await gateway.check({ ...call, pbx }, { record: true });
      expect(again.replayed).toBe(true);
      expect(again.attemptId).toBe(first.attemptId);
      expect(again.decision.callerId).toBe(first.decision.callerId);
      expect(again.decision.at.toISOString()).toBe(first.decision.at.toISOString());
      expect((await collect()).length).toBe(1);
    });

    it('the same unique id twice at once: one decision, one attempt', async () => {
      const pbx = { source: 'asterisk', uniqueId: 'dup.1' };
      const [a, b] = await Promise.all([gateway.check({ ...call, pbx }, { record: true }), gateway.check({ ...call, pbx }, { record: true })]);
      expect(a.attemptId).toBe(b.attemptId);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      expect((await collect()).length).toBe(1);
    });

    it('records an outcome once, by attempt id or PBX unique id', async () => {
      const r = await gateway.check({ ...call, pbx: { uniqueId: 'u1' } }, { record: true });
      const outcome = { status: 'answered' as const, hangupCause: 16, durationSeconds: 42, at: clock.now() };
      expect(await store.recordOutcome({ pbxUniqueId: 'u1' }, outcome)).toBe(true);
      expect(await store.recordOutcome({ attemptId: r.attemptId! }, { ...outcome, status: 'busy' })).toBe(false);
      const [row] = await collect();
      expect(row).toMatchObject({ outcome: 'answered', hangupCause: 16, durationSeconds: 42 });
    });

    it('calls decided together each see the ones before them: 6 at once, 4 go out', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        gateway.check({ ...call, pbx: { uniqueId: `burst.${i}` } }, { record: true })));
      expect(results.filter((r) => r.decision.action !== 'block')).toHaveLength(4);
      expect((await collect()).filter((r) => r.counted)).toHaveLength(4);
    });

    it('refusals, consents and the do-not-call list feed the decision', async () => {
      const noConsent = { ...call, consent: null };
      expect((await gateway.check(noConsent, { record: false })).decision.reasons).toEqual(['no-consent']);
      await store.addConsents([{ number: '+33145678901', at: clock.now(), source: 'form-1', anytime: false }]);
      expect((await gateway.check(noConsent, { record: false })).decision.action).toBe('rewrite');
      expect(await store.revokeConsent('+33145678901', clock.now())).toBe(true);
      expect((await gateway.check(noConsent, { record: false })).decision.reasons).toEqual(['no-consent']);

      await store.addRefusal('+33145678901', new Date('2026-11-01T10:00:00Z'), 'prospecting');
      expect((await gateway.check(call, { record: false })).decision.reasons).toEqual(['refused-recently']);

      expect(await store.addDoNotCall(['+33145678901', '+33145678901'], clock.now(), 'test')).toBe(1);
      expect((await gateway.check(call, { record: false })).decision.reasons).toEqual(['do-not-call', 'refused-recently']);
      expect(await store.removeDoNotCall('+33145678901')).toBe(true);
    });

    it('a large do-not-call import is counted exactly, duplicates once', async () => {
      const numbers = Array.from({ length: 12_000 }, (_, i) => `+3314${String(i % 11_000).padStart(7, '0')}`);
      expect(await store.addDoNotCall(numbers, clock.now(), 'bloctel')).toBe(11_000);
      expect(await store.addDoNotCall(numbers.slice(0, 10), clock.now(), 'bloctel')).toBe(0);
    });

    it('a large consent import: every consent recorded; one given twice at one instant keeps the last', async () => {
      const at = new Date('2026-11-01T10:00:00Z');
      const consents = Array.from({ length: 12_000 }, (_, i) => ({ number: `+3314${String(i).padStart(7, '0')}`, at, source: 'import-1', anytime: false }));
      consents.splice(8, 0, { number: '+33140000007', at, source: 'import-2', anytime: true }); // in the same chunk as the first
      await store.addConsents(consents);
      expect((await store.consumerRecords('+33140000007')).consents).toEqual([{ at, kind: 'given', source: 'import-2', anytime: true }]);
      expect((await store.consumerRecords('+33140011999')).consents).toEqual([{ at, kind: 'given', source: 'import-1', anytime: false }]);
      expect((await gateway.check({ ...call, to: '0140011999', consent: null }, { record: false })).decision.consentRef).toBe('import-1');
    });

    it('SQL metacharacters are data', async () => {
      await gateway.check({ ...call, pbx: { uniqueId: "x'); DROP TABLE decisions;--", agent: "O'Brien" } }, { record: true });
      expect((await collect())[0]!.agent).toBe("O'Brien");
    });

    it('filters the audit trail by callee and instant', async () => {
      await gateway.check(call, { record: true });
      clock.at = new Date('2026-12-01T10:00:00Z');
      await gateway.check({ ...call, to: '0145678902' }, { record: true });
      const byCallee = [];
      for await (const r of store.attempts({ callee: '+33145678902' })) byCallee.push(r.callee);
      expect(byCallee).toEqual(['+33145678902']);
      const since = [];
      for await (const r of store.attempts({ since: new Date('2026-12-01T10:00:00Z') })) since.push(r.callee);
      expect(since).toEqual(['+33145678902']);
    });

    it('reopening keeps the log (migrations are not re-applied)', async () => {
      await gateway.check(call, { record: true });
      await store.close();
      store = await sut.reopen();
      expect((await collect()).length).toBe(1);
    });
  });

  describe('check-and-record is atomic across processes', () => {
    function runBatch(db: string, lines: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'check', '--batch', '-', '--record', '--db', db], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
        child.stdin.end(lines);
      });
    }

    it('two processes deciding for the same consumers never both take the 4th slot', async () => {
      const db = sut.location();
      const consumers = Array.from({ length: 40 }, (_, i) => `01456${String(i).padStart(5, '0')}`);
      // Decided "now" (no `at`), as the service does: each call's instant is taken when the store
      // serialises it, so it sees the other process's attempts. Consent to any time: the test runs at any hour.
      const lines = consumers.flatMap((to) => Array.from({ length: 6 }, () =>
        JSON.stringify({ campaign: 'prospecting', from: '0612345678', to, consent: true, consentAnytime: true }),
      )).join('\n');
      const [a, b] = await Promise.all([runBatch(db, lines), runBatch(db, lines)]);
      const decisions = [...a.trim().split('\n'), ...b.trim().split('\n')].map((l) => JSON.parse(l));
      expect(decisions.filter((d) => d.error)).toEqual([]);
      const allowed = new Map<string, number>();
      for (const d of decisions) if (d.action !== 'block') allowed.set(d.callee, (allowed.get(d.callee) ?? 0) + 1);
      expect([...allowed.values()].every((n) => n === 4)).toBe(true);
      expect(allowed.size).toBe(40);
      expect((await collect()).filter((r) => r.counted)).toHaveLength(160);
    }, 90_000);
  });

  describe('retention', () => {
    it('purge deletes old decisions and refusals but never what the 30- and 60-day rules read', async () => {
      const { purgeCutoffs } = await import('../../src/service/retention.js');
      for (const day of [1, 20, 70, 80]) {
        clock.at = new Date(Date.UTC(2026, 0, 5) + day * 86_400_000);
        await gateway.check({ ...call, to: `01456789${String(day).padStart(2, '0')}`, consentAnytime: true }, { record: true });
      }
      await store.addRefusal('+33145678901', new Date(Date.UTC(2026, 0, 5) + 40 * 86_400_000), null); // 50 days before now
      await store.addRefusal('+33145678902', new Date(Date.UTC(2026, 0, 5) + 20 * 86_400_000), null); // 70 days: no longer read
      const now = new Date(Date.UTC(2026, 0, 5) + 90 * 86_400_000);
      const { cutoffs, retentionDays } = purgeCutoffs(example, 7, now); // asks for 7 days, gets the window
      expect(retentionDays).toBe(31);
      const deleted = await store.purge(cutoffs);
      expect(deleted).toBe(7); // the day-1 and day-20 decisions, 4 past days of pool usage, the 70-day-old refusal
      const rows = [];
      for await (const r of store.attempts({})) rows.push(r.callee);
      expect(rows).toEqual(['+33145678970', '+33145678980']);
      clock.at = now;
      expect((await gateway.check({ ...call, consentAnytime: true }, { record: false })).decision.reasons).toEqual(['refused-recently']);
    });

    it('purge keeps, per number, the consent in force at the cutoff and every later event; a pseudonym\'s events go with its last attempt', async () => {
      const { purgeCutoffs } = await import('../../src/service/retention.js');
      const day = (n: number) => new Date(Date.UTC(2026, 8, 1) + n * 86_400_000); // after the consent law (2026-08-11)
      const consent = (number: string, n: number, source: string) => store.addConsents([{ number, at: day(n), source, anytime: false }]);
      const kinds = async (number: string) => (await store.consumerRecords(number)).consents.map((c) => `${c.kind} ${c.at.toISOString().slice(0, 10)} ${c.source ?? ''}`.trim());
      await consent('+33145678901', 1, 'in-force'); // never revoked: future calls rely on it
      await consent('+33145678902', 1, 'withdrawn');
      await store.revokeConsent('+33145678902', day(20));
      await consent('+33145678903', 1, 'v1');
      await consent('+33145678903', 10, 'v2'); // replaced v1 before the cutoff, in force at it, revoked after it
      await store.revokeConsent('+33145678903', day(80));
      await consent('+33145678904', 70, 'recent');
      // A consumer erased on day 85: the consent their day-61 attempt relied on takes the pseudonym.
      await consent('+33145678905', 60, 'erased-later');
      clock.at = day(61);
      await gateway.check({ ...call, to: '0145678905', consentAnytime: true }, { record: true });
      await store.eraseConsumer('+33145678905', { at: day(85), attemptsBefore: day(85), refusalsBefore: day(85), pseudonym: 'erased-contract-1' });

      await store.purge(purgeCutoffs(example, 7, day(90)).cutoffs); // cutoff: day 59
      expect(await kinds('+33145678901')).toEqual(['given 2026-09-02 in-force']);
      expect(await kinds('+33145678902')).toEqual(['revoked 2026-09-21']); // the withdrawal stays: an older consent imported again must not count
      expect(await kinds('+33145678903')).toEqual(['given 2026-09-11 v2', 'revoked 2026-11-20']);
      expect(await kinds('+33145678904')).toEqual(['given 2026-11-10 recent']);
      expect(await kinds('+33145678905')).toEqual(['revoked 2026-11-25']);
      expect(await kinds('erased-contract-1')).toEqual(['given 2026-10-31 erased-later', 'revoked 2026-11-25']); // its attempt is still kept
      clock.at = day(90);
      const refusedForConsent = async (to: string) =>
        (await gateway.check({ campaign: 'prospecting', from: '0612345678', to, consentAnytime: true }, { record: false })).decision.reasons.includes('no-consent');
      expect(await refusedForConsent('0145678901')).toBe(false);
      expect(await refusedForConsent('0145678902')).toBe(true);

      await store.purge(purgeCutoffs(example, 7, day(200)).cutoffs); // cutoff: day 169, the day-61 attempt goes
      expect(await kinds('erased-contract-1')).toEqual([]);
      expect(await kinds('+33145678903')).toEqual(['revoked 2026-11-20']);
      expect(await kinds('+33145678901')).toEqual(['given 2026-09-02 in-force']);
      expect(await kinds('+33145678905')).toEqual(['revoked 2026-11-25']);
    });
  });
});
