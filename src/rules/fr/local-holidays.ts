import { dateKey } from '../../time/zoned.js';

/**
 * The local public holidays French law adds to the eleven national ones, per holiday region
 * (`Area.holidayRegion`). Owned here, next to their texts, rather than taken from date-holidays:
 * its data put Saint-Martin's abolition day on 27 May (Guadeloupe's) instead of 28 May.
 *
 * - Abolition of slavery: loi n° 83-550 du 30 juin 1983 makes it a public holiday in each
 *   territory, on the date set by décret n° 83-1003 du 23 novembre 1983 as amended:
 *   Guadeloupe 27 May, Martinique 22 May, Guyane 10 June, La Réunion 20 December,
 *   Mayotte 27 April, Saint-Martin 28 May, Saint-Barthélemy 9 October (none in Saint-Pierre-et-Miquelon).
 * - Alsace-Moselle (Moselle 57, Bas-Rhin 67, Haut-Rhin 68): Good Friday and 26 December,
 *   Code du travail L.3134-13.
 * - Guadeloupe and Martinique: Good Friday, a day off by local custom rather than by a statute.
 *   Kept (as before, when date-holidays supplied it) because it is observed as a public holiday
 *   there; keeping it only ever blocks one more day, never lets a forbidden call through.
 */
export interface LocalHoliday {
  readonly name: string;
  readonly source: string;
  /** `YYYY-MM-DD` of the holiday in that year. */
  dateIn(year: number): string;
}

const ABOLITION_TEXTS = 'loi n° 83-550 du 30 juin 1983; décret n° 83-1003 du 23 novembre 1983 as amended';

function abolitionDay(territory: string, month: number, day: number): LocalHoliday {
  return { name: `abolition of slavery (${territory})`, source: ABOLITION_TEXTS, dateIn: (year) => dateKey(year, month, day) };
}

const GOOD_FRIDAY_ALSACE_MOSELLE: LocalHoliday = {
  name: 'Good Friday', source: 'Code du travail L.3134-13', dateIn: (year) => easterSundayPlus(year, -2),
};
const ST_STEPHEN: LocalHoliday = { name: '26 December', source: 'Code du travail L.3134-13', dateIn: (year) => dateKey(year, 12, 26) };
const GOOD_FRIDAY_ANTILLES: LocalHoliday = {
  name: 'Good Friday', source: 'local custom in Guadeloupe and Martinique (no statute)', dateIn: (year) => easterSundayPlus(year, -2),
};

export const LOCAL_HOLIDAYS: Readonly<Record<string, readonly LocalHoliday[]>> = {
  'FR-57': [GOOD_FRIDAY_ALSACE_MOSELLE, ST_STEPHEN],
  'FR-67': [GOOD_FRIDAY_ALSACE_MOSELLE, ST_STEPHEN],
  'FR-68': [GOOD_FRIDAY_ALSACE_MOSELLE, ST_STEPHEN],
  'FR-GP': [abolitionDay('Guadeloupe', 5, 27), GOOD_FRIDAY_ANTILLES],
  'FR-MQ': [abolitionDay('Martinique', 5, 22), GOOD_FRIDAY_ANTILLES],
  'FR-GF': [abolitionDay('Guyane', 6, 10)],
  'FR-RE': [abolitionDay('La Réunion', 12, 20)],
  'FR-YT': [abolitionDay('Mayotte', 4, 27)],
  'FR-MF': [abolitionDay('Saint-Martin', 5, 28)],
  'FR-BL': [abolitionDay('Saint-Barthélemy', 10, 9)],
  'FR-PM': [],
};

/** Easter Sunday (Gregorian computus, Meeus/Jones/Butcher) moved by `days`, as `YYYY-MM-DD`. */
function easterSundayPlus(year: number, days: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  const t = new Date(Date.UTC(year, month - 1, day + days));
  return dateKey(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}
