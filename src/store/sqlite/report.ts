import type Database from 'better-sqlite3';
import type { AttemptRow } from '../store.js';
import { toAttemptRow, type DecisionRow } from '../decision-row.js';
import {
  QUARTER_MS, type ActionCount, type ConsumerPlace, type OutcomeCount, type PlaceCount, type PresentedArea,
  type PresentedCount, type PresentedQuarter, type ReasonsCount, type ReportQueries, type ReportScope, type OffenderQuery, type Offenders,
} from '../report-queries.js';

const SCOPE = 'at >= @from AND at < @to AND (@campaign IS NULL OR campaign = @campaign)';
const PROSPECTING = `${SCOPE} AND counted = 1 AND purpose = 'prospecting'`;
const QUARTER = `(at / ${QUARTER_MS}) * ${QUARTER_MS}`;
const PLACE = `json_extract(area, '$.country') AS country, json_extract(area, '$.timeZone') AS timeZone,
  json_extract(area, '$.holidayRegion') AS holidayRegion, consent_anytime AS consentAnytime`;

/** Counted prospecting attempts from @since that needed consent: not on the existing-contract basis (by @existing for rows decided before it was recorded). */
const ON_CONSENT = `SELECT id, count(*) OVER () AS total FROM decisions WHERE ${PROSPECTING} AND at >= @since
  AND coalesce(basis, CASE WHEN campaign IN (SELECT value FROM json_each(@existing)) THEN 'existing-contract' END, 'consent') <> 'existing-contract'`;

type Params = Record<string, string | number | null>;

/** At most this much of the database file is mapped (beyond it, pages are read as usual). */
const REPORT_MMAP_BYTES = 1024 * 1024 * 1024;

function params(s: ReportScope, extra: Params = {}): Params {
  return { from: s.from.getTime(), to: s.to.getTime(), campaign: s.campaign, ...extra };
}

/** The report's aggregation in SQLite: GROUP BY, window functions and EXISTS, rows streamed by cursor. */
export class SqliteReportQueries implements ReportQueries {
  constructor(private readonly db: Database.Database) {
    // The report scans the period several times: read through a memory map, each scan costs no copy
    // of every page into SQLite's small cache (measured on 1 M attempts: a third less CPU, sys time
    // ~0). Mapped pages are the kernel's file cache, reclaimable, not the process's heap.
    db.pragma(`mmap_size = ${REPORT_MMAP_BYTES}`);
  }

  private *rows<T>(sql: string, p: Params): Iterable<T> {
    yield* this.db.prepare<Params, T>(sql).iterate(p);
  }

  private async *attempts(sql: string, p: Params): AsyncIterable<AttemptRow> {
    for (const r of this.rows<DecisionRow>(sql, p)) yield toAttemptRow(r);
  }

  async *decisionsByQuarter(s: ReportScope): AsyncIterable<ActionCount> {
    yield* this.rows<ActionCount>(
      `SELECT ${QUARTER} AS quarter, campaign, action, count(*) AS count FROM decisions WHERE ${SCOPE} GROUP BY 1, 2, 3`, params(s));
  }

  async *blockedReasons(s: ReportScope): AsyncIterable<ReasonsCount> {
    yield* this.rows<ReasonsCount>(
      `SELECT reasons, count(*) AS count FROM decisions WHERE ${SCOPE} AND action = 'block' GROUP BY reasons`, params(s));
  }

  async *outcomes(s: ReportScope): AsyncIterable<OutcomeCount> {
    yield* this.rows<OutcomeCount>(
      `SELECT outcome, count(*) AS count, coalesce(sum(duration_s), 0) AS durationSeconds
       FROM decisions WHERE ${SCOPE} AND counted = 1 GROUP BY outcome`, params(s));
  }

  async *prospectingByQuarter(s: ReportScope): AsyncIterable<PlaceCount> {
    for (const r of this.rows<Omit<PlaceCount, 'consentAnytime'> & { consentAnytime: number }>(
      `SELECT ${QUARTER} AS quarter, ${PLACE}, count(*) AS count FROM decisions WHERE ${PROSPECTING} GROUP BY 1, 2, 3, 4, 5`, params(s))) {
      yield { ...r, consentAnytime: r.consentAnytime === 1 };
    }
  }

  prospectingIn(s: ReportScope, quarter: number, place: ConsumerPlace): AsyncIterable<AttemptRow> {
    return this.attempts(
      `SELECT * FROM decisions WHERE ${PROSPECTING} AND at >= @q AND at < @q + ${QUARTER_MS}
         AND json_extract(area, '$.country') IS @country AND json_extract(area, '$.timeZone') IS @timeZone
         AND json_extract(area, '$.holidayRegion') IS @holidayRegion AND consent_anytime = @anytime ORDER BY at, id`,
      params(s, { q: quarter, country: place.country, timeZone: place.timeZone, holidayRegion: place.holidayRegion, anytime: place.consentAnytime ? 1 : 0 }));
  }

  async *presented(s: ReportScope): AsyncIterable<PresentedCount> {
    yield* this.rows<PresentedCount>(
      `SELECT presented_caller_id AS number, campaign, dialing, count(*) AS count FROM decisions
       WHERE ${SCOPE} AND counted = 1 AND presented_caller_id IS NOT NULL GROUP BY 1, 2, 3`, params(s));
  }

