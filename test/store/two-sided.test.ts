import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { configFrom, example, runCli } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const CALLEE = '+33145678901';
const call = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true };
/** Four attempts on Tuesday 2026-12-01 from 10:30:00 Paris, one a second. */
const FOUR = ['2026-12-01T09:30:00Z', '2026-12-01T09:30:01Z', '2026-12-01T09:30:02Z', '2026-12-01T09:30:03Z'];
const DAY = 86_400_000;

describe.each(storesUnderTest())('$name store: a recording decision counts the log on both sides of its instant', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const check = async (at: string | Date, record: boolean, config = example, c: object = call) =>
    (await new Gateway(config, store, fixedClock(at), silentLogger).check({ ...call, ...c }, { record })).decision;
  const countedOver = async (max: number, windowMs: number) => (await store.reportQueries().overLimit(
    { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-06-01T00:00:00Z'), campaign: null }, max, windowMs, new Date(0),
    { countries: ['FR'], limit: 10 })).count;

  async function recordFour() {
    for (const at of FOUR) expect((await check(at, true)).action).toBe('rewrite');
  }

  it('a 5th recorded before the four (10:29:59) is blocked, and one 11 days earlier; the report finds no violation', async () => {
    await recordFour();
    const before = await check('2026-12-01T10:29:59+01:00', true);
    expect(before.reasons).toEqual(['attempt-limit']);
    // The first instant where it fits: 30 days after the first of the four, in the calling window.
    expect(before.retryAt?.toISOString()).toBe('2026-12-31T09:30:00.000Z');
    expect((await check(new Date(Date.parse(FOUR[0]!) - 11 * DAY), true)).reasons).toEqual(['attempt-limit']);
    expect(await countedOver(4, 30 * DAY)).toBe(0);
  });

  it('a what-if check at a past instant still reads what was on record then', async () => {
    await recordFour();
    expect((await check('2026-12-01T10:29:59+01:00', false)).action).toBe('rewrite');
  });

  it('both edges: exactly 30 days before the 4th fits, 1 ms later does not', async () => {
    // Four on Wednesday 2026-12-02; 30 days before the 4th: Monday 2026-11-02 10:30:03 Paris.
    for (const at of FOUR.map((a) => a.replace('12-01', '12-02'))) expect((await check(at, true)).action).toBe('rewrite');
    expect((await check('2026-11-02T09:30:03.001Z', true)).reasons).toEqual(['attempt-limit']);
    expect((await check('2026-11-02T09:30:03Z', true)).action).toBe('rewrite');
    // Now five within 30 days and 1 ms: every window still holds at most 4.
    expect(await countedOver(4, 30 * DAY)).toBe(0);
  });

  it('between recorded attempts: blocked while a window would hold 5, allowed where every window fits', async () => {
    for (const at of ['2026-11-02T10:00:00Z', '2026-11-03T10:00:00Z', '2026-12-01T10:00:00Z', '2026-12-02T10:00:00Z']) {
      expect((await check(at, true)).action).toBe('rewrite');
    }
    // 2026-11-16: every 30-day window holding it holds at most 3 others (11-02 and 12-01 are 29 days apart, 11-02 and 12-02 30).
    expect((await check('2026-11-16T10:00:00Z', true)).action).toBe('rewrite');
    // 2026-11-17: the window from 11-02 to 12-01 would hold 11-02, 11-03, 11-16, it and 12-01.
    expect((await check('2026-11-17T10:00:00Z', true)).reasons).toEqual(['attempt-limit']);
    expect(await countedOver(4, 30 * DAY)).toBe(0);
  });

  it('min gap holds against an attempt recorded later', async () => {
    const config = configFrom(`
campaigns:
  gap: { purpose: prospecting, dialing: automated, limits: { minGapMinutes: 60 }, pool: ["0948000001"] }
`);
    expect((await check('2026-12-01T11:00:00Z', true, config, { campaign: 'gap' })).action).not.toBe('block');
    expect((await check('2026-12-01T10:00:01Z', true, config, { campaign: 'gap' })).reasons).toEqual(['min-gap']);
    expect((await check('2026-12-01T10:00:00Z', true, config, { campaign: 'gap' })).action).not.toBe('block');
    const rows = [];
    for await (const r of store.attempts({ callee: CALLEE })) if (r.counted) rows.push(r.at.getTime());
    expect(rows.sort()).toEqual([Date.parse('2026-12-01T10:00:00Z'), Date.parse('2026-12-01T11:00:00Z')]);
  });

  it('a live clock an hour ahead: PostgreSQL decides at its server\'s instant, SQLite at the host\'s; a pinned clock always at its own', async () => {
    const ahead = { now: () => new Date(Date.now() + 3_600_000), live: true };
    // The server's own clock, not this process's (which faketime may shift: test:future).
    const before = store.serverTime ? await store.serverTime() : Date.now();
    const live = (await new Gateway(example, store, ahead, silentLogger).check(call, { record: true })).decision.at.getTime();
    if (kind.name === 'postgres') expect(Math.abs(live - before)).toBeLessThan(60_000);
    else expect(live - Date.now()).toBeGreaterThan(3_500_000);
    expect((await check('2026-12-01T10:00:00Z', true)).at.toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });

  it('cidgate check --record --at, backdated, through the CLI; its JSON says the reading', async () => {
    await recordFour();
    await store.close();
    const base = ['check', '--db', kind.location(), '--to', '0145678901', '--from', '0612345678', '--campaign', 'prospecting', '--consent', '--json'];
    const recorded = await runCli([...base, '--record', '--at', '2026-12-01T10:29:59+01:00']);
    expect(recorded.err).toBe('');
    expect(JSON.parse(recorded.out)).toMatchObject({ action: 'block', reasons: ['attempt-limit'], reading: 'log' });
    const whatIf = await runCli([...base, '--at', '2026-12-01T10:29:59+01:00']);
    expect(JSON.parse(whatIf.out)).toMatchObject({ action: 'rewrite', reading: 'as-of' });
    store = await kind.reopen();
  });
});
