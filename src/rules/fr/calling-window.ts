import type { Campaign } from '../../model/types.js';
import { neverMeetsWindow, nextWindowOpening, type LegalWindow } from '../legal-window.js';
import { parisMidnight, type CallRule } from '../rule.js';

/** Monday–Friday, 10:00–13:00 and 14:00–20:00 local time; [from, to) in minutes of the day. */
const LEGAL_WINDOW: LegalWindow = {
  slots: [{ from: 10 * 60, to: 13 * 60 }, { from: 14 * 60, to: 20 * 60 }],
  days: new Set([1, 2, 3, 4, 5]),
};

/**
 * Prospecting calls only within the legal window, in the consumer's time zone, unless the
 * consumer expressly agreed to be called outside it. Campaigns may only narrow the window.
 */
export const callingWindow: CallRule = {
  code: 'outside-calling-hours',
  source: 'Code de la consommation art. D.223-9 (décret n° 2022-1313): Mon–Fri 10:00–13:00 and 14:00–20:00',
  since: parisMidnight('2023-03-01'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting' && !ctx.consentAnytime,
  nextAllowed: (ctx, t) => nextWindowOpening(LEGAL_WINDOW, ctx.campaign.hours, ctx.area.timeZone, t),
};

/** Why a prospecting campaign's own hours can never call a French consumer, or null when they meet the window. */
export function hoursOutsideLegalWindow(own: Campaign['hours']): string | null {
  if (!neverMeetsWindow(LEGAL_WINDOW, own)) return null;
  return 'these hours never meet the legal window (Mon–Fri 10:00–13:00 and 14:00–20:00, Code de la consommation D.223-9): every prospecting call to a French number will be blocked (outside-calling-hours), with no retry time';
}
