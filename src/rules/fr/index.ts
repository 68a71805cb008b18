import type { CallRule, CallerIdRule } from '../rule.js';
import { attemptLimit, minGap, refusedRecently } from './attempt-limits.js';
import { callingWindow } from './calling-window.js';
import { fixedForManual, mobileCallerId, npvForAutomated, ownedCallerId } from './caller-id.js';
import { consentRequired } from './consent.js';
import { publicHolidays } from './public-holidays.js';

/** What a French call center may present. */
export const callerIdRules: readonly CallerIdRule[] = [mobileCallerId, ownedCallerId, npvForAutomated, fixedForManual];

/** What protects French consumers (the whole French numbering plan, overseas included). */
export const consumerRules: readonly CallRule[] = [
  callingWindow, publicHolidays, attemptLimit, minGap, refusedRecently, consentRequired,
];
