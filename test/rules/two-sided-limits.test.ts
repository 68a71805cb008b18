import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstFit, fitsGap, fitsWindows } from '../../src/rules/fr/attempt-limits.js';
import { attemptsAt, configFrom, days, decideAt } from '../helpers.js';

const W = days(30);
const t0 = Date.parse('2026-12-01T09:30:00Z');

describe('window math: every rolling window containing the new attempt stays within the limit', () => {
  it('edges: a window is (s − 30 days, s]; max + 1 attempts must span at least 30 days', () => {
    const four = [0, 1, 2, 3].map((i) => t0 + i * 1000);
    expect(fitsWindows(four, t0 - 1000, 4, W)).toBe(false); // before all four: in their window
    expect(fitsWindows(four, t0 + 3000 - W, 4, W)).toBe(true); // exactly 30 days before the 4th: out of its window
    expect(fitsWindows(four, t0 + 3000 - W + 1, 4, W)).toBe(false); // 1 ms later: in it with all four
    expect(fitsWindows(four, t0 + W, 4, W)).toBe(true); // exactly 30 days after the first
    expect(fitsWindows(four, t0 + W - 1, 4, W)).toBe(false);
    expect(fitsWindows(four, t0 + 1500, 4, W)).toBe(false); // between them
  });

  it('between attempts: allowed when every window still fits, blocked when one would not', () => {
    const spread = [t0 - days(29), t0 - days(20), t0 + days(5), t0 + days(9)];
    // Windows holding t0: (t0 − 29 d … t0 + 5 d) hold 3 others + t0 = 4: fits
    expect(fitsWindows(spread, t0, 4, W)).toBe(true);
    const more = [...spread, t0 + days(1)];
    expect(fitsWindows(more, t0, 4, W)).toBe(false);
  });

  it('min gap holds against attempts before and after, equality allowed', () => {
    const gap = 60 * 60_000;
    expect(fitsGap([t0], t0 - gap, gap)).toBe(true);
    expect(fitsGap([t0], t0 - gap + 1, gap)).toBe(false);
    expect(fitsGap([t0], t0 + gap, gap)).toBe(true);
    expect(firstFit([t0, t0 + gap], t0 - 1, gap, (at) => fitsGap([t0, t0 + gap], at, gap))).toBe(t0 + 2 * gap);
  });

  it('firstFit: the first instant at which it would fit', () => {
    const four = [0, 1, 2, 3].map((i) => t0 + i * 1000);
    expect(firstFit(four, t0 - 500, W, (at) => fitsWindows(four, at, 4, W))).toBe(t0 + W);
  });

  it('property: recording at any instant where the rule allows never makes any window exceed the limit', () => {
    const instant = fc.integer({ min: t0 - days(60), max: t0 + days(60) });
    fc.assert(fc.property(fc.array(instant, { maxLength: 12 }), instant, fc.integer({ min: 1, max: 5 }), (seed, at, max) => {
      // A log that holds the limit: the seed's attempts recorded in any order, each only when it fits.
      const log: number[] = [];
      for (const s of seed) if (fitsWindows(log, s, max, W)) { log.push(s); log.sort((a, b) => a - b); }
      const next = firstFit(log, at, W, (x) => fitsWindows(log, x, max, W));
      for (const t of [at, next]) {
        if (!fitsWindows(log, t, max, W)) continue;
        const all = [...log, t].sort((a, b) => a - b);
        // Brute force over every window ending at an attempt (the fullest windows end at one).
        for (const end of all) expect(all.filter((a) => a > end - W && a <= end).length).toBeLessThanOrEqual(max);
      }
      expect(next).toBeGreaterThanOrEqual(at);
      expect(fitsWindows(log, next, max, W)).toBe(true);
    }), { numRuns: 500 });
  });
});

describe('the rules read both sides of a recording decision (History.later)', () => {
  const four = attemptsAt('2026-12-01T09:30:00Z', '2026-12-01T09:30:01Z', '2026-12-01T09:30:02Z', '2026-12-01T09:30:03Z');
  const later = [...four].reverse();

  it('a backdated 5th before four logged attempts is blocked, with retryAt when it would fit', () => {
    const d = decideAt('2026-12-01T10:29:59+01:00', {}, { attempts: [], later });
    expect(d.reasons).toEqual(['attempt-limit']);
    // 30 days after the first of the four, in the calling window: 2026-12-31 is a Thursday, 10:30 Paris.
    expect(d.retryAt?.toISOString()).toBe('2026-12-31T09:30:00.000Z');
  });

  it('the as-of reading (no later attempts) lets it through: a what-if check of the past', () => {
    expect(decideAt('2026-12-01T10:29:59+01:00', {}, { attempts: [] }).action).toBe('rewrite');
  });

  it('both edges: allowed exactly 30 days before the 4th logged attempt, blocked 1 ms after', () => {
    // Four logged on Wednesday 2026-12-02 from 10:30:00 Paris; 30 days before the 4th: Monday 2026-11-02 10:30:03.
    const wednesday = attemptsAt('2026-12-02T09:30:00Z', '2026-12-02T09:30:01Z', '2026-12-02T09:30:02Z', '2026-12-02T09:30:03Z').reverse();
    expect(decideAt('2026-11-02T09:30:03Z', {}, { later: wednesday }).action).toBe('rewrite');
    expect(decideAt('2026-11-02T09:30:03.001Z', {}, { later: wednesday }).reasons).toEqual(['attempt-limit']);
    // Between: two before, two after, a window of 30 days holds them all with the call.
    const [w1, w2, w3, w4] = wednesday;
    const d = decideAt('2026-12-02T09:30:01.500Z', {}, { attempts: [w2!, w1!], later: [w3!, w4!] });
    expect(d.reasons).toEqual(['attempt-limit']);
  });

  it('min gap against a later attempt', () => {
    const config = configFrom(`
campaigns:
  gap: { purpose: prospecting, dialing: automated, limits: { minGapMinutes: 60 }, pool: ["0948000001"] }
`);
    const next = attemptsAt('2026-12-01T10:00:00Z').map((a) => ({ ...a, campaign: 'gap' }));
    expect(decideAt('2026-12-01T09:00:00Z', { campaign: 'gap' }, { later: next }, config).action).not.toBe('block');
    const d = decideAt('2026-12-01T09:00:01Z', { campaign: 'gap' }, { later: next }, config);
    expect(d.reasons).toEqual(['min-gap']);
    expect(d.retryAt?.toISOString()).toBe('2026-12-01T11:00:00.000Z');
  });
});
