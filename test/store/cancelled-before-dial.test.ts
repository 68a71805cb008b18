import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const call = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true };
const DAYS = ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03'];

describe.each(storesUnderTest())('$name store: a call the PBX never dialled is not an attempt', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const check = (at: string, record = true) => new Gateway(example, store, fixedClock(at), silentLogger).check(call, { record });

  it('cancelled-before-dial stops counting toward the limit and stays in the audit trail', async () => {
    const ids: number[] = [];
    for (const day of DAYS) ids.push((await check(`${day}T10:00:00Z`)).attemptId!);
    expect((await check('2026-12-04T10:00:00Z', false)).decision.reasons).toEqual(['attempt-limit']);

    const outcome = { status: 'cancelled-before-dial' as const, hangupCause: 16, durationSeconds: 0, at: new Date('2026-12-03T10:00:05Z') };
    expect(await store.recordOutcome({ attemptId: ids[3]! }, outcome)).toBe(true);
    expect((await check('2026-12-04T10:00:00Z', false)).decision.action).toBe('rewrite');
    // Reported once: a later outcome for it (a hangup handler, AMI) changes nothing.
    expect(await store.recordOutcome({ attemptId: ids[3]! }, { ...outcome, status: 'cancelled' })).toBe(false);

    const rows = [];
    for await (const r of store.attempts({})) rows.push(r);
    expect(rows.map((r) => [r.action, r.counted, r.outcome])).toEqual([
      ['rewrite', true, null], ['rewrite', true, null], ['rewrite', true, null], ['rewrite', false, 'cancelled-before-dial'],
    ]);
  });

  it('any other outcome keeps the attempt counted', async () => {
    for (const day of DAYS) {
      const { attemptId } = await check(`${day}T10:00:00Z`);
      await store.recordOutcome({ attemptId: attemptId! }, { status: 'cancelled', hangupCause: 16, durationSeconds: 0, at: new Date(`${day}T10:00:30Z`) });
    }
    expect((await check('2026-12-04T10:00:00Z', false)).decision.reasons).toEqual(['attempt-limit']);
  });
});
