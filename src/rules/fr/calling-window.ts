import type { Campaign, Slot } from '../../model/types.js';
import { localTime, startOfNextLocalDay, zonedInstant } from '../../time/zoned.js';
import { parisMidnight, type CallRule, type RuleContext } from '../rule.js';

/** Monday–Friday, 10:00–13:00 and 14:00–20:00 local time; [from, to) in minutes of the day. */
const LEGAL_SLOTS: readonly Slot[] = [
  { from: 10 * 60, to: 13 * 60 },
  { from: 14 * 60, to: 20 * 60 },
];
const LEGAL_DAYS = new Set([1, 2, 3, 4, 5]);

/**
 * Prospecting calls only within the legal window, in the consumer's time zone, unless the
 * consumer expressly agreed to be called outside it. Campaigns may only narrow the window.
 */
export const callingWindow: CallRule = {
  code: 'outside-calling-hours',
  source: 'Code de la consommation art. D.223-9 (décret n° 2022-1313): Mon–Fri 10:00–13:00 and 14:00–20:00',
  since: parisMidnight('2023-03-01'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting' && !ctx.consentAnytime,
  nextAllowed(ctx, t) {
    const tz = ctx.area.timeZone;
    let day = t;
    for (let i = 0; i < 15; i++) {
      const local = localTime(day, tz);
      for (const slot of slotsOn(ctx, local.weekday)) {
        const start = zonedInstant(local.year, local.month, local.day, slot.from, tz);
        const end = zonedInstant(local.year, local.month, local.day, slot.to, tz);
        if (t < end) return t >= start ? t : start;
      }
      day = startOfNextLocalDay(day, tz);
    }
    return null; // a campaign whose hours never open
  },
};

/** The legal slots of a weekday, intersected with the campaign's own hours. */
function slotsOn(ctx: RuleContext, weekday: number): readonly Slot[] {
  return legalSlotsWithin(ctx.campaign.hours, weekday);
}

/** The legal slots of a weekday within a campaign's own hours (null: the law's window). */
function legalSlotsWithin(own: Campaign['hours'], weekday: number): readonly Slot[] {
  if (!LEGAL_DAYS.has(weekday)) return [];
  if (own === null) return LEGAL_SLOTS;
  const narrowed: Slot[] = [];
  for (const legal of LEGAL_SLOTS) {
    for (const mine of own.get(weekday) ?? []) {
      const from = Math.max(legal.from, mine.from);
      const to = Math.min(legal.to, mine.to);
      if (from < to) narrowed.push({ from, to });
    }
  }
  return narrowed.sort((a, b) => a.from - b.from);
}

/** Why a prospecting campaign's own hours can never call a French consumer, or null when they meet the window. */
export function hoursOutsideLegalWindow(own: Campaign['hours']): string | null {
  if (own === null || [1, 2, 3, 4, 5, 6, 7].some((weekday) => legalSlotsWithin(own, weekday).length > 0)) return null;
  return 'these hours never meet the legal window (Mon–Fri 10:00–13:00 and 14:00–20:00, Code de la consommation D.223-9): every prospecting call to a French number will be blocked (outside-calling-hours), with no retry time';
}
