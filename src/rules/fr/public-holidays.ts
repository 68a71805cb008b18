import Holidays from 'date-holidays';
import { localDateKey, startOfNextLocalDay } from '../../time/zoned.js';
import { parisMidnight, type CallRule } from '../rule.js';
import { LOCAL_HOLIDAYS } from './local-holidays.js';

/**
 * No prospecting on public holidays: the eleven of Code du travail L.3133-1 (1 January, Easter
 * Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August, 1 November, 11 November,
 * 25 December), computed by date-holidays, and with `localHolidays` the consumer's own: the table
 * of local-holidays.ts (Alsace-Moselle, each overseas territory's abolition-of-slavery day), with
 * its legal sources.
 */
export const publicHolidays: CallRule = {
  code: 'public-holiday',
  source: 'Code de la consommation art. D.223-9 (no calls on public holidays); Code du travail L.3133-1, L.3134-13; loi n° 83-550 and décret n° 83-1003 as amended',
  since: parisMidnight('2023-03-01'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting' && !ctx.consentAnytime && ctx.area.holidayRegion !== null,
  nextAllowed(ctx, t) {
    const region = ctx.site.localHolidays ? ctx.area.holidayRegion ?? 'FR' : 'FR';
    let at = t;
    for (let i = 0; i < 10 && isHoliday(localDateKey(at, ctx.area.timeZone), region); i++) {
      at = startOfNextLocalDay(at, ctx.area.timeZone);
    }
    return at;
  },
};

const byRegionYear = new Map<string, ReadonlySet<string>>();

/** Whether `YYYY-MM-DD` is a public holiday in a region ('FR', 'FR-57', 'FR-GP'…). */
function isHoliday(dateKey: string, region: string): boolean {
  const year = Number(dateKey.slice(0, 4));
  return holidaysOf(region, year).has(dateKey);
}

/** National holidays (date-holidays' 'FR') plus the region's own from LOCAL_HOLIDAYS. */
export function holidaysOf(region: string, year: number): ReadonlySet<string> {
  const key = `${region}:${year}`;
  let days = byRegionYear.get(key);
  if (!days) {
    const national = new Holidays('FR').getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10));
    days = new Set([...national, ...(LOCAL_HOLIDAYS[region] ?? []).map((h) => h.dateIn(year))]);
    byRegionYear.set(key, days);
  }
  return days;
}
