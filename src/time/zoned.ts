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

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23',
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

/**
 * The wall clock in `timeZone` at `instant`. Intl is slow (a formatToParts call costs more than the
 * rest of a decision), so the zone's UTC offset is computed once per quarter hour of UTC time and
 * cached: every time-zone transition in use falls on a quarter-hour boundary.
 */
export function localTime(instant: Date, timeZone: string): LocalTime {
  const ms = instant.getTime();
  const local = new Date(ms + offsetMs(ms, timeZone));
  const day = local.getUTCDay();
  return {
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(),
    hour: local.getUTCHours(), minute: local.getUTCMinutes(), weekday: day === 0 ? 7 : day,
  };
}

const QUARTER_HOUR = 900_000;
const MAX_CACHED = 20_000;
const offsets = new Map<string, Map<number, number>>();

function offsetMs(ms: number, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const bucket = Math.floor(ms / QUARTER_HOUR);
  let offset = zone.get(bucket);
  if (offset === undefined) {
    if (zone.size >= MAX_CACHED) zone.clear();
    offset = computeOffset(bucket * QUARTER_HOUR, timeZone);
    zone.set(bucket, offset);
  }
  return offset;
}

function computeOffset(ms: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return wall - ms;
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
