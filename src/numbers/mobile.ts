import { isFrenchMobile } from './france.js';
import { numberType, type Phone } from './phone.js';

/**
 * Whether a number is a mobile: the French plan by ARCEP's ranges (06, 07, allocated or not), Spain's
 * by its plan (6xx, 7xx: libphonenumber-js leaves unallocated blocks untyped), any other country as
 * libphonenumber-js types it — FIXED_LINE_OR_MOBILE counted as mobile, since presenting a mobile is
 * what the rules forbid.
 */
export function isMobileNumber(phone: Phone): boolean {
  if (phone.national !== null) return isFrenchMobile(phone.national);
  if (phone.countryCode === '34') return /^\+34[67]/.test(phone.e164);
  const type = numberType(phone);
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}
