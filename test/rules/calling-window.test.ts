import { describe, expect, it } from 'vitest';
import { configFrom, decideAt } from '../helpers.js';

// Monday 2026-11-30, Paris is UTC+1.
describe('prospecting window (D.223-9): Mon–Fri 10:00–13:00 and 14:00–20:00, consumer time', () => {
  it.each([
    ['09:59', 'block'], ['10:00', 'rewrite'], ['12:59', 'rewrite'], ['13:00', 'block'], ['13:59', 'block'],
    ['14:00', 'rewrite'], ['19:59', 'rewrite'], ['20:00', 'block'], ['23:59', 'block'], ['00:00', 'block'],
  ])('Monday %s Paris → %s', (hhmm, action) => {
    const d = decideAt(`2026-11-30T${hhmm}:00+01:00`, {});
    expect(d.action).toBe(action);
    if (action === 'block') expect(d.reasons).toEqual(['outside-calling-hours']);
  });

  it('a blocked call says when it would be allowed', () => {
    expect(decideAt('2026-11-30T09:59:00+01:00', {}).retryAt?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(decideAt('2026-11-30T13:00:00+01:00', {}).retryAt?.toISOString()).toBe('2026-11-30T13:00:00.000Z');
    expect(decideAt('2026-11-30T20:00:00+01:00', {}).retryAt?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('skips the weekend: Friday 20:00 → Monday 10:00', () => {
    const d = decideAt('2026-12-04T20:00:00+01:00', {});
    expect(d.reasons).toEqual(['outside-calling-hours']);
    expect(d.retryAt?.toISOString()).toBe('2026-12-07T09:00:00.000Z');
    expect(decideAt('2026-12-05T11:00:00+01:00', {}).action).toBe('block'); // Saturday
    expect(decideAt('2026-12-06T11:00:00+01:00', {}).action).toBe('block'); // Sunday
  });

  it('uses the consumer\'s time zone: 10:00 in Réunion is 07:00 in Paris', () => {
    // Réunion is UTC+4 all year.
    expect(decideAt('2026-11-30T09:59:00+04:00', { to: '0262123456' }).action).toBe('block');
    expect(decideAt('2026-11-30T10:00:00+04:00', { to: '0262123456' }).action).toBe('rewrite');
    expect(decideAt('2026-11-30T19:59:00+04:00', { to: '0692123456' }).action).toBe('rewrite');
    expect(decideAt('2026-11-30T20:00:00+04:00', { to: '0692123456' }).action).toBe('block');
    // Martinique is UTC−4: 14:00 there is 19:00 in Paris.
    expect(decideAt('2026-11-30T14:00:00-04:00', { to: '0596123456' }).action).toBe('rewrite');
    expect(decideAt('2026-11-30T13:59:00-04:00', { to: '0596123456' }).retryAt?.toISOString()).toBe('2026-11-30T18:00:00.000Z');
    // Guyane UTC−3, Mayotte UTC+3, Saint-Pierre-et-Miquelon UTC−3 in winter.
    expect(decideAt('2026-11-30T10:00:00-03:00', { to: '0594123456' }).action).toBe('rewrite');
    expect(decideAt('2026-11-30T09:59:00+03:00', { to: '0269612345' }).action).toBe('block');
    expect(decideAt('2026-11-30T10:00:00+03:00', { to: '0639123456' }).action).toBe('rewrite');
    expect(decideAt('2026-11-30T19:59:00-03:00', { to: '0508412345' }).action).toBe('rewrite');
    expect(decideAt('2026-11-30T10:00:00-04:00', { to: '0590123456' }).action).toBe('rewrite');
  });

  it('follows summer time in Paris', () => {
    expect(decideAt('2026-06-01T10:00:00+02:00', {}).action).toBe('rewrite');
    expect(decideAt('2026-06-01T09:59:00+02:00', {}).action).toBe('block');
  });

  it('a dialer time-zone hint overrides the number', () => {
    expect(decideAt('2026-11-30T10:00:00+01:00', { timeZone: 'Indian/Reunion' }).action).toBe('block');
  });

  it('is lifted by consent to be called any time, on record or asserted', () => {
    expect(decideAt('2026-11-30T21:00:00+01:00', { consentAnytime: true }).action).toBe('rewrite');
    expect(decideAt('2026-12-05T11:00:00+01:00', {}, { consent: { at: new Date('2026-01-01'), source: 'form', anytime: true } }).action).toBe('rewrite');
  });

  it('does not apply to service calls', () => {
    expect(decideAt('2026-12-06T22:00:00+01:00', { campaign: 'customer', from: '0199000001' }).action).toBe('allow');
  });

  it('did not apply before 2023-03-01', () => {
    const old = decideAt('2023-02-27T21:00:00+01:00', { consent: undefined });
    expect(old.reasons).not.toContain('outside-calling-hours');
    expect(decideAt('2023-03-01T21:00:00+01:00', {}).reasons).toContain('outside-calling-hours');
  });

  it('campaigns may narrow the window, never widen it', () => {
    const config = configFrom(`
campaigns:
  morning:
    purpose: prospecting
    dialing: automated
    hours:
      - { days: [mon, tue, wed, thu, fri, sat], from: "08:00", to: "11:30" }
    pool: ["0162000001", "0948000001"]
`);
    const at = (iso: string) => decideAt(iso, { campaign: 'morning' }, {}, config);
    expect(at('2026-11-30T09:00:00+01:00').action).toBe('block');
    expect(at('2026-11-30T10:00:00+01:00').action).toBe('rewrite');
    expect(at('2026-11-30T11:29:00+01:00').action).toBe('rewrite');
    expect(at('2026-11-30T11:30:00+01:00').retryAt?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(at('2026-12-05T10:30:00+01:00').action).toBe('block'); // Saturday stays closed
  });
});
