import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { buildReport } from '../../src/report/build.js';
import type { Store } from '../../src/store/store.js';
import { configFrom } from '../helpers.js';
import { storesUnderTest } from '../store/stores.js';
import { PERIOD, record, REPORT_CONFIG } from './seeded-log.js';

// The prospecting campaign keeps 60 minutes between two attempts to a consumer; customer 30 minutes between its own.
const config = configFrom(REPORT_CONFIG
  .replace('    dailyCapPerNumber: 3\n', '    dailyCapPerNumber: 3\n    limits: { minGapMinutes: 60 }\n')
  .replace('    purpose: service\n', '    purpose: service\n    limits: { minGapMinutes: 30 }\n'));
const scope = { ...PERIOD, campaign: null };

describe.each(storesUnderTest())('min-gap proof on the $name store', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const gapProof = async () => (await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false }))
    .proofs.find((p) => p.id === 'min-gap')!;

  it('edge: an attempt exactly the gap after the previous one is fine; one a second sooner is a violation', async () => {
    await record(store, '2026-11-03T10:00:00+01:00', { to: '0145000201' });
    await record(store, '2026-11-03T11:00:00+01:00', { to: '0145000201' });
    expect((await gapProof()).violations).toBe(0);
    const early = await record(store, '2026-11-03T11:59:59+01:00', { to: '0145000201' });
    const p = await gapProof();
    expect(p.violations).toBe(1);
    expect(p.offending.map((a) => a.id)).toEqual([early]);
  });

  it('counts any prospecting attempt before a prospecting one, only its own campaign\'s before a service one; blocked calls never', async () => {
    await record(store, '2026-11-03T10:00:00+01:00', { to: '0145000202', campaign: 'agents', dialing: 'manual' });
    await record(store, '2026-11-03T10:30:00+01:00', { to: '0145000202' });
    expect((await gapProof()).violations).toBe(1);
    await record(store, '2026-11-03T10:40:00+01:00', { to: '0145000202', campaign: 'customer', purpose: 'service', dialing: 'manual', callerId: '+33261910001' });
    expect((await gapProof()).violations).toBe(1);
    await record(store, '2026-11-03T10:50:00+01:00', { to: '0145000203', action: 'block', callerId: null, reasons: ['no-substitute'] });
    await record(store, '2026-11-03T10:55:00+01:00', { to: '0145000203', action: 'block', callerId: null, reasons: ['no-substitute'] });
    expect((await gapProof()).violations).toBe(1);
  });
});
