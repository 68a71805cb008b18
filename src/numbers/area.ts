import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { npvAreaFor, overseasPrefix, type NpvArea, type Territory } from './france.js';
import { FR_NUMBERING } from './fr-numbering.js';
import { zoneOfDepartement } from './departements.js';
import { spanishProvince } from './es-provinces.js';
import type { Phone } from './phone.js';
import { isValidTimeZone } from '../time/zoned.js';

/** Where the callee is: decides its time zone, holidays and which NPV range serves it. */
export interface Area {
  /** ISO country of the consumer's rules: 'FR' for the whole French numbering plan. */
  readonly country: string | null;
  readonly zone: '1' | '2' | '3' | '4' | '5' | null;
  readonly territory: Territory | null;
  readonly timeZone: string;
  /**
   * date-holidays region: 'FR', 'FR-57', 'FR-GP'…; in Spain 'ES-MD', 'ES-CN'… (the autonomous
   * community of a geographic number) or 'ES' when the number does not say (mobile, 800/900); null elsewhere.
   */
  readonly holidayRegion: string | null;
  readonly npvArea: NpvArea;
}

const PARIS = 'Europe/Paris';

const TERRITORY_TZ: Readonly<Record<Territory, string>> = {
  GP: 'America/Guadeloupe', MQ: 'America/Martinique', GF: 'America/Cayenne', RE: 'Indian/Reunion',
  YT: 'Indian/Mayotte', PM: 'America/Miquelon', BL: 'America/St_Barthelemy', MF: 'America/Marigot',
};

/** Overseas départements and collectivités as a dialer may write them. */
const TERRITORY_OF_DEPARTEMENT: Readonly<Record<string, Territory>> = {
  '971': 'GP', '972': 'MQ', '973': 'GF', '974': 'RE', '975': 'PM', '976': 'YT', '977': 'BL', '978': 'MF',
};

/** Alsace-Moselle's holiday regions (its own public holidays) by national prefix and by département. */
const ALSACE_MOSELLE_BY_PREFIX: ReadonlyMap<string, string> = new Map(FR_NUMBERING.alsaceMoselle.map((a) => [a.prefix, `FR-${a.departement}`]));
const ALSACE_MOSELLE_DEPARTEMENTS: ReadonlySet<string> = new Set(FR_NUMBERING.alsaceMoselle.map((a) => a.departement));

type Zone = Area['zone'];

export interface AreaHints {
  readonly zone?: string | null;
  readonly timeZone?: string | null;
  /** The campaign's zone for callees whose number says nothing (mobiles, 09). */
  readonly defaultZone?: Zone;
}

/** The callee's area, from its number first, then overridden by the dialer's hints. */
export function calleeArea(callee: Phone, hints: AreaHints = {}): Area {
  const base = callee.national !== null ? frenchArea(callee.national, hints.defaultZone ?? null) : foreignArea(callee);
  const fromHint = hints.zone ? areaFromHint(hints.zone) : null;
  const area = fromHint ?? base;
  // An unknown time-zone name from a dialer is ignored rather than trusted (or thrown on).
  return hints.timeZone && isValidTimeZone(hints.timeZone) ? { ...area, timeZone: hints.timeZone } : area;
}

function frenchArea(national: string, defaultZone: Zone): Area {
  const overseas = overseasPrefix(national);
  if (overseas) return territoryArea(overseas.territory);
  const digit = national[1];
  if (digit !== undefined && digit >= '1' && digit <= '5') {
    return metropolitan(digit as NonNullable<Zone>, ALSACE_MOSELLE_BY_PREFIX.get(national.slice(0, 4)) ?? 'FR');
  }
  // 06/07 mobiles, 08, 09: the number does not say where the consumer is.
  return metropolitan(defaultZone, 'FR');
}

function metropolitan(zone: Zone, holidayRegion: string): Area {
  return { country: 'FR', zone, territory: null, timeZone: PARIS, holidayRegion, npvArea: npvAreaFor(zone, null) };
}

function territoryArea(territory: Territory): Area {
  return {
    country: 'FR', zone: null, territory, timeZone: TERRITORY_TZ[territory],
    holidayRegion: `FR-${territory}`, npvArea: npvAreaFor(null, territory),
  };
}

function foreignArea(callee: Phone): Area {
  if (callee.countryCode === '34') return spanishArea(callee.e164.slice(3));
  const country = parsePhoneNumberFromString(callee.e164)?.country ?? null;
  return { country, zone: null, territory: null, timeZone: PARIS, holidayRegion: null, npvArea: 'non-geographic' };
}

/** A Spanish callee: its province's community and time zone (the Canaries an hour behind), or Madrid's time for a number that does not say. */
function spanishArea(national: string): Area {
  const province = spanishProvince(national);
  return {
    country: 'ES', zone: null, territory: null, timeZone: province?.timeZone ?? 'Europe/Madrid',
    holidayRegion: province ? `ES-${province.community}` : 'ES', npvArea: 'non-geographic',
  };
}

/** A zone hint: '1'–'5', a territory code (GP, RE…), or a département ('69', '2A', '974'). */
function areaFromHint(hint: string): Area | null {
  const h = hint.trim().toUpperCase();
  if (/^[1-5]$/.test(h)) return metropolitan(h as NonNullable<Zone>, 'FR');
  if (h in TERRITORY_TZ) return territoryArea(h as Territory);
  const territory = TERRITORY_OF_DEPARTEMENT[h];
  if (territory) return territoryArea(territory);
  const dep = h.padStart(2, '0');
  const zone = zoneOfDepartement(dep);
  if (!zone) return null;
  return metropolitan(zone as NonNullable<Zone>, ALSACE_MOSELLE_DEPARTEMENTS.has(dep) ? `FR-${dep}` : 'FR');
}
