/**
 * VICIdial's caller ID name on an auto-dialed call: `V`, a date, then the lead id, 20 characters.
 * Its bin/AST_VDauto_dial.pl writes `V` + `mmddhhmmss` cut to its last 9 characters (12-07 10:30:00
 * → `207103000`, so the month is one digit, 0 for October) + the lead id zero-padded to 10 digits;
 * some older scripts still write `V` + the whole `mmddhhmmss` + a 9-digit lead. Both are 20
 * characters of digits after the `V`, so a name may read both ways: the current form is tried
 * first, as VICIdial's own hangup logging (FastAGI_log.pl, `substr($callerid, 10, 10)`) reads it,
 * and the older one only when the current form's date is impossible.
 */

export interface VicidialName {
  /** The lead id, without its zero padding (`0000001234` → `1234`), as VICIdial's lead_id. */
  readonly lead: string;
  /** `lead10`: V + mddhhmmss + 10-digit lead; `lead9`: V + mmddhhmmss + 9-digit lead. */
  readonly form: 'lead10' | 'lead9';
}

const NAME = /^V(\d{19})$/;

function within(text: string, min: number, max: number): boolean {
  const n = Number(text);
  return n >= min && n <= max;
}

/** `ddhhmmss` at the start of `s`: a day 01–31, an hour, minutes and seconds. */
function validDayTime(s: string): boolean {
  return within(s.slice(0, 2), 1, 31) && within(s.slice(2, 4), 0, 23) && within(s.slice(4, 6), 0, 59) && within(s.slice(6, 8), 0, 59);
}

function leadOf(digits: string): string | null {
  const lead = digits.replace(/^0+/, '');
  return lead === '' ? null : lead;
}

/** The lead id a VICIdial auto-dial caller ID name carries; null for any other name. */
export function parseVicidialName(name: string | null | undefined): VicidialName | null {
  const digits = NAME.exec(name ?? '')?.[1];
  if (digits === undefined) return null;
  // Current form: one month digit (any: 0 is October, 1 January or November, 2 February or December).
  if (validDayTime(digits.slice(1, 9))) {
    const lead = leadOf(digits.slice(9));
    return lead === null ? null : { lead, form: 'lead10' };
  }
  if (within(digits.slice(0, 2), 1, 12) && validDayTime(digits.slice(2, 10))) {
    const lead = leadOf(digits.slice(10));
    return lead === null ? null : { lead, form: 'lead9' };
  }
  return null;
}
