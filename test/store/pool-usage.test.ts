import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

describe.each(storesUnderTest())('$name store: pool usage per day (the dashboard reads it)', (sut) => {
  let store: Store;
  let gateway: Gateway;

  beforeEach(async () => {
    store = await sut.open();
    gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, silentLogger);
  });
  afterEach(async () => {
    await store.close();
    await sut.cleanup();
  });

  it('counts each number presented on each site-local day; blocked calls present none', async () => {
    const call = (to: string) => ({ campaign: 'prospecting', from: '0612345678', to, consent: true });
    await gateway.check(call('0145678901'), { record: true });
    await gateway.check(call('0145678902'), { record: true });
    await gateway.check(call('0299000001'), { record: true });
    await gateway.check(call('0145678903'), { record: true, at: new Date('2026-11-30T20:30:00Z') }); // 21:30: blocked
    await gateway.check(call('0145678904'), { record: true, at: new Date('2026-12-01T10:00:00Z') });
    const today = await store.poolUsage('2026-11-30');
    expect([...today.values()].reduce((a, b) => a + b, 0)).toBe(3);
    expect(today.get('+33270000001') ?? today.get('+33271000001')).toBe(1);
    expect([...(await store.poolUsage('2026-12-01')).values()]).toEqual([1]);
    expect((await store.poolUsage('2026-11-29')).size).toBe(0);
  });
});
