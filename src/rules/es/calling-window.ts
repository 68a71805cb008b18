import type { Campaign } from '../../model/types.js';
import { neverMeetsWindow, nextWindowOpening, type LegalWindow } from '../legal-window.js';
import { parisMidnight, type CallRule } from '../rule.js';

/** Monday–Friday, 09:00–21:00 in the consumer's time zone; [from, to) in minutes of the day. */
const LEGAL_WINDOW: LegalWindow = { slots: [{ from: 9 * 60, to: 21 * 60 }], days: new Set([1, 2, 3, 4, 5]) };

const SOURCE = 'Real Decreto Legislativo 1/2007 (TRLGDCU) art. 96.2, as amended by Ley 3/2014: commercial calls never before 09:00 nor after 21:00, nor on holidays or weekends';

/**
 * Commercial calls to a Spanish consumer only Mon–Fri 09:00–21:00 in the consumer's time zone (the
 * Canaries an hour behind the peninsula). The text says "en ningún caso": no consent lifts it, not
 * even `consentAnytime`. Campaigns may only narrow it. In force from Ley 3/2014's entry into force.
 */
export const spanishCallingWindow: CallRule = {
  code: 'outside-calling-hours',
  source: SOURCE,
  // Madrid and Paris share a time zone: midnight of the date in Spain.
  since: parisMidnight('2014-03-29'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting',
  nextAllowed: (ctx, t) => nextWindowOpening(LEGAL_WINDOW, ctx.campaign.hours, ctx.area.timeZone, t),
};

/** Why a prospecting campaign's own hours can never call a Spanish consumer, or null. */
export function hoursOutsideSpanishWindow(own: Campaign['hours']): string | null {
  if (!neverMeetsWindow(LEGAL_WINDOW, own)) return null;
  return 'these hours never meet the Spanish legal window (Mon–Fri 09:00–21:00, TRLGDCU art. 96.2): every prospecting call to a Spanish number will be blocked (outside-calling-hours), with no retry time';
}
