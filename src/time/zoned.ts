/** Wall-clock arithmetic in IANA time zones, on Intl alone (no dependency needed). */

export interface LocalTime {
  readonly year: number;
  readonly month: number; // 1–12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number; // 1 = Monday … 7 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** `YYYY-MM-DD` of the instant's local date. */
export function localDateKey(instant: Date, timeZone: string): string {
  const t = localTime(instant, timeZone);
  return dateKey(t.year, t.month, t.day);
}

export function dateKey(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The instant at which the local wall clock in `timeZone` reads the given date and minute of day.
 * In a spring-forward gap the wall time does not exist; the first instant after it is returned.
 */
export function zonedInstant(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const t = localTime(new Date(guess), timeZone);
    const seen = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
    if (seen === wall) return new Date(guess);
    guess += wall - seen;
  }
  return new Date(guess);
}

/** Local midnight of the day after the instant's local date. */
export function startOfNextLocalDay(instant: Date, timeZone: string): Date {
  const t = localTime(instant, timeZone);
  const next = new Date(Date.UTC(t.year, t.month - 1, t.day + 1));
  return zonedInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, timeZone);
}

export const DAY_MS = 86_400_000;
