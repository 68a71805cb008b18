import type postgres from 'postgres';
import {
  QUARTER_MS, type ActionCount, type ConsumerPlace, type OutcomeCount, type PlaceCount, type PresentedArea,
  type PresentedCount, type PresentedQuarter, type ReasonsCount, type ReportQueries, type ReportScope, type OffenderQuery, type Offenders,
} from '../report-queries.js';
import { toAttemptRow, type DecisionRow } from '../decision-row.js';
import type { AttemptRow } from '../store.js';
import { DECISION_ROW, ms, ts } from './sql.js';

/** $1 from, $2 to (ms), $3 campaign or null; further parameters from $4. */
const SCOPE = `at >= ${ts('$1::float8')} AND at < ${ts('$2::float8')} AND ($3::text IS NULL OR campaign = $3::text)`;
const PROSPECTING = `${SCOPE} AND counted AND purpose = 'prospecting'`;
const QUARTER = `floor(${ms('at')} / ${QUARTER_MS}) * ${QUARTER_MS}`;
const PLACE = `area::json->>'country' AS country, area::json->>'timeZone' AS "timeZone",
  area::json->>'holidayRegion' AS "holidayRegion", consent_anytime AS "consentAnytime"`;

/** Counted prospecting attempts from $4 that needed consent: not on the existing-contract basis (by $5 for rows decided before it was recorded). */
const ON_CONSENT = `SELECT id, count(*) OVER () AS total FROM decisions WHERE ${PROSPECTING} AND at >= ${ts('$4::float8')}
  AND coalesce(basis, CASE WHEN campaign = ANY($5::text[]) THEN 'existing-contract' END, 'consent') <> 'existing-contract'`;

/** The report's aggregation in PostgreSQL, the same queries as sqlite/report.ts, rows through a cursor. */
export class PostgresReportQueries implements ReportQueries {
  constructor(private readonly sql: postgres.Sql) {}

  private async *rows<T>(text: string, s: ReportScope, extra: unknown[] = []): AsyncIterable<T> {
    const params = [s.from.getTime(), s.to.getTime(), s.campaign, ...extra] as never[];
    for await (const batch of this.sql.unsafe(text, params).cursor(1_000)) yield* batch as unknown as T[];
  }

  private async *attempts(text: string, s: ReportScope, extra: unknown[] = []): AsyncIterable<AttemptRow> {
    for await (const r of this.rows<DecisionRow>(text, s, extra)) yield toAttemptRow(r);
  }

  decisionsByQuarter(s: ReportScope): AsyncIterable<ActionCount> {
    return this.rows(`SELECT ${QUARTER}::float8 AS quarter, campaign, action, count(*)::int AS count FROM decisions WHERE ${SCOPE} GROUP BY 1, 2, 3`, s);
  }

  blockedReasons(s: ReportScope): AsyncIterable<ReasonsCount> {
    return this.rows(`SELECT reasons, count(*)::int AS count FROM decisions WHERE ${SCOPE} AND action = 'block' GROUP BY reasons`, s);
  }

  outcomes(s: ReportScope): AsyncIterable<OutcomeCount> {
    return this.rows(`SELECT outcome, count(*)::int AS count, coalesce(sum(duration_s), 0)::float8 AS "durationSeconds"
      FROM decisions WHERE ${SCOPE} AND counted GROUP BY outcome`, s);
  }

  prospectingByQuarter(s: ReportScope): AsyncIterable<PlaceCount> {
    return this.rows(`SELECT ${QUARTER}::float8 AS quarter, ${PLACE}, count(*)::int AS count FROM decisions WHERE ${PROSPECTING} GROUP BY 1, 2, 3, 4, 5`, s);
  }

  prospectingIn(s: ReportScope, quarter: number, place: ConsumerPlace): AsyncIterable<AttemptRow> {
    return this.attempts(
      `SELECT ${DECISION_ROW} FROM decisions WHERE ${PROSPECTING} AND at >= ${ts('$4::float8')} AND at < ${ts(`($4::float8 + ${QUARTER_MS})`)}
         AND area::json->>'country' IS NOT DISTINCT FROM $5::text AND area::json->>'timeZone' IS NOT DISTINCT FROM $6::text
         AND area::json->>'holidayRegion' IS NOT DISTINCT FROM $7::text AND consent_anytime = ($8::int = 1) ORDER BY at, id`,
      s, [quarter, place.country, place.timeZone, place.holidayRegion, place.consentAnytime ? 1 : 0]);
  }

  presented(s: ReportScope): AsyncIterable<PresentedCount> {
    return this.rows(`SELECT presented_caller_id AS number, campaign, dialing, count(*)::int AS count FROM decisions
      WHERE ${SCOPE} AND counted AND presented_caller_id IS NOT NULL GROUP BY 1, 2, 3`, s);
  }

  presentedAttempts(s: ReportScope, number: string, campaign: string, dialing: string | null, since: Date): AsyncIterable<AttemptRow> {
    return this.attempts(
      `SELECT ${DECISION_ROW} FROM decisions WHERE ${SCOPE} AND counted AND presented_caller_id = $4::text
         AND campaign = $5::text AND dialing IS NOT DISTINCT FROM $6::text AND at >= ${ts('$7::float8')} ORDER BY at, id`,
      s, [number, campaign, dialing, since.getTime()]);
  }

