import { describe, expect, it } from 'vitest';
import { attemptsAt, configFrom, decideAt } from '../helpers.js';

const MONDAY_11H = '2026-11-30T11:00:00+01:00'; // 10:00Z

describe('attempt limit (D.223-9): at most 4 per consumer in any rolling 30 days', () => {
  it('the 4th attempt goes, the 5th is blocked', () => {
    const three = attemptsAt('2026-11-02T10:00:00Z', '2026-11-10T10:00:00Z', '2026-11-20T10:00:00Z');
    expect(decideAt(MONDAY_11H, {}, { attempts: three }).action).toBe('rewrite');
    const four = attemptsAt('2026-11-02T10:00:00Z', '2026-11-10T10:00:00Z', '2026-11-20T10:00:00Z', '2026-11-27T10:00:00Z');
    const d = decideAt(MONDAY_11H, {}, { attempts: four });
    expect(d.reasons).toEqual(['attempt-limit']);
    // The slot frees when the oldest of the four is 30 days old: 2026-12-02T10:00Z, a Wednesday at 11:00 Paris.
    expect(d.retryAt?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });

  it('edge: an attempt exactly 30 days old no longer counts; one ms younger still does', () => {
    const at = '2026-11-30T10:00:00Z';
    const recent = ['2026-11-10T10:00:00Z', '2026-11-20T10:00:00Z', '2026-11-27T10:00:00Z'];
    expect(decideAt(at, {}, { attempts: attemptsAt('2026-10-31T10:00:00.000Z', ...recent) }).action).toBe('rewrite');
    expect(decideAt(at, {}, { attempts: attemptsAt('2026-10-31T10:00:00.001Z', ...recent) }).reasons).toEqual(['attempt-limit']);
  });

  it('counts prospecting attempts of every campaign (the law counts per professional), not service calls', () => {
    const mixed = [
      { at: new Date('2026-11-27T10:00:00Z'), campaign: 'other', purpose: 'prospecting' as const },
      { at: new Date('2026-11-26T10:00:00Z'), campaign: 'other', purpose: 'prospecting' as const },
      { at: new Date('2026-11-25T10:00:00Z'), campaign: 'prospecting', purpose: 'prospecting' as const },
      { at: new Date('2026-11-24T10:00:00Z'), campaign: 'customer', purpose: 'service' as const },
    ];
    expect(decideAt(MONDAY_11H, {}, { attempts: mixed }).action).toBe('rewrite');
    const fourth = { at: new Date('2026-11-23T10:00:00Z'), campaign: 'x', purpose: 'prospecting' as const };
    expect(decideAt(MONDAY_11H, {}, { attempts: [...mixed, fourth] }).reasons).toEqual(['attempt-limit']);
  });

  it('service campaigns have no limit by default, and the one they set when they set one', () => {
    const many = attemptsAt(...Array.from({ length: 10 }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}T10:00:00Z`))
      .map((a) => ({ ...a, campaign: 'customer', purpose: 'service' as const }));
    expect(decideAt(MONDAY_11H, { campaign: 'customer', from: '0199000001' }, { attempts: many }).action).toBe('allow');
    const config = configFrom(`
campaigns:
  customer:
    purpose: service
    dialing: manual
    limits: { maxAttempts: 2, windowDays: 7 }
    pool: ["0199000001"]
`);
    const two = attemptsAt('2026-11-28T10:00:00Z', '2026-11-29T10:00:00Z').map((a) => ({ ...a, campaign: 'customer', purpose: 'service' as const }));
    const d = decideAt(MONDAY_11H, { campaign: 'customer', from: '0199000001' }, { attempts: two }, config);
    expect(d.reasons).toEqual(['attempt-limit']);
    expect(d.retryAt?.toISOString()).toBe('2026-12-05T10:00:00.000Z');
  });

  it('a campaign may be stricter, never looser', () => {
    expect(() => configFrom(`
campaigns:
  p: { purpose: prospecting, dialing: automated, limits: { maxAttempts: 5 }, pool: ["0948000001"] }
`)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/campaigns\.p\.limits\.maxAttempts: may only be stricter than the law \(at most 4\)/) }));
    const strict = configFrom(`
campaigns:
  p: { purpose: prospecting, dialing: automated, limits: { maxAttempts: 2, minGapMinutes: 1440 }, pool: ["0948000001"] }
`);
    const two = attemptsAt('2026-11-20T10:00:00Z', '2026-11-27T10:00:00Z');
    expect(decideAt(MONDAY_11H, { campaign: 'p' }, { attempts: two }, strict).reasons).toEqual(['attempt-limit']);
    const gap = decideAt(MONDAY_11H, { campaign: 'p' }, { attempts: attemptsAt('2026-11-30T09:00:00Z') }, strict);
    expect(gap.reasons).toEqual(['min-gap']);
    expect(gap.retryAt?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});

describe('refusal (D.223-9): no prospecting attempt for 60 days after the consumer refused', () => {
  it('edge: blocked until exactly 60 days, allowed from then', () => {
    const refusedAt = new Date('2026-10-01T10:00:00Z');
    const d = decideAt('2026-11-30T09:59:59.999Z', {}, { lastRefusalAt: refusedAt });
    expect(d.reasons).toEqual(['refused-recently']);
    expect(d.retryAt?.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(decideAt('2026-11-30T10:00:00.000Z', {}, { lastRefusalAt: refusedAt }).action).toBe('rewrite');
  });

  it('does not restrict service calls', () => {
    expect(decideAt(MONDAY_11H, { campaign: 'customer', from: '0199000001' }, { lastRefusalAt: new Date('2026-11-29T10:00:00Z') }).action).toBe('allow');
  });
});

describe('consent (loi 2025-594 art. 13, from 2026-08-11)', () => {
  it('blocks a prospecting call without recorded consent from 2026-08-11, not before', () => {
    expect(decideAt('2026-08-10T11:00:00+02:00', { consent: null }).action).toBe('rewrite');
    const d = decideAt('2026-08-11T11:00:00+02:00', { consent: null });
    expect(d.reasons).toEqual(['no-consent']);
    expect(d.retryAt).toBeNull();
  });

  it('accepts consent on record, or asserted with a proof reference', () => {
    const onRecord = { consent: { at: new Date('2026-09-01'), source: 'web-form-123', anytime: false } };
    const d = decideAt(MONDAY_11H, { consent: null }, onRecord);
    expect(d.action).toBe('rewrite');
    expect(d.consentRef).toBe('web-form-123');
    expect(decideAt(MONDAY_11H, { consent: 'proof-42' }).consentRef).toBe('proof-42');
  });

  it('exempts a campaign calling its own customers about their contract', () => {
    const config = configFrom(`
campaigns:
  upsell: { purpose: prospecting, dialing: automated, basis: existing-contract, pool: ["0948000001"] }
`);
    expect(decideAt(MONDAY_11H, { campaign: 'upsell', consent: null }, {}, config).action).toBe('rewrite');
  });

  it('lists every rule that blocks, and no retryAt when time cannot lift them all', () => {
    const d = decideAt('2026-11-30T21:00:00+01:00', { consent: null }, { doNotCall: true });
    expect(d.reasons).toEqual(['do-not-call', 'outside-calling-hours', 'no-consent']);
    expect(d.retryAt).toBeNull();
  });
});

describe('do-not-call list', () => {
  it('blocks prospecting, not service', () => {
    expect(decideAt(MONDAY_11H, {}, { doNotCall: true }).reasons).toEqual(['do-not-call']);
    expect(decideAt(MONDAY_11H, { campaign: 'customer', from: '0199000001' }, { doNotCall: true }).action).toBe('allow');
  });
});

describe('retryAt combines the rules', () => {
  it('the 30-day slot frees on a Saturday: the call waits for Monday 10:00', () => {
    // Oldest of four on 2026-11-05 (Thursday) 10:00Z → frees Saturday 2026-12-05 → Monday 7th 10:00 Paris.
    const four = attemptsAt('2026-11-05T10:00:00Z', '2026-11-10T10:00:00Z', '2026-11-20T10:00:00Z', '2026-11-27T10:00:00Z');
    const d = decideAt('2026-12-01T11:00:00+01:00', {}, { attempts: four });
    expect(d.retryAt?.toISOString()).toBe('2026-12-07T09:00:00.000Z');
  });

  it('invalid destination and unknown campaign block with no retry', () => {
    expect(decideAt(MONDAY_11H, { to: 'abc' })).toMatchObject({ action: 'block', reasons: ['invalid-number'], retryAt: null });
    expect(decideAt(MONDAY_11H, { campaign: 'nope' })).toMatchObject({ action: 'block', reasons: ['unknown-campaign'] });
  });
});
