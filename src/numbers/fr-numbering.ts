/**
 * The French numbering plan's ranges that cidgate's rules read, as data in one place (like
 * libphonenumber-js's metadata): every prefix is written on the 10-digit national spelling
 * (`0` + 9 digits), as ARCEP's decisions write them. Update the table, `asOf` and `source`
 * together when ARCEP amends the plan; test/numbers.test.ts checks the ranges do not overlap.
 */

/** An overseas territory reached through the French numbering plan. */
/** Saint-Barthélemy (BL) and Saint-Martin (MF) share Guadeloupe's numbers; they appear through dialer hints. */
export type Territory = 'GP' | 'MQ' | 'GF' | 'RE' | 'YT' | 'PM' | 'BL' | 'MF';

/** Where an NPV range may serve: a metropolitan zone, an overseas group, or anywhere. */
export type NpvArea = '1' | '2' | '3' | '4' | '5' | 'GP' | 'GF' | 'MQ' | 'RE-YT' | 'non-geographic';

export interface FrenchNumbering {
  /** The texts the table reproduces. */
  readonly source: string;
  /** The plan as in force on this date (`YYYY-MM-DD`). */
  readonly asOf: string;
  /** Mobile blocks, whole (allocated or not): never presented by a call center. */
  readonly mobile: readonly string[];
  /** Verified multi-purpose numbers (numéros polyvalents vérifiés): what automated dialers present. */
  readonly npv: readonly { readonly prefix: string; readonly area: NpvArea }[];
  /** Overseas prefixes (fixed and mobile) and the calling code each is reached by from abroad. */
  readonly overseas: readonly OverseasPrefix[];
  /**
   * Geographic prefixes of the three Alsace-Moselle départements, whose consumers keep Good Friday
   * and 26 December (Code du travail L.3134-13, in rules/fr/local-holidays.ts).
   */
  readonly alsaceMoselle: readonly { readonly prefix: string; readonly departement: string }[];
}

export interface OverseasPrefix {
  readonly prefix: string;
  readonly territory: Territory;
  readonly countryCode: string;
}

const overseas = (territory: Territory, countryCode: string, ...prefixes: string[]): OverseasPrefix[] =>
  prefixes.map((prefix) => ({ prefix, territory, countryCode }));

export const FR_NUMBERING: FrenchNumbering = deepFreeze({
  source: 'ARCEP décision n° 2018-0881 (plan national de numérotation) as amended, and décision n° 2022-1583 (NPV ranges, mobiles banned as caller ID)',
  asOf: '2023-01-01',
  mobile: ['06', '07'],
  npv: [
    { prefix: '0162', area: '1' }, { prefix: '0163', area: '1' },
    { prefix: '0270', area: '2' }, { prefix: '0271', area: '2' },
    { prefix: '0377', area: '3' }, { prefix: '0378', area: '3' },
    { prefix: '0424', area: '4' }, { prefix: '0425', area: '4' },
    { prefix: '0568', area: '5' }, { prefix: '0569', area: '5' },
    { prefix: '0948', area: 'non-geographic' }, { prefix: '0949', area: 'non-geographic' },
    { prefix: '09475', area: 'GP' }, { prefix: '09476', area: 'GF' }, { prefix: '09477', area: 'MQ' },
    { prefix: '09478', area: 'RE-YT' }, { prefix: '09479', area: 'RE-YT' },
  ],
  // Guadeloupe's 0590/0690/0691 also serve Saint-Martin and Saint-Barthélemy.
  overseas: [
    ...overseas('RE', '262', '0262', '0263', '0692', '0693'),
    ...overseas('YT', '262', '0269', '0639'),
    ...overseas('GP', '590', '0590', '0690', '0691'),
    ...overseas('GF', '594', '0594', '0694'),
    ...overseas('MQ', '596', '0596', '0696', '0697'),
    ...overseas('PM', '508', '0508'),
  ],
  // Zone 03's prefixes of Moselle (Metz), Bas-Rhin (Strasbourg) and Haut-Rhin (Colmar, Mulhouse).
  alsaceMoselle: [{ prefix: '0387', departement: '57' }, { prefix: '0388', departement: '67' }, { prefix: '0389', departement: '68' }],
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