  presentedByQuarter(s: ReportScope): AsyncIterable<PresentedQuarter> {
    return this.rows(`SELECT presented_caller_id AS number, ${QUARTER}::float8 AS quarter, count(*)::int AS count FROM decisions
      WHERE ${SCOPE} AND counted AND presented_caller_id IS NOT NULL GROUP BY 1, 2`, s);
  }

  presentedByArea(s: ReportScope): AsyncIterable<PresentedArea> {
    return this.rows(`SELECT presented_caller_id AS number,
        coalesce(area::json->>'territory', area::json->>'zone', area::json->>'country') AS area, count(*)::int AS count
      FROM decisions WHERE ${SCOPE} AND counted AND presented_caller_id IS NOT NULL GROUP BY 1, 2`, s);
  }

  /**
   * A proof's offenders: `text` selects the offending ids with `count(*) OVER ()` as `total` (its
   * last two parameters are the countries and the limit), first ones first; only those rows are then read whole.
   */
  private async offenders(text: string, s: ReportScope, extra: unknown[], q: OffenderQuery): Promise<Offenders> {
    const n = 3 + extra.length;
    // At least one row, which carries the total; LIMIT NULL is no limit.
    const limit = Number.isFinite(q.limit) ? Math.max(q.limit, 1) : null;
    const params = [s.from.getTime(), s.to.getTime(), s.campaign, ...extra, q.countries as string[], limit] as never[];
    const hits = await this.sql.unsafe<{ id: string; total: string }[]>(
      `${text} AND area::json->>'country' = ANY($${n + 1}::text[]) ORDER BY at, id LIMIT $${n + 2}::int`, params);
    if (hits.length === 0) return { count: 0, first: [] };
    const first = await this.sql.unsafe<DecisionRow[]>(
      `SELECT ${DECISION_ROW} FROM decisions WHERE id = ANY($1::bigint[]) ORDER BY at, id`, [hits.slice(0, q.limit).map((h) => h.id)]);
    return { count: Number(hits[0]!.total), first: first.map(toAttemptRow) };
  }

  overLimit(s: ReportScope, max: number, windowMs: number, since: Date, q: OffenderQuery): Promise<Offenders> {
    // Every prospecting campaign counts (the law counts per professional); only the offenders are scoped.
    return this.offenders(
      `SELECT id, count(*) OVER () AS total FROM (
         SELECT id, at, campaign, area, count(*) OVER (PARTITION BY callee ORDER BY at RANGE BETWEEN $6::interval PRECEDING AND CURRENT ROW) AS n
         FROM decisions WHERE counted AND purpose = 'prospecting' AND callee IS NOT NULL
           AND at > ${ts('($1::float8 - $5::float8)')} AND at < ${ts('$2::float8')}
       ) d WHERE n > $4::int AND at >= ${ts('$7::float8')} AND ${SCOPE}`,
      s, [max, windowMs, `${windowMs - 1} milliseconds`, since.getTime()], q);
  }

  insideGap(s: ReportScope, gapsMs: Readonly<Record<string, number>>, q: OffenderQuery): Promise<Offenders> {
    return this.offenders(
      `SELECT id, count(*) OVER () AS total FROM decisions d WHERE ${SCOPE} AND counted AND callee IS NOT NULL
         AND campaign = ANY($4::text[])
         AND EXISTS (SELECT 1 FROM decisions e WHERE e.callee = d.callee AND e.counted
           AND (CASE WHEN d.purpose = 'prospecting' THEN e.purpose = 'prospecting' ELSE e.campaign = d.campaign END)
           AND e.at > d.at - ($5::float8[])[array_position($4::text[], d.campaign)] * interval '1 millisecond'
           AND (e.at < d.at OR (e.at = d.at AND e.id < d.id)))`,
      s, [Object.keys(gapsMs), Object.values(gapsMs)], q);
  }

  afterRefusal(s: ReportScope, periodMs: number, since: Date, q: OffenderQuery): Promise<Offenders> {
    return this.offenders(
      `SELECT id, count(*) OVER () AS total FROM decisions d WHERE ${PROSPECTING} AND at >= ${ts('$5::float8')}
         AND EXISTS (SELECT 1 FROM refusals r WHERE r.number = d.callee AND r.at <= d.at AND r.at > d.at - $4::float8 * interval '1 millisecond')`,
      s, [periodMs, since.getTime()], q);
  }

  withoutConsent(s: ReportScope, since: Date, existingContract: readonly string[], q: OffenderQuery): Promise<Offenders> {
    return this.offenders(`${ON_CONSENT} AND consent_ref IS NULL`, s, [since.getTime(), existingContract as string[]], q);
  }

  withConsentRef(s: ReportScope, since: Date, existingContract: readonly string[], refs: readonly string[], q: OffenderQuery): Promise<Offenders> {
    return this.offenders(`${ON_CONSENT} AND consent_ref = ANY($6::text[])`, s, [since.getTime(), existingContract as string[], refs as string[]], q);
  }
}
