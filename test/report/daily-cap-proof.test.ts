import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { buildReport } from '../../src/report/build.js';
import type { Store } from '../../src/store/store.js';
import { configFrom } from '../helpers.js';
import { storesUnderTest } from '../store/stores.js';
import { PERIOD, record, REPORT_CONFIG } from './seeded-log.js';

const config = configFrom(REPORT_CONFIG);
const scope = { ...PERIOD, campaign: null };

describe.each(storesUnderTest())('daily cap proof on the $name store', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const capProof = async () => (await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false }))
    .proofs.find((p) => p.id === 'daily-cap')!;

  it('edge: at its cap (3 a day, all campaigns together) a number is fine; the 4th presentation that day is a violation', async () => {
    // +33162000001 is under the prospecting campaign's cap of 3; the renewals campaign presents it too.
    await record(store, '2026-11-03T10:00:00+01:00', { to: '0145000101' });
    await record(store, '2026-11-03T11:00:00+01:00', { to: '0145000102' });
    await record(store, '2026-11-03T23:59:00+01:00', { to: '0145000103', campaign: 'renewals', basis: 'existing-contract' });
    // The next site-local day (00:00 Paris) starts a new count.
    await record(store, '2026-11-04T00:00:00+01:00', { to: '0145000104' });
    expect((await capProof()).violations).toBe(0);
    await record(store, '2026-11-03T12:00:00+01:00', { to: '0145000105' });
    expect((await capProof()).violations).toBe(1);
    // Blocked decisions present nothing: not counted.
    await record(store, '2026-11-03T13:00:00+01:00', { to: '0145000106', action: 'block', callerId: null, reasons: ['no-substitute'] });
    expect((await capProof()).violations).toBe(1);
  });
});
