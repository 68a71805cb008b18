import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

/** Two Paris consumers; the example's prospecting pool has two NPV numbers of zone 1, ranked alike. */
const consumer = (to: string) => ({ campaign: 'prospecting', from: '0612345678', to, consent: true });
const A = consumer('0145678901');
const B = consumer('0145678902');

describe.each(storesUnderTest())('$name store: what the pool choice reads back', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const presented = async (at: string, call: ReturnType<typeof consumer>) =>
    (await new Gateway(example, store, fixedClock(at), silentLogger).check(call, { record: true })).decision.callerId;

  it('today\'s use per number spreads the consumers over the pool', async () => {
    expect(await presented('2026-11-30T10:00:00Z', A)).toBe('+33162000001');
    expect(await presented('2026-11-30T10:01:00Z', B)).toBe('+33163000001'); // 0162… was used once today
  });

  it('a consumer called again gets the number presented last time, the next day too', async () => {
    await presented('2026-11-30T10:00:00Z', A);
    expect(await presented('2026-11-30T10:01:00Z', B)).toBe('+33163000001');
    expect(await presented('2026-12-01T10:00:00Z', B)).toBe('+33163000001'); // a new day: nothing used yet, 0162… would come first
  });
});
