/**
 * Instants as people read them: the wall clock of a named time zone, never bare UTC. Machine
 * outputs (--json, CSV, logs) keep ISO instants; everything a person reads goes through here.
 */
import { localTime, type LocalTime } from './zoned.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const HOUR_MS = 3_600_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** The zone's offset from UTC at the instant, in minutes (east positive). */
function offsetMinutes(ms: number, timeZone: string): number {
  const t = localTime(new Date(ms), timeZone);
  const minute = Math.floor(ms / 60_000) * 60_000;
  return Math.round((Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) - minute) / 60_000);
}

/**
 * True when the wall clock reads the same at another instant too: the repeated hour when clocks go
 * back (Paris, last Sunday of October, 02:00–03:00 twice). Such a time needs its offset to be read.
 */
function ambiguous(ms: number, timeZone: string): boolean {
  const offset = offsetMinutes(ms, timeZone);
  for (const other of [offsetMinutes(ms - 2 * HOUR_MS, timeZone), offsetMinutes(ms + 2 * HOUR_MS, timeZone)]) {
    if (other === offset) continue;
    const twin = ms + (offset - other) * 60_000;
    if (offsetMinutes(twin, timeZone) === other) return true;
  }
  return false;
}

function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

function wallClock(t: LocalTime, withYear: boolean): string {
  return `${WEEKDAYS[t.weekday - 1]} ${t.day} ${MONTHS[t.month - 1]}${withYear ? ` ${t.year}` : ''} ${pad(t.hour)}:${pad(t.minute)}`;
}

export interface DisplayOptions {
  /** The year is shown only when it differs from this instant's (default: always shown). */
  readonly near?: Date;
  /** The callee's time zone: when it differs from `timeZone`, its wall clock follows in the brackets. */
  readonly alsoIn?: string | null;
}

/**
 * `Mon 30 Nov 10:00 (Europe/Paris)`: the wall clock in `timeZone` and the zone's name; in the hour
 * that happens twice when clocks go back, the offset too (`Sun 25 Oct 02:30 (Europe/Paris, UTC+01:00)`);
 * with `alsoIn`, the callee's own clock (`Mon 30 Nov 15:00 (Europe/Paris; 10:00 in America/Guadeloupe)`).
 */
export function formatInstant(instant: Date, timeZone: string, { near, alsoIn }: DisplayOptions = {}): string {
  const ms = instant.getTime();
  const t = localTime(instant, timeZone);
  const withYear = near === undefined || localTime(near, timeZone).year !== t.year;
  const zone = ambiguous(ms, timeZone) ? `${timeZone}, ${utcOffset(offsetMinutes(ms, timeZone))}` : timeZone;
  let also = '';
  if (alsoIn && alsoIn !== timeZone && offsetMinutes(ms, alsoIn) !== offsetMinutes(ms, timeZone)) {
    const c = localTime(instant, alsoIn);
    const sameDay = c.day === t.day && c.month === t.month;
    also = `; ${sameDay ? '' : `${WEEKDAYS[c.weekday - 1]} ${c.day} ${MONTHS[c.month - 1]} `}${pad(c.hour)}:${pad(c.minute)} in ${alsoIn}`;
  }
  return `${wallClock(t, withYear)} (${zone}${also})`;
}

/** `2026-11-30 10:00`: the compact wall clock for a table whose header names the zone. */
export function formatTableTime(instant: Date, timeZone: string): string {
  const t = localTime(instant, timeZone);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}
