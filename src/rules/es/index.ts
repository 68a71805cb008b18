import type { CountryRules } from '../country.js';
import { hoursOutsideSpanishWindow, spanishCallingWindow } from './calling-window.js';
import { spanishConsent } from './consent.js';
import { spanishHolidays } from './holidays.js';
import { robinsonList } from './robinson.js';
import { spanishMobileCallerId, spanishOwnedCallerId } from './caller-id.js';
import { checkSpanishPool } from './pool.js';
import { rankSpanishPoolNumber } from './pool-choice.js';

/**
 * Spain: owned geographic or 800/900 numbers only, no mobiles; consumers protected by TRLGDCU's
 * hours and holidays, Ley 11/2022's consent and the Robinson list. No legal attempt cap (the
 * campaign's own `limits` still apply).
 */
export const spain: CountryRules = {
  country: 'ES',
  callerIdRules: [spanishMobileCallerId, spanishOwnedCallerId],
  consumerRules: [robinsonList, spanishCallingWindow, spanishHolidays, spanishConsent],
  prospectingLimits: null,
  checkPool: checkSpanishPool,
  rankPoolNumber: rankSpanishPoolNumber,
  hoursProblem: hoursOutsideSpanishWindow,
};
