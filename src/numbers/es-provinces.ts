/**
 * Spain's geographic numbering: the provincial prefix of a national number → its province, its
 * autonomous community (date-holidays' region code of `ES`) and its time zone. Source: Plan
 * nacional de numeración telefónica (Real Decreto 2296/2004, annex: "indicativos provinciales"),
 * as published by the CNMC (numeracion.cnmc.es, "Numeración geográfica"). The 8xx geographic block
 * repeats the 9xx provincial prefixes (81 Madrid as 91…); 80x is not geographic.
 *
 * Ceuta and Melilla have no prefix of their own: Ceuta numbers are in Cádiz's 956, Melilla's in
 * Málaga's 952. A number can say no more than its prefix, so 956 reads as Cádiz (Andalucía) and
 * 952 as Málaga (Andalucía); both cities keep peninsular time, so only their holidays may differ.
 */
export interface SpanishProvince {
  readonly province: string;
  /** date-holidays region of `ES` (MD, CT, AN, CN…). */
  readonly community: string;
  readonly timeZone: 'Europe/Madrid' | 'Atlantic/Canary';
}

export const ES_PROVINCES_SOURCE = 'Plan nacional de numeración telefónica (Real Decreto 2296/2004), provincial prefixes as published by the CNMC';

const MADRID_TZ = 'Europe/Madrid';
const CANARY_TZ = 'Atlantic/Canary';

/** [prefix after +34 (9xx form), province, community] */
const TABLE: readonly (readonly [string, string, string])[] = [
  ['91', 'Madrid', 'MD'], ['93', 'Barcelona', 'CT'],
  ['920', 'Ávila', 'CL'], ['921', 'Segovia', 'CL'], ['922', 'Santa Cruz de Tenerife', 'CN'], ['923', 'Salamanca', 'CL'],
  ['924', 'Badajoz', 'EX'], ['925', 'Toledo', 'CM'], ['926', 'Ciudad Real', 'CM'], ['927', 'Cáceres', 'EX'],
  ['928', 'Las Palmas', 'CN'], ['941', 'La Rioja', 'RI'], ['942', 'Cantabria', 'CB'], ['943', 'Gipuzkoa', 'PV'],
  ['944', 'Bizkaia', 'PV'], ['945', 'Araba/Álava', 'PV'], ['946', 'Bizkaia', 'PV'], ['947', 'Burgos', 'CL'],
  ['948', 'Navarra', 'NC'], ['949', 'Guadalajara', 'CM'], ['950', 'Almería', 'AN'], ['951', 'Málaga', 'AN'],
  ['952', 'Málaga (and Melilla)', 'AN'], ['953', 'Jaén', 'AN'], ['954', 'Sevilla', 'AN'], ['955', 'Sevilla', 'AN'],
  ['956', 'Cádiz (and Ceuta)', 'AN'], ['957', 'Córdoba', 'AN'], ['958', 'Granada', 'AN'], ['959', 'Huelva', 'AN'],
  ['960', 'Valencia', 'VC'], ['961', 'Valencia', 'VC'], ['962', 'Valencia', 'VC'], ['963', 'Valencia', 'VC'],
  ['964', 'Castellón', 'VC'], ['965', 'Alicante', 'VC'], ['966', 'Alicante', 'VC'], ['967', 'Albacete', 'CM'],
  ['968', 'Murcia', 'MC'], ['969', 'Cuenca', 'CM'], ['971', 'Illes Balears', 'IB'], ['972', 'Girona', 'CT'],
  ['973', 'Lleida', 'CT'], ['974', 'Huesca', 'AR'], ['975', 'Soria', 'CL'], ['976', 'Zaragoza', 'AR'],
  ['977', 'Tarragona', 'CT'], ['978', 'Teruel', 'AR'], ['979', 'Palencia', 'CL'], ['980', 'Zamora', 'CL'],
  ['981', 'A Coruña', 'GA'], ['982', 'Lugo', 'GA'], ['983', 'Valladolid', 'CL'], ['984', 'Asturias', 'AS'],
  ['985', 'Asturias', 'AS'], ['986', 'Pontevedra', 'GA'], ['987', 'León', 'CL'], ['988', 'Ourense', 'GA'],
];

const CANARY_PREFIXES = new Set(['922', '928']);

/** Both the 9xx and the 8xx spelling of each prefix. */
const BY_PREFIX: ReadonlyMap<string, SpanishProvince> = new Map(TABLE.flatMap(([prefix, province, community]) => {
  const entry: SpanishProvince = Object.freeze({ province, community, timeZone: CANARY_PREFIXES.has(prefix) ? CANARY_TZ : MADRID_TZ });
  return [[prefix, entry], ['8' + prefix.slice(1), entry]] as const;
}));

/** The province of a Spanish national significant number (9 digits), or null when it is not geographic. */
export function spanishProvince(national: string): SpanishProvince | null {
  return BY_PREFIX.get(national.slice(0, 3)) ?? BY_PREFIX.get(national.slice(0, 2)) ?? null;
}
