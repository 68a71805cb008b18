import { localTime } from '../time/zoned.js';

/**
 * A telephone number partly hidden: enough to tell numbers apart on a screen or a printout,
 * not enough to call the consumer. "+33145678901" → "+3314•••••01".
 */
export function maskNumber(number: string): string {
  if (number.length <= 7) return '•'.repeat(number.length);
  return `${number.slice(0, 5)}${'•'.repeat(number.length - 7)}${number.slice(-2)}`;
}

/** Our own numbers (pools, `ownedNumbers`) are not personal data: shown whole; any other number is masked. */
export function maskUnlessOwned(number: string | null, owned: ReadonlySet<string>): string | null {
  return number === null || owned.has(number) ? number : maskNumber(number);
}

/** What the report and the audit trail call a consumer's area: the territory, the zone, else the country. */
export function areaLabel(area: { territory?: string | null; zone?: string | null; country?: string | null } | null): string | null {
  if (!area) return null;
  if (area.territory) return area.territory;
  if (area.zone) return `zone ${area.zone}`;
  return area.country ?? null;
}

/** "Mon 2026-11-30 20:05 (Indian/Reunion)": an instant as the wall clock read there. */
export function consumerTime(at: Date, timeZone: string): string {
  const l = localTime(at, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][l.weekday - 1];
  return `${day} ${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)} (${timeZone})`;
}
