import { FR_NUMBERING, type NpvArea, type OverseasPrefix, type Territory } from './fr-numbering.js';

export type { NpvArea, Territory } from './fr-numbering.js';

/**
 * Questions on the French numbering plan, answered from the table in fr-numbering.ts. Everything
 * here works on the 10-digit national spelling (`0` + 9 digits).
 */

/**
 * Overseas national prefixes (fixed and mobile). libphonenumber-js with default country FR gets
 * these wrong (0262… as an invalid +33 number, 0596… as a valid +33 fixed line), so they are
 * mapped here before anything else.
 */
const OVERSEAS: ReadonlyMap<string, OverseasPrefix> = new Map(FR_NUMBERING.overseas.map((o) => [o.prefix, o]));

export function overseasPrefix(national: string): OverseasPrefix | undefined {
  return OVERSEAS.get(national.slice(0, 4));
}

export function overseasCountryCode(national: string): string | null {
  return overseasPrefix(national)?.countryCode ?? null;
}

/** Metropolitan mobiles are 06 and 07, whole ranges, allocated or not; overseas mobiles (0639, 069x) fall inside 06. */
export function isFrenchMobile(national: string): boolean {
  return FR_NUMBERING.mobile.some((prefix) => national.startsWith(prefix));
}

/** The area a number's NPV range serves, or null when it is not an NPV number. */
export function npvArea(national: string): NpvArea | null {
  return FR_NUMBERING.npv.find((r) => national.startsWith(r.prefix))?.area ?? null;
}

/** The NPV prefixes that serve an area, for error messages and `config check`. */
export function npvPrefixes(area: NpvArea): string[] {
  return FR_NUMBERING.npv.filter((r) => r.area === area).map((r) => r.prefix);
}

/** Every area an NPV range serves, in the table's order. */
export const NPV_AREAS: readonly NpvArea[] = [...new Set(FR_NUMBERING.npv.map((r) => r.area))];

/** Every NPV prefix, an area's joined by '/' (`0162/0163, 0270/0271, …`): for rule sources and messages. */
export const NPV_PREFIX_LIST: string = NPV_AREAS.map((a) => npvPrefixes(a).join('/')).join(', ');

/** Geographic (01–05, overseas fixed included) or non-geographic 09: what manual calls present. */
export function isFixedPresentable(national: string): boolean {
  return /^0[1-59]/.test(national) && !isFrenchMobile(national);
}

/** The NPV area that serves a callee in this metropolitan zone or territory. */
export function npvAreaFor(zone: string | null, territory: Territory | null): NpvArea {
  switch (territory) {
    case 'GP': case 'BL': case 'MF': return 'GP';
    case 'GF': return 'GF';
    case 'MQ': return 'MQ';
    case 'RE': case 'YT': return 'RE-YT';
    case 'PM': return 'non-geographic';
    default: break;
  }
  return zone !== null && /^[1-5]$/.test(zone) ? (zone as NpvArea) : 'non-geographic';
}
