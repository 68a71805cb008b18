import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const CONSUMER = '+33145678901';
const OTHER = '+33145678902';
const THIRD = '+33145678903';
const NOW = new Date('2026-11-30T10:00:00Z');
const call = (to: string) => ({ campaign: 'prospecting', from: '0612345678', to, consent: true, pbx: { lead: `lead-${to}` } });

describe.each(storesUnderTest())('$name store: one consumer\'s personal data', (sut) => {
  let store: Store;
  let gateway: Gateway;

  beforeEach(async () => {
    store = await sut.open();
    gateway = new Gateway(example, store, { now: () => NOW }, silentLogger);
    await store.addConsents([{ number: CONSUMER, at: new Date('2026-03-02T09:00:00Z'), source: 'web-form-17', anytime: false }]);
    await gateway.check(call(CONSUMER), { record: true, at: new Date('2026-08-24T09:00:00Z') }); // Mon, 98 days before
    await store.addRefusal(CONSUMER, new Date('2026-09-01T09:00:00Z'), 'prospecting'); // 90 days before
    await gateway.check(call(CONSUMER), { record: true, at: new Date('2026-11-20T10:00:00Z') }); // Fri, 10 days before
    await gateway.check(call(CONSUMER), { record: true, at: new Date('2026-11-25T20:30:00Z') }); // 21:30 Paris: blocked
    await store.addRefusal(CONSUMER, new Date('2026-11-27T09:00:00Z'), null);
    await store.addDoNotCall([CONSUMER], new Date('2026-11-27T09:05:00Z'), 'asked on the phone');
    await gateway.check(call(OTHER), { record: true, at: new Date('2026-08-24T09:00:00Z') });
  });
  afterEach(async () => {
    await store.close();
    await sut.cleanup();
  });

  const rowsOf = async (callee: string) => {
    const rows = [];
    for await (const r of store.attempts({ callee })) rows.push(r);
    return rows;
  };

  it('gives back every consent event, refusal and the do-not-call entry of the number', async () => {
    expect(await store.consumerRecords(CONSUMER)).toEqual({
      consents: [{ at: new Date('2026-03-02T09:00:00Z'), kind: 'given', source: 'web-form-17', anytime: false }],
      refusals: [{ at: new Date('2026-09-01T09:00:00Z'), campaign: 'prospecting' }, { at: new Date('2026-11-27T09:00:00Z'), campaign: null }],
      doNotCall: { addedAt: new Date('2026-11-27T09:05:00Z'), source: 'asked on the phone' },
    });
    expect(await store.consumerRecords('+33100000000')).toEqual({ consents: [], refusals: [], doNotCall: null });
  });

  it('erasing pseudonymises blocked calls and attempts before the window, deletes old refusals, and keeps the rest', async () => {
    const counts = await store.eraseConsumer(CONSUMER, {
      at: NOW, attemptsBefore: new Date('2026-10-30T10:00:00Z'), refusalsBefore: new Date('2026-09-30T10:00:00Z'), pseudonym: 'erased-test-1',
    });
    expect(counts).toEqual({
      pseudonymised: 2, attemptsKept: 1, refusalsDeleted: 1, refusalsKept: 1,
      // The consent given in March covered the kept attempt of 20 November: it stays, and so does its withdrawal.
      consentRevoked: true, consentEventsKept: 2, consentEventsPseudonymised: 0, consentEventsDeleted: 0,
    });
    const kept = await rowsOf(CONSUMER);
    expect(kept.map((r) => [r.at.toISOString(), r.action, r.lead])).toEqual([['2026-11-20T10:00:00.000Z', 'rewrite', `lead-${CONSUMER}`]]);
    const erased = await rowsOf('erased-test-1');
    expect(erased.map((r) => [r.at.toISOString(), r.action, r.lead])).toEqual([
      ['2026-08-24T09:00:00.000Z', 'rewrite', null], ['2026-11-25T20:30:00.000Z', 'block', null],
    ]);
    const records = await store.consumerRecords(CONSUMER);
    expect(records.refusals.map((r) => r.at.toISOString())).toEqual(['2026-11-27T09:00:00.000Z']);
    expect(records.consents.map((c) => [c.kind, c.at.toISOString()])).toEqual([['given', '2026-03-02T09:00:00.000Z'], ['revoked', NOW.toISOString()]]);
    expect(records.doNotCall).not.toBeNull();
    expect(await rowsOf(OTHER)).toHaveLength(1);
  });

  it('after an erasure the limits still see what they need: the kept attempt, the recent refusal, the do-not-call entry', async () => {
    await store.eraseConsumer(CONSUMER, { at: NOW, attemptsBefore: new Date('2026-10-30T10:00:00Z'), refusalsBefore: new Date('2026-09-30T10:00:00Z'), pseudonym: 'erased-test-2' });
    const r = await gateway.check(call(CONSUMER), { record: false });
    expect(r.decision.action).toBe('block');
    expect(r.decision.reasons).toEqual(expect.arrayContaining(['do-not-call']));
  });

  it('consent events follow the attempts that relied on them: pseudonymised with old attempts, deleted when none is left, the withdrawal kept', async () => {
    const at = (iso: string) => new Date(iso);
    await store.addConsents([{ number: THIRD, at: at('2026-01-05T09:00:00Z'), source: 'crm-1', anytime: false }]);
    await store.revokeConsent(THIRD, at('2026-02-01T09:00:00Z')); // no call while crm-1 was in force
    await store.addConsents([{ number: THIRD, at: at('2026-03-02T09:00:00Z'), source: 'crm-2', anytime: false }]);
    await gateway.check({ ...call(THIRD), consent: null }, { record: true, at: at('2026-08-24T09:00:00Z') }); // relied on crm-2, 98 days before
    const counts = await store.eraseConsumer(THIRD, {
      at: NOW, attemptsBefore: new Date('2026-10-30T10:00:00Z'), refusalsBefore: new Date('2026-09-30T10:00:00Z'), pseudonym: 'erased-test-3',
    });
    expect(counts).toMatchObject({ pseudonymised: 1, attemptsKept: 0, consentRevoked: true, consentEventsKept: 1, consentEventsPseudonymised: 1, consentEventsDeleted: 2 });
    const events = async (n: string) => (await store.consumerRecords(n)).consents.map((c) => [c.kind, c.at.toISOString(), c.source]);
    expect(await events(THIRD)).toEqual([['revoked', NOW.toISOString(), null]]);
    // The pseudonym's record: crm-2 covered its attempt, and ended when the erasure withdrew it.
    expect(await events('erased-test-3')).toEqual([['given', '2026-03-02T09:00:00.000Z', 'crm-2'], ['revoked', NOW.toISOString(), null]]);
    expect((await rowsOf('erased-test-3')).map((r) => r.consentRef)).toEqual(['crm-2']);
    // crm-2 imported again with its old date does not come back into force: the withdrawal is later.
    await store.addConsents([{ number: THIRD, at: at('2026-03-02T09:00:00Z'), source: 'crm-2', anytime: false }]);
    const r = await gateway.check({ ...call(THIRD), consent: null }, { record: false, at: at('2026-11-30T10:00:00Z') });
    expect(r.decision.reasons).toContain('no-consent');
  });
});
