import type { Area } from '../../numbers/area.js';
import { isFixedPresentable } from '../../numbers/france.js';
import { sharedPrefixLength, type Phone } from '../../numbers/phone.js';
import type { Dialing, PoolNumber } from '../../model/types.js';

/**
 * Which pool number a French call center presents (ARCEP décision n° 2022-1583). Automated calls:
 * an NPV number of the callee's area, then a non-geographic NPV (0948/0949); nothing else. Manual
 * calls: fixed non-NPV numbers by the longest national prefix shared with the callee (04 72…
 * before 04…, before 09…, before another zone), then NPV numbers as a last resort.
 */
export function rankFrenchPoolNumber(number: PoolNumber, dialing: Dialing, area: Area, callee: Phone): number | null {
  return dialing === 'automated' ? npvRank(number, area) : manualRank(number, callee);
}

function npvRank(number: PoolNumber, area: Area): number | null {
  if (number.npv === area.npvArea) return 0;
  if (number.npv === 'non-geographic') return 1;
  return null;
}

const NPV_FALLBACK = 1000;

function manualRank(number: PoolNumber, callee: Phone): number | null {
  const own = number.phone;
  if (own.national !== null && !isFixedPresentable(own.national)) return null;
  if (number.npv !== null) return NPV_FALLBACK;
  // Compare like with like: national spellings within the French plan, E.164 otherwise.
  const shared = own.national !== null && callee.national !== null
    ? sharedPrefixLength(own.national, callee.national)
    : sharedPrefixLength(own.e164, callee.e164) - 1;
  // Rank by shared digits (more is better); a 09 number beats another zone's geographic number.
  const nonGeographicBonus = shared <= 1 && own.national?.startsWith('09') ? 0.5 : 0;
  return 100 - shared - nonGeographicBonus;
}