  presentedAttempts(s: ReportScope, number: string, campaign: string, dialing: string | null, since: Date): AsyncIterable<AttemptRow> {
    return this.attempts(
      `SELECT * FROM decisions WHERE ${SCOPE} AND counted = 1 AND presented_caller_id = @number
         AND campaign = @c AND dialing IS @dialing AND at >= @since ORDER BY at, id`,
      params(s, { number, c: campaign, dialing, since: since.getTime() }));
  }

  async *presentedByQuarter(s: ReportScope): AsyncIterable<PresentedQuarter> {
    yield* this.rows<PresentedQuarter>(
      `SELECT presented_caller_id AS number, ${QUARTER} AS quarter, count(*) AS count FROM decisions
       WHERE ${SCOPE} AND counted = 1 AND presented_caller_id IS NOT NULL GROUP BY 1, 2`, params(s));
  }

  async *presentedByArea(s: ReportScope): AsyncIterable<PresentedArea> {
    yield* this.rows<PresentedArea>(
      `SELECT presented_caller_id AS number,
         coalesce(json_extract(area, '$.territory'), json_extract(area, '$.zone'), json_extract(area, '$.country')) AS area,
         count(*) AS count
       FROM decisions WHERE ${SCOPE} AND counted = 1 AND presented_caller_id IS NOT NULL GROUP BY 1, 2`, params(s));
  }

  /**
   * A proof's offenders: `sql` selects the offending ids with `count(*) OVER ()` as `total`, first
   * ones first, at most @limit; only those rows are then read whole.
   */
  private offenders(sql: string, p: Params, q: OffenderQuery): Offenders {
    // At least one row, which carries the total; LIMIT -1 is no limit.
    const hits = this.db.prepare<Params, { id: number; total: number }>(
      `${sql} AND json_extract(area, '$.country') IN (SELECT value FROM json_each(@countries)) ORDER BY at, id LIMIT @limit`)
      .all({ ...p, countries: JSON.stringify(q.countries), limit: Number.isFinite(q.limit) ? Math.max(q.limit, 1) : -1 });
    if (hits.length === 0) return { count: 0, first: [] };
    const first = this.db.prepare<{ ids: string }, DecisionRow>(
      'SELECT * FROM decisions WHERE id IN (SELECT value FROM json_each(@ids)) ORDER BY at, id').all({ ids: JSON.stringify(hits.slice(0, q.limit).map((h) => h.id)) });
    return { count: hits[0]!.total, first: first.map(toAttemptRow) };
  }

  async overLimit(s: ReportScope, max: number, windowMs: number, since: Date, q: OffenderQuery): Promise<Offenders> {
    // Every prospecting campaign counts (the law counts per professional); only the offenders are
    // scoped. The window sorts only the columns it needs, not whole rows.
    return this.offenders(
      `SELECT id, count(*) OVER () AS total FROM (
         SELECT id, at, campaign, area, count(*) OVER (PARTITION BY callee ORDER BY at RANGE BETWEEN @w PRECEDING AND CURRENT ROW) AS n
         FROM decisions WHERE counted = 1 AND purpose = 'prospecting' AND callee IS NOT NULL AND at > @from - @window AND at < @to
       ) WHERE n > @max AND at >= @since AND ${SCOPE}`,
      params(s, { max, window: windowMs, w: windowMs - 1, since: since.getTime() }), q);
  }

  async insideGap(s: ReportScope, gapsMs: Readonly<Record<string, number>>, q: OffenderQuery): Promise<Offenders> {
    return this.offenders(
      `SELECT id, count(*) OVER () AS total FROM decisions d WHERE ${SCOPE} AND counted = 1 AND callee IS NOT NULL
         AND campaign IN (SELECT key FROM json_each(@gaps))
         AND EXISTS (SELECT 1 FROM decisions e, json_each(@gaps) g WHERE g.key = d.campaign AND e.callee = d.callee AND e.counted = 1
           AND (CASE WHEN d.purpose = 'prospecting' THEN e.purpose = 'prospecting' ELSE e.campaign = d.campaign END)
           AND e.at > d.at - g.value AND (e.at < d.at OR (e.at = d.at AND e.id < d.id)))`,
      params(s, { gaps: JSON.stringify(gapsMs) }), q);
  }

  async afterRefusal(s: ReportScope, periodMs: number, since: Date, q: OffenderQuery): Promise<Offenders> {
    return this.offenders(
      `SELECT id, count(*) OVER () AS total FROM decisions d WHERE ${PROSPECTING} AND at >= @since
         AND EXISTS (SELECT 1 FROM refusals r WHERE r.number = d.callee AND r.at <= d.at AND r.at > d.at - @period)`,
      params(s, { period: periodMs, since: since.getTime() }), q);
  }

  async withoutConsent(s: ReportScope, since: Date, existingContract: readonly string[], q: OffenderQuery): Promise<Offenders> {
    return this.offenders(`${ON_CONSENT} AND consent_ref IS NULL`, params(s, { since: since.getTime(), existing: JSON.stringify(existingContract) }), q);
  }

  async withConsentRef(s: ReportScope, since: Date, existingContract: readonly string[], refs: readonly string[], q: OffenderQuery): Promise<Offenders> {
    return this.offenders(`${ON_CONSENT} AND consent_ref IN (SELECT value FROM json_each(@refs))`,
      params(s, { since: since.getTime(), existing: JSON.stringify(existingContract), refs: JSON.stringify(refs) }), q);
  }
}
