import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import type { Decision, Purpose } from '../../src/model/types.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { configFrom } from '../helpers.js';
import { storesUnderTest } from './stores.js';

/**
 * Two prospecting campaigns (the law counts across them; one with a minimum gap), a service one
 * with its own limit. Each pool's numbers have distinct ranks, so today's usage (not an as-of
 * record) never decides between two of them, while the sticky number (one) still does.
 */
const config = configFrom(`
campaigns:
  p1: { purpose: prospecting, dialing: automated, pool: ["0162000001", "0948000001"] }
  p2: { purpose: prospecting, dialing: automated, pool: ["0162000002", "0949000002"], limits: { minGapMinutes: 2880 } }
  s: { purpose: service, dialing: manual, pool: ["0199000001", "0261910001"], limits: { maxAttempts: 2, windowDays: 30 } }
`);
const CAMPAIGNS: Record<string, { purpose: Purpose; pool: string[] }> = {
  p1: { purpose: 'prospecting', pool: ['+33162000001', '+33948000001'] },
  p2: { purpose: 'prospecting', pool: ['+33162000002', '+33949000002'] },
  s: { purpose: 'service', pool: ['+33199000001', '+33261910001'] },
};

type Event =
  | { kind: 'consent'; at: number; source: string; anytime: boolean }
  | { kind: 'revoke'; at: number }
  | { kind: 'refusal'; at: number }
  | { kind: 'dnc'; at: number }
  | { kind: 'attempt'; at: number; campaign: string; pick: number };

/** November–December 2026, to the minute: weekdays, weekends, holidays, inside and outside the window. */
const FROM = Date.parse('2026-11-01T00:00:00Z');
const instant = fc.integer({ min: 0, max: 61 * 24 * 60 }).map((m) => FROM + m * 60_000);
const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('consent' as const), at: instant, source: fc.constantFrom('form-a', 'form-b'), anytime: fc.boolean() }),
  fc.record({ kind: fc.constant('revoke' as const), at: instant }),
  fc.record({ kind: fc.constant('refusal' as const), at: instant }),
  fc.record({ kind: fc.constant('dnc' as const), at: instant }),
  { arbitrary: fc.record({ kind: fc.constant('attempt' as const), at: instant, campaign: fc.constantFrom('p1', 'p2', 's'), pick: fc.nat(1) }), weight: 4 },
);
/** The call's instant: any minute, or exactly one of the history's instants (ties are included). */
const scenario = fc.record({
  history: fc.array(event, { maxLength: 14 }),
  call: fc.record({ at: instant, atEvent: fc.option(fc.nat(), { freq: 3 }), campaign: fc.constantFrom('p1', 'p2', 's') }),
});

/** Writes the events, in their (arbitrary) order, about one consumer. */
async function apply(store: Store, callee: string, events: readonly Event[]): Promise<void> {
  for (const e of events) {
    const at = new Date(e.at);
    if (e.kind === 'consent') await store.addConsents([{ number: callee, at, source: e.source, anytime: e.anytime }]);
    else if (e.kind === 'revoke') await store.revokeConsent(callee, at);
    else if (e.kind === 'refusal') await store.addRefusal(callee, at, 'p1');
    else if (e.kind === 'dnc') await store.addDoNotCall([callee], at, 'list');
    else {
      const c = CAMPAIGNS[e.campaign]!;
      const attempt: Decision = {
        action: 'rewrite', callerId: c.pool[e.pick]!, originalCallerId: '+33612345678', callee, campaign: e.campaign,
        purpose: c.purpose, area: null, reasons: ['mobile-caller-id'], retryAt: null, at, consentRef: null,
        dialing: null, basis: null, consentAnytime: false,
      };
      await store.checkAndRecord(
        () => ({ callee, campaign: e.campaign, at, since: new Date(0), reading: 'as-of', until: at, day: at.toISOString().slice(0, 10) }),
        () => attempt, { source: 'fixture' });
    }
  }
}

describe.each(storesUnderTest())('$name store: deciding on the whole history is deciding on the history cut at the call\'s instant', (kind) => {
  let whole: Store;
  let cut: Store;
  beforeAll(async () => { whole = await kind.open(); cut = await kind.open(); });
  afterAll(async () => { await whole?.close(); await cut?.close(); await kind.cleanup(); });

  it('for random histories and a random call instant', async () => {
    let consumer = 0;
    await fc.assert(fc.asyncProperty(scenario, async ({ history, call }) => {
      // One consumer per case: the cases share the two stores, not their histories.
      const national = `0145${String(consumer++).padStart(6, '0')}`;
      const callee = `+33${national.slice(1)}`;
      const at = call.atEvent !== null && history.length > 0 ? history[call.atEvent % history.length]!.at : call.at;
      await apply(whole, callee, history);
      await apply(cut, callee, history.filter((e) => e.at <= at));
      const request = { campaign: call.campaign, from: '0612345678', to: national };
      const decideIn = async (store: Store) =>
        (await new Gateway(config, store, fixedClock(new Date(at)), silentLogger).check(request, { record: false })).decision;
      expect(await decideIn(whole)).toEqual(await decideIn(cut));
    }), { numRuns: 150 });
  }, 180_000); // PostgreSQL: thousands of autocommitted writes, each a WAL flush
});
