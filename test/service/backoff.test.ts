import { describe, expect, it } from 'vitest';
import { Reconnector, type Timers } from '../../src/service/backoff.js';

/** Timers that run only when the test says so. */
function fakeTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => { pending.set(next, { fn, ms }); return next++; },
    clearTimeout: (handle) => { pending.delete(handle as number); },
  };
  const fire = () => {
    const [id, t] = [...pending][0]!;
    pending.delete(id);
    t.fn();
  };
  return { timers, pending, fire };
}

function reconnector(random = () => 0.5, opts = {}) {
  const fake = fakeTimers();
  const delays: number[] = [];
  let connects = 0;
  const r = new Reconnector(() => { connects++; }, (d) => delays.push(d), { timers: fake.timers, random, minMs: 500, maxMs: 4_000, ...opts });
  return { r, fake, delays, connects: () => connects };
}

describe('reconnect with backoff', () => {
  it('doubles the delay after each loss up to the maximum, and reconnects when the timer fires', () => {
    const { r, fake, delays, connects } = reconnector();
    for (let i = 0; i < 5; i++) {
      r.lost();
      fake.fire();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(connects()).toBe(5);
  });

  it('a success starts again from the shortest delay', () => {
    const { r, fake, delays } = reconnector();
    r.lost(); fake.fire(); r.lost(); fake.fire();
    r.succeeded();
    r.lost();
    expect(delays).toEqual([500, 1000, 500]);
  });

  it('several losses before the retry schedule one retry', () => {
    const { r, fake, delays } = reconnector();
    r.lost(); r.lost(); r.lost();
    expect(fake.pending.size).toBe(1);
    expect(delays).toEqual([500]);
  });

  it('jitters by ±25 %', () => {
    const low = reconnector(() => 0);
    low.r.lost();
    const high = reconnector(() => 0.999_999);
    high.r.lost();
    expect([low.delays[0], high.delays[0]]).toEqual([375, 625]);
  });

  it('stop cancels the pending retry and any later one', () => {
    const { r, fake, connects } = reconnector();
    r.lost();
    r.stop();
    expect(fake.pending.size).toBe(0);
    r.lost();
    expect(fake.pending.size).toBe(0);
    expect(connects()).toBe(0);
    expect(r.stopped).toBe(true);
  });
});
