/**
 * The French numbering plan as ARCEP defines it, as data. Everything here works on the 10-digit
 * national spelling (`0` + 9 digits), because that is how ARCEP's decisions write the ranges.
 */

/** An overseas territory reached through the French numbering plan. */
/** Saint-Barthélemy (BL) and Saint-Martin (MF) share Guadeloupe's numbers; they appear through dialer hints. */
export type Territory = 'GP' | 'MQ' | 'GF' | 'RE' | 'YT' | 'PM' | 'BL' | 'MF';

interface OverseasPrefix {
  readonly territory: Territory;
  readonly countryCode: string;
  readonly timeZone: string;
}

const GP: OverseasPrefix = { territory: 'GP', countryCode: '590', timeZone: 'America/Guadeloupe' };
const MQ: OverseasPrefix = { territory: 'MQ', countryCode: '596', timeZone: 'America/Martinique' };
const GF: OverseasPrefix = { territory: 'GF', countryCode: '594', timeZone: 'America/Cayenne' };
const RE: OverseasPrefix = { territory: 'RE', countryCode: '262', timeZone: 'Indian/Reunion' };
const YT: OverseasPrefix = { territory: 'YT', countryCode: '262', timeZone: 'Indian/Mayotte' };
const PM: OverseasPrefix = { territory: 'PM', countryCode: '508', timeZone: 'America/Miquelon' };

/**
 * Overseas national prefixes (fixed and mobile). libphonenumber-js with default country FR gets
 * these wrong (0262… as an invalid +33 number, 0596… as a valid +33 fixed line), so they are
 * mapped here before anything else. Guadeloupe's 0590/0690/0691 also serve Saint-Martin and
 * Saint-Barthélemy, which share its time zone.
 */
const OVERSEAS: Readonly<Record<string, OverseasPrefix>> = {
  '0262': RE, '0263': RE, '0692': RE, '0693': RE,
  '0269': YT, '0639': YT,
  '0590': GP, '0690': GP, '0691': GP,
  '0594': GF, '0694': GF,
  '0596': MQ, '0696': MQ, '0697': MQ,
  '0508': PM,
};

export function overseasPrefix(national: string): OverseasPrefix | undefined {
  return OVERSEAS[national.slice(0, 4)];
}

export function overseasCountryCode(national: string): string | null {
  return overseasPrefix(national)?.countryCode ?? null;
}

/** ARCEP décision 2022-1583: metropolitan mobiles are 06 and 07, whole ranges, allocated or not; overseas mobiles (0639, 069x) fall inside 06. */
export function isFrenchMobile(national: string): boolean {
  return national.startsWith('06') || national.startsWith('07');
}

/** Where an NPV range may serve: a metropolitan zone, an overseas group, or anywhere. */
export type NpvArea = '1' | '2' | '3' | '4' | '5' | 'GP' | 'GF' | 'MQ' | 'RE-YT' | 'non-geographic';

/**
 * ARCEP's verified multi-purpose numbers (numéros polyvalents vérifiés, NPV), the only ranges
 * automated dialers may present (ARCEP décision 2022-1583, in force 2023-01-01).
 */
const NPV_RANGES: ReadonlyArray<readonly [prefix: string, area: NpvArea]> = [
  ['0162', '1'], ['0163', '1'],
  ['0270', '2'], ['0271', '2'],
  ['0377', '3'], ['0378', '3'],
  ['0424', '4'], ['0425', '4'],
  ['0568', '5'], ['0569', '5'],
  ['0948', 'non-geographic'], ['0949', 'non-geographic'],
  ['09475', 'GP'], ['09476', 'GF'], ['09477', 'MQ'], ['09478', 'RE-YT'], ['09479', 'RE-YT'],
];

export function npvArea(national: string): NpvArea | null {
  for (const [prefix, area] of NPV_RANGES) if (national.startsWith(prefix)) return area;
  return null;
}

/** The NPV prefixes that serve an area, for error messages and `config check`. */
export function npvPrefixes(area: NpvArea): string[] {
  return NPV_RANGES.filter(([, a]) => a === area).map(([p]) => p);
}

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
