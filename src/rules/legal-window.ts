import type { Campaign, Slot } from '../model/types.js';
import { localTime, startOfNextLocalDay, zonedInstant } from '../time/zoned.js';

/** A law's calling window: its slots of the local day, on its ISO weekdays (1–7). */
export interface LegalWindow {
  readonly slots: readonly Slot[];
  readonly days: ReadonlySet<number>;
}

/** The first instant ≥ t inside the window (narrowed by the campaign's hours) in time zone `tz`; null if it never opens. */
export function nextWindowOpening(window: LegalWindow, own: Campaign['hours'], tz: string, t: Date): Date | null {
  let day = t;
  for (let i = 0; i < 15; i++) {
    const local = localTime(day, tz);
    for (const slot of slotsWithin(window, own, local.weekday)) {
      const start = zonedInstant(local.year, local.month, local.day, slot.from, tz);
      const end = zonedInstant(local.year, local.month, local.day, slot.to, tz);
      if (t < end) return t >= start ? t : start;
    }
    day = startOfNextLocalDay(day, tz);
  }
  return null; // a campaign whose hours never open
}

/** The window's slots of a weekday within a campaign's own hours (null: the law's window). */
export function slotsWithin(window: LegalWindow, own: Campaign['hours'], weekday: number): readonly Slot[] {
  if (!window.days.has(weekday)) return [];
  if (own === null) return window.slots;
  const narrowed: Slot[] = [];
  for (const legal of window.slots) {
    for (const mine of own.get(weekday) ?? []) {
      const from = Math.max(legal.from, mine.from);
      const to = Math.min(legal.to, mine.to);
      if (from < to) narrowed.push({ from, to });
    }
  }
  return narrowed.sort((a, b) => a.from - b.from);
}

/** Whether a campaign's own hours never meet the window on any weekday. */
export function neverMeetsWindow(window: LegalWindow, own: Campaign['hours']): boolean {
  return own !== null && ![1, 2, 3, 4, 5, 6, 7].some((weekday) => slotsWithin(window, own, weekday).length > 0);
}
