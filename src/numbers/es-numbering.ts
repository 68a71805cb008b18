/**
 * Spain's numbering plan as far as cidgate's rules read it, as data in one place (as
 * fr-numbering.ts is for France): prefixes of the 9-digit national significant number (what
 * follows +34). Update the table, `asOf` and `source` together when the plan changes.
 */
export interface SpanishNumbering {
  /** The texts the table reproduces. */
  readonly source: string;
  /** The plan as in force on this date (`YYYY-MM-DD`). */
  readonly asOf: string;
  /**
   * Mobile blocks, whole (allocated or not: libphonenumber-js leaves unallocated blocks untyped):
   * never presented by a Spanish call center since 2025-06-07 (Orden TDF/149/2025 art. 9.1).
   */
  readonly mobile: readonly string[];
}

export const ES_NUMBERING: SpanishNumbering = Object.freeze({
  source: 'Plan nacional de numeración telefónica (Real Decreto 2296/2004, as amended by the Secretaría de Estado de Telecomunicaciones\' resolutions): 6 and 7 for mobile services',
  asOf: '2025-06-07',
  // 70 (personal numbers) is inside 7: a personal number may forward to a mobile, so it is not presented either.
  mobile: Object.freeze(['6', '7']),
});
