import type { CountryRules } from '../country.js';
import { attemptLimit, LEGAL_MAX_ATTEMPTS, LEGAL_REFUSAL_DAYS, LEGAL_WINDOW_DAYS, minGap, refusedRecently } from './attempt-limits.js';
import { callingWindow, hoursOutsideLegalWindow } from './calling-window.js';
import { fixedForManual, mobileCallerId, npvForAutomated, ownedCallerId } from './caller-id.js';
import { consentRequired } from './consent.js';
import { checkFrenchPool } from './pool.js';
import { rankFrenchPoolNumber } from './pool-choice.js';
import { publicHolidays } from './public-holidays.js';

/** France: ARCEP's caller-ID and pool rules, the Code de la consommation's protection of consumers. */
export const france: CountryRules = {
  country: 'FR',
  callerIdRules: [mobileCallerId, ownedCallerId, npvForAutomated, fixedForManual],
  // The whole French numbering plan, overseas included.
  consumerRules: [callingWindow, publicHolidays, attemptLimit, minGap, refusedRecently, consentRequired],
  prospectingLimits: { maxAttempts: LEGAL_MAX_ATTEMPTS, windowDays: LEGAL_WINDOW_DAYS, refusalDays: LEGAL_REFUSAL_DAYS },
  checkPool: checkFrenchPool,
  rankPoolNumber: rankFrenchPoolNumber,
  hoursProblem: hoursOutsideLegalWindow,
};
