import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { overseasCountryCode } from './france.js';

/**
 * A telephone number in one canonical form. `national` is the 10-digit French-plan spelling
 * (0 + 9 digits; 0508 + 6 for Saint-Pierre-et-Miquelon) for every number of the French numbering
 * plan, overseas included, because ARCEP's ranges are defined on that spelling; null elsewhere.
 */
export interface Phone {
  readonly e164: string;
  readonly countryCode: string;
  readonly national: string | null;
}

/** Calling codes of the French numbering plan, with how a national 0-number maps onto each. */
const FRENCH_PLAN_CODES = new Set(['33', '262', '590', '594', '596', '508']);

const MAX_INPUT = 64;

/**
 * Whose national spelling a number without `+`/`00` is read in: the site's country's (`country`
 * in the config). `FR`: `0` + 9 digits; `ES`: 9 digits, no trunk prefix.
 */
export type NumberingPlan = 'FR' | 'ES';

/**
 * Parses a number in any usual spelling: `01 45 67 89 01`, `01.45.67.89.01`, `+33 1 45…`,
 * `0033 1 45…`, `33145…`, overseas `0262…`/`+262 262…`, the trunk 0 kept in parentheses or
 * written twice (`+33 (0)4 72…`, `0033 (0)4 72…`, `+33 0 4 72…`, `+330472…`) and RFC 3966
 * `tel:+33472…`. Returns null for anything that is not a plausible dialable number (letters, too
 * short or long, a lone `+`, two trunk zeros, a `tel:` extension or sub-address). Never throws.
 */
export function parsePhone(raw: string | null | undefined, plan: NumberingPlan = 'FR'): Phone | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_INPUT) return null;
  const text = withoutTelScheme(raw.trim());
  if (text === null) return null;
  // `+44 (0)20…`, `+33 (0)4…`: the trunk 0 in parentheses after the country code is not dialled.
  const trunk = /^(\+|00)[\s.\u00a0]*(\d{1,3})[\s.\u00a0]*\(\s*0\s*\)/.exec(text);
  const unbracketed = trunk ? trunk[1]! + trunk[2]! + text.slice(trunk[0].length) : text;
  const compact = unbracketed.replace(/[\s.\-()/\u00a0]/g, '');
  if (!/^\+?\d{4,20}$/.test(compact)) return null;

  let international: string | null = null;
  if (compact.startsWith('+')) international = compact.slice(1);
  else if (compact.startsWith('00')) international = compact.slice(2);
  else if (plan === 'ES') international = spanishWithoutPrefix(compact);
  else if (compact.startsWith('0')) return fromFrenchNational(compact);
  else if (compact.startsWith('33') && compact.length === 11) international = compact;
  else return null;
  if (international === null) return null;

  if (international.startsWith('33')) {
    // `+33 0 4 72…`: a French significant number never starts with 0, so ten digits after +33
    // starting with 0 carry the trunk 0 once more (unless it was already given in parentheses);
    // anything else with a 0 there is refused below.
    const significant = international.slice(2);
    const twice = !trunk && significant.length === 10 && significant.startsWith('0');
    return fromFrenchNational(twice ? significant : '0' + significant);
  }
  return fromInternational(international);
}

/**
 * A number a Spanish PBX dials without `+`/`00`: nine digits (no trunk prefix in Spain's plan,
 * the first digit 6–9) or `34` and nine digits. A French national spelling (`0612345678`) is
 * nothing on a Spanish site: null.
 */
function spanishWithoutPrefix(compact: string): string | null {
  if (/^[6-9]\d{8}$/.test(compact)) return '34' + compact;
  if (/^34[6-9]\d{8}$/.test(compact)) return compact;
  return null;
}

/**
 * An RFC 3966 `tel:` URI's number (its parameters dropped), or the text as it is. An extension
 * or sub-address (`;ext=`, `;isub=`) names another line behind the number: refused (null).
 */
function withoutTelScheme(text: string): string | null {
  if (!/^tel:/i.test(text)) return text;
  const [number = '', ...params] = text.slice(4).split(';');
  return params.some((p) => /^\s*(ext|isub)\s*=/i.test(p)) ? null : number;
}

/** A national French-plan spelling → Phone. Overseas prefixes get their own calling codes first. */
function fromFrenchNational(national: string): Phone | null {
  if (!/^0[1-9]\d{8}$/.test(national)) return null;
  const overseas = overseasCountryCode(national);
  if (overseas === '508') return { e164: '+508' + national.slice(4), countryCode: '508', national };
  const cc = overseas ?? '33';
  return { e164: `+${cc}${national.slice(1)}`, countryCode: cc, national };
}

function fromInternational(digits: string): Phone | null {
  for (const cc of FRENCH_PLAN_CODES) {
    if (!digits.startsWith(cc)) continue;
    const rest = digits.slice(cc.length);
    if (cc === '508') return /^\d{6}$/.test(rest) ? fromFrenchNational('0508' + rest) : null;
    if (!/^\d{9}$/.test(rest)) return null;
    const national = '0' + rest;
    // +262 692… is Réunion's mobile range; a number under the wrong overseas code is not ours to fix.
    const expected = overseasCountryCode(national) ?? '33';
    return expected === cc ? fromFrenchNational(national) : null;
  }
  if (digits.length < 6 || digits.length > 15) return null;
  const parsed = parsePhoneNumberFromString('+' + digits);
  if (!parsed || !parsed.isPossible()) return null;
  return { e164: parsed.number, countryCode: parsed.countryCallingCode, national: null };
}

/** The number's line type as libphonenumber-js's full metadata sees it (used outside the French plan). */
export function numberType(phone: Phone): NumberType {
  return parsePhoneNumberFromString(phone.e164)?.getType();
}

export type NumberFormat = 'national' | 'e164' | 'international';

/**
 * How a PBX wants a number written: national `0145…` (a Spanish number: its nine digits `912…`),
 * E.164 `+33145…`, or international `33145…`.
 */
export function formatNumber(e164: string, format: NumberFormat): string {
  if (format === 'e164') return e164;
  if (format === 'international') return e164.slice(1);
  if (/^\+34\d{9}$/.test(e164)) return e164.slice(3);
  return parsePhone(e164)?.national ?? e164;
}

/** How many leading characters two spellings share: how local one number is to another. */
export function sharedPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}
