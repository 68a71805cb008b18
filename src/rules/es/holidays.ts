import Holidays from 'date-holidays';
import { localDateKey, startOfNextLocalDay } from '../../time/zoned.js';
import { parisMidnight, type CallRule } from '../rule.js';
import { HOLIDAY_OVERRIDES } from './holiday-overrides.js';

/**
 * No commercial calls on holidays (TRLGDCU art. 96.2): Spain's national holidays and the
 * consumer's community's (date-holidays `ES` with its region, plus holiday-overrides.ts). A callee
 * whose number names no community (mobile, 800/900) gets `unknownRegionHolidays`: every
 * community's holidays by default (conservative), or the national ones only.
 */
export const spanishHolidays: CallRule = {
  code: 'public-holiday',
  source: 'Real Decreto Legislativo 1/2007 (TRLGDCU) art. 96.2 as amended by Ley 3/2014 (no calls on holidays); Real Decreto 2001/1983 art. 45 and the BOE\'s yearly list of fiestas laborales',
  since: parisMidnight('2014-03-29'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting' && ctx.area.holidayRegion !== null,
  nextAllowed(ctx, t) {
    const region = ctx.area.holidayRegion ?? 'ES';
    const unknown = ctx.site.unknownRegionHolidays ?? 'every-region';
    let at = t;
    for (let i = 0; i < 10 && spanishHolidaysOf(region, Number(localDateKey(at, ctx.area.timeZone).slice(0, 4)), unknown).has(localDateKey(at, ctx.area.timeZone)); i++) {
      at = startOfNextLocalDay(at, ctx.area.timeZone);
    }
    return at;
  },
};

const cache = new Map<string, ReadonlySet<string>>();

/** `YYYY-MM-DD` holidays of a region ('ES-MD', or 'ES' when unknown, read per `unknown`) in a year. */
export function spanishHolidaysOf(region: string, year: number, unknown: 'every-region' | 'national'): ReadonlySet<string> {
  const key = `${region}:${year}:${unknown}`;
  let days = cache.get(key);
  if (!days) {
    const communities = region !== 'ES' ? [region.slice(3)] : unknown === 'every-region' ? Object.keys(new Holidays().getStates('ES') ?? {}) : [];
    const of = (community: string | null) => (community ? new Holidays('ES', community) : new Holidays('ES'))
      .getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10));
    days = new Set([
      ...of(null), ...communities.flatMap((c) => of(c)),
      ...HOLIDAY_OVERRIDES.filter((o) => communities.includes(o.community) && o.date.startsWith(`${year}-`)).map((o) => o.date),
    ]);
    cache.set(key, days);
  }
  return days;
}
