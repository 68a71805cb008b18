import type { Area } from '../../numbers/area.js';
import { sharedPrefixLength, type Phone } from '../../numbers/phone.js';
import type { Dialing, PoolNumber } from '../../model/types.js';

/**
 * Which pool number a Spanish call center presents: Spain has no ranges reserved for dialers, so
 * the most local one, by the longest E.164 prefix shared with the callee (Barcelona's +34 93…
 * before Madrid's +34 91… for a Barcelona callee), automated or manual. Mobiles never reach the
 * pool (checkSpanishPool).
 */
export function rankSpanishPoolNumber(number: PoolNumber, _dialing: Dialing, _area: Area, callee: Phone): number {
  return -sharedPrefixLength(number.phone.e164, callee.e164);
}
