import type { Action } from '../model/types.js';
import type { AttemptRow } from './attempt-row.js';

/**
 * Aggregates are grouped by quarter hour of UTC time: every time zone's offset and every legal
 * boundary (10:00, 13:00, 14:00, 20:00, midnight) falls on a quarter hour, so a quarter is wholly
 * inside or outside the window, and its site-local day is known, without reading one row in memory.
 */
export const QUARTER_MS = 900_000;

/** Which decisions a report covers: [from, to), optionally one campaign. */
export interface ReportScope {
  readonly from: Date;
  readonly to: Date;
  readonly campaign: string | null;
}

export interface ActionCount { readonly quarter: number; readonly campaign: string; readonly action: Action; readonly count: number }
export interface ReasonsCount { readonly reasons: string; readonly count: number }
export interface OutcomeCount { readonly outcome: string | null; readonly count: number; readonly durationSeconds: number }

/** Where a counted prospecting attempt reached the consumer, read from the decision's area. */
export interface ConsumerPlace {
  readonly country: string | null;
  readonly timeZone: string | null;
  readonly holidayRegion: string | null;
  readonly consentAnytime: boolean;
}
export interface PlaceCount extends ConsumerPlace { readonly quarter: number; readonly count: number }

export interface PresentedCount {
  readonly number: string; readonly campaign: string; readonly dialing: string | null; readonly count: number;
}
export interface PresentedQuarter { readonly number: string; readonly quarter: number; readonly count: number }
export interface PresentedArea { readonly number: string; readonly area: string | null; readonly count: number }

/** Which offenders a proof wants: those of consumers the rule protects (by the callee's country), the first `limit` listed. */
export interface OffenderQuery {
  readonly countries: readonly string[];
  /** 0 lists none (they are still counted); Infinity lists all. */
  readonly limit: number;
}

/** A proof's offenders, counted by the database: only the first ones (by time, then id) are read. */
export interface Offenders {
  readonly count: number;
  readonly first: readonly AttemptRow[];
}

/**
 * The report's aggregation, done by the database: every method streams groups or offending rows,
 * never the period's rows. One implementation per store (SQLite: sqlite/report.ts).
 */
export interface ReportQueries {
  /** Decisions per quarter hour, campaign and action. */
  decisionsByQuarter(scope: ReportScope): AsyncIterable<ActionCount>;
  /** Blocked decisions (audit only, not attempts) per combination of reasons. */
  blockedReasons(scope: ReportScope): AsyncIterable<ReasonsCount>;
  /** Counted attempts per outcome, with the sum of their durations. */
  outcomes(scope: ReportScope): AsyncIterable<OutcomeCount>;
  /** Counted prospecting attempts per quarter hour and consumer place. */
  prospectingByQuarter(scope: ReportScope): AsyncIterable<PlaceCount>;
  /** The counted prospecting attempts of one quarter hour and place. */
  prospectingIn(scope: ReportScope, quarter: number, place: ConsumerPlace): AsyncIterable<AttemptRow>;
  /** Counted attempts per presented number, campaign and dialing. */
  presented(scope: ReportScope): AsyncIterable<PresentedCount>;
  /** Counted attempts presenting one number on one campaign with the dialing recorded, from `since`. */
  presentedAttempts(scope: ReportScope, number: string, campaign: string, dialing: string | null, since: Date): AsyncIterable<AttemptRow>;
  /** Counted attempts per presented number and quarter hour (all campaigns: a cap is per number and day). */
  presentedByQuarter(scope: ReportScope): AsyncIterable<PresentedQuarter>;
  /** Counted attempts per presented number and consumer area (territory, zone or country). */
  presentedByArea(scope: ReportScope): AsyncIterable<PresentedArea>;
  /**
   * Counted prospecting attempts from `since` (all campaigns: the law counts per professional) that
   * were more than `max` in a rolling window: `max` others dated within `windowMs` before, or at the same instant.
   */
  overLimit(scope: ReportScope, max: number, windowMs: number, since: Date, q: OffenderQuery): Promise<Offenders>;
  /**
   * Counted attempts of the campaigns given (name → minimum gap, ms) with another counted attempt to
   * the same consumer less than the gap before them (an attempt at the same instant logged before
   * counts): any prospecting attempt for a prospecting one, the campaign's own otherwise, as the
   * min-gap rule counts them.
   */
  insideGap(scope: ReportScope, gapsMs: Readonly<Record<string, number>>, q: OffenderQuery): Promise<Offenders>;
  /** Counted prospecting attempts from `since` dated within `periodMs` after a refusal recorded at or before them. */
  afterRefusal(scope: ReportScope, periodMs: number, since: Date, q: OffenderQuery): Promise<Offenders>;
  /**
   * Counted prospecting attempts from `since` with no consent reference, except on the
   * existing-contract basis (rows decided before the basis was recorded: by `existingContract`).
   */
  withoutConsent(scope: ReportScope, since: Date, existingContract: readonly string[], q: OffenderQuery): Promise<Offenders>;
  /** Counted prospecting attempts from `since` whose consent reference is one of `refs`, except on the existing-contract basis. */
  withConsentRef(scope: ReportScope, since: Date, existingContract: readonly string[], refs: readonly string[], q: OffenderQuery): Promise<Offenders>;
}
