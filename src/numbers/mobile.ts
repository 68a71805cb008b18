import { ES_NUMBERING } from './es-numbering.js';
import { isFrenchMobile } from './france.js';
import { numberType, type Phone } from './phone.js';

/**
 * Whether a number is a mobile: the French plan by ARCEP's ranges (fr-numbering.ts), Spain's by
 * its plan (es-numbering.ts: libphonenumber-js leaves unallocated blocks untyped), any other
 * country as libphonenumber-js types it — FIXED_LINE_OR_MOBILE counted as mobile, since presenting
 * a mobile is what the rules forbid.
 */
export function isMobileNumber(phone: Phone): boolean {
  if (phone.national !== null) return isFrenchMobile(phone.national);
  if (phone.countryCode === '34') return isSpanishMobile(phone.e164);
  const type = numberType(phone);
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** `+34` followed by one of Spain's mobile blocks (a loop: this runs for every pool number of a rewritten call). */
function isSpanishMobile(e164: string): boolean {
  for (const prefix of ES_NUMBERING.mobile) if (e164.startsWith(prefix, 3)) return true;
  return false;
}
