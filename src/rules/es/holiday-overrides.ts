/**
 * Regional holidays of the BOE's yearly list that date-holidays' `ES` data lacks, per community
 * (date-holidays region code): added to what it computes. Source: the Dirección General de
 * Trabajo's yearly "Resolución por la que se publica la relación de fiestas laborales" (BOE),
 * which transcribes each community's decree. Adding a day only ever blocks more, never lets a
 * forbidden call through; update this table each October when the next year's list is published.
 *
 * - Comunitat Valenciana: 9 October, Día de la Comunitat Valenciana (Ley 1/2006 Estatut d'Autonomia art. 15).
 * - Región de Murcia: 9 June, Día de la Región de Murcia (Ley Orgánica 4/1982 Estatuto art. 1).
 * - Cantabria: 28 July, Día de las Instituciones de Cantabria.
 */
export interface HolidayOverride {
  readonly community: string;
  readonly date: string;
  readonly name: string;
}

export const HOLIDAY_OVERRIDES_SOURCE = 'BOE, Resolución de la Dirección General de Trabajo por la que se publica la relación de fiestas laborales (yearly)';

export const HOLIDAY_OVERRIDES: readonly HolidayOverride[] = [
  { community: 'VC', date: '2026-10-09', name: 'Día de la Comunitat Valenciana' },
  { community: 'MC', date: '2026-06-09', name: 'Día de la Región de Murcia' },
  { community: 'CB', date: '2026-07-28', name: 'Día de las Instituciones de Cantabria' },
  { community: 'VC', date: '2027-10-09', name: 'Día de la Comunitat Valenciana' },
  { community: 'MC', date: '2027-06-09', name: 'Día de la Región de Murcia' },
  { community: 'CB', date: '2027-07-28', name: 'Día de las Instituciones de Cantabria' },
];
