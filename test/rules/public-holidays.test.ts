import { describe, expect, it } from 'vitest';
import { holidaysOf } from '../../src/rules/fr/public-holidays.js';
import { decideAt } from '../helpers.js';

const NATIONAL: Record<number, string[]> = {
  2026: ['2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25'],
  2027: ['2027-01-01', '2027-03-29', '2027-05-01', '2027-05-06', '2027-05-08', '2027-05-17', '2027-07-14', '2027-08-15', '2027-11-01', '2027-11-11', '2027-12-25'],
  2028: ['2028-01-01', '2028-04-17', '2028-05-01', '2028-05-08', '2028-05-25', '2028-06-05', '2028-07-14', '2028-08-15', '2028-11-01', '2028-11-11', '2028-12-25'],
};

describe('public holidays (L.3133-1), computed', () => {
  it.each([2026, 2027, 2028])('the eleven national holidays of %i', (year) => {
    expect([...holidaysOf('FR', year)].sort()).toEqual(NATIONAL[year]);
  });

  /** What each region adds to the national eleven, checked against the texts (see local-holidays.ts). */
  const GOOD_FRIDAY: Record<number, string> = { 2026: '04-03', 2027: '03-26', 2028: '04-14', 2029: '03-30', 2030: '04-19' };
  const LOCAL: Record<string, (y: number) => string[]> = {
    'FR-57': (y) => [GOOD_FRIDAY[y]!, '12-26'], 'FR-67': (y) => [GOOD_FRIDAY[y]!, '12-26'], 'FR-68': (y) => [GOOD_FRIDAY[y]!, '12-26'],
    'FR-GP': (y) => [GOOD_FRIDAY[y]!, '05-27'], 'FR-MQ': (y) => [GOOD_FRIDAY[y]!, '05-22'], 'FR-GF': () => ['06-10'],
    'FR-RE': () => ['12-20'], 'FR-YT': () => ['04-27'], 'FR-MF': () => ['05-28'], 'FR-BL': () => ['10-09'], 'FR-PM': () => [],
  };
  const cases = Object.keys(LOCAL).flatMap((region) => [2026, 2027, 2028, 2029, 2030].map((year) => [region, year] as const));

  it.each(cases)('%s in %i: the national holidays and exactly its own', (region, year) => {
    const national = [...holidaysOf('FR', year)];
    const own = [...holidaysOf(region, year)].filter((d) => !national.includes(d)).sort();
    const expected = LOCAL[region]!(year).map((mmdd) => `${year}-${mmdd}`).filter((d) => !national.includes(d)).sort();
    expect(own).toEqual(expected);
    expect(national.every((d) => holidaysOf(region, year).has(d))).toBe(true);
  });

  it('Good Friday is three days before the Easter Monday date-holidays computes, 1990–2100', () => {
    for (let y = 1990; y <= 2100; y++) {
      const easterMonday = [...holidaysOf('FR', y)].find((d) => d.slice(5) >= '03-23' && d.slice(5) <= '04-26')!;
      const goodFriday = new Date(Date.parse(`${easterMonday}T00:00:00Z`) - 3 * 86_400_000).toISOString().slice(0, 10);
      expect(holidaysOf('FR-57', y).has(goodFriday), String(y)).toBe(true);
    }
  });

  it('Saint-Martin commemorates on 28 May, not on Guadeloupe\'s 27 May', () => {
    // Thursday 27 and Friday 28 May 2027 (Ascension is 6 May that year).
    const saintMartin = { to: '0590871234', zone: 'MF' };
    expect(decideAt('2027-05-28T11:00:00-04:00', saintMartin).reasons).toEqual(['public-holiday']);
    expect(decideAt('2027-05-27T11:00:00-04:00', saintMartin).action).toBe('rewrite');
    expect(decideAt('2027-05-27T11:00:00-04:00', { to: '0590871234' }).reasons).toEqual(['public-holiday']);
    // Saint-Barthélemy: Tuesday 9 October 2029.
    expect(decideAt('2029-10-09T11:00:00-04:00', { to: '0590271234', zone: 'BL' }).reasons).toEqual(['public-holiday']);
  });

  it('blocks a prospecting call on a national holiday, until the next open slot', () => {
    // Wednesday 2026-11-11, Armistice.
    const d = decideAt('2026-11-11T11:00:00+01:00', {});
    expect(d.reasons).toEqual(['public-holiday']);
    expect(d.retryAt?.toISOString()).toBe('2026-11-12T09:00:00.000Z');
    // Easter Monday and Whit Monday 2027.
    expect(decideAt('2027-03-29T11:00:00+02:00', {}).reasons).toEqual(['public-holiday']);
    expect(decideAt('2027-05-17T11:00:00+02:00', {}).reasons).toEqual(['public-holiday']);
    expect(decideAt('2027-05-18T11:00:00+02:00', {}).action).toBe('rewrite');
  });

  it('chains holiday and weekend: Christmas Friday 2026 in Strasbourg → Monday 28', () => {
    const d = decideAt('2026-12-24T20:30:00+01:00', { to: '0388123456' });
    expect(d.retryAt?.toISOString()).toBe('2026-12-28T09:00:00.000Z');
  });

  it('Good Friday blocks Alsace-Moselle, not Paris', () => {
    expect(decideAt('2026-04-03T11:00:00+02:00', { to: '0388123456' }).reasons).toEqual(['public-holiday']);
    expect(decideAt('2026-04-03T11:00:00+02:00', { to: '0145678901' }).action).toBe('rewrite');
    expect(decideAt('2027-12-27T11:00:00+01:00', { to: '0389123456' }).action).toBe('rewrite');
  });

  it('an overseas consumer\'s own day, in its own time zone', () => {
    // 20 December 2027 is a Monday: La Réunion's abolition day.
    expect(decideAt('2027-12-20T11:00:00+04:00', { to: '0262123456' }).reasons).toEqual(['public-holiday']);
    expect(decideAt('2027-12-20T11:00:00+01:00', { to: '0145678901' }).action).toBe('rewrite');
    // Martinique 22 May 2028 is a Monday.
    expect(decideAt('2028-05-22T11:00:00-04:00', { to: '0596123456' }).reasons).toEqual(['public-holiday']);
    // Guyane 10 June 2026 is a Wednesday.
    expect(decideAt('2026-06-10T11:00:00-03:00', { to: '0594123456' }).reasons).toEqual(['public-holiday']);
    // Mayotte 27 April 2026 is a Monday.
    expect(decideAt('2026-04-27T11:00:00+03:00', { to: '0269612345' }).reasons).toEqual(['public-holiday']);
    // Guadeloupe 27 May 2027 is a Thursday.
    expect(decideAt('2027-05-27T11:00:00-04:00', { to: '0590123456' }).reasons).toEqual(['public-holiday']);
  });

  it('localHolidays: false keeps only the national ones', () => {
    // parse a config with localHolidays off
    return import('../helpers.js').then(({ configFrom }) => {
      const config = configFrom(`
localHolidays: false
campaigns:
  p: { purpose: prospecting, dialing: automated, pool: ["0948000001"] }
`);
      expect(decideAt('2026-04-03T11:00:00+02:00', { campaign: 'p', to: '0388123456' }, {}, config).action).toBe('rewrite');
      expect(decideAt('2026-11-11T11:00:00+01:00', { campaign: 'p', to: '0388123456' }, {}, config).action).toBe('block');
    });
  });
});
