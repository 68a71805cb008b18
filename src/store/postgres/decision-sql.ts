import type postgres from 'postgres';
import type { Decision, PbxIds } from '../../model/types.js';
import { decisionColumnValues } from '../decision-row.js';
import type { AttemptKey, Outcome } from '../store.js';
import { ts } from './sql.js';

/** The statements that write decisions, outcomes and the pool's counters, shared by live batches and journal replay. */

export const DECISION_COLUMNS = [
  'id', 'at', 'campaign', 'purpose', 'source', 'channel', 'pbx_unique_id', 'agent', 'lead', 'original_caller_id',
  'presented_caller_id', 'callee', 'area', 'action', 'reasons', 'retry_at', 'counted', 'consent_ref', 'dialing', 'basis',
  'consent_anytime', 'node',
] as const;
const DECISION_TYPES = ['float8', 'float8', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'float8', 'int', 'text', 'text', 'text', 'int', 'text'];
/** Flags cross the driver as 0/1 (its boolean arrays do not serialise). */
const FLAG_COLUMNS = new Set(['counted', 'consent_anytime', 'without_history']);
const TIME_COLUMNS = new Set(['at', 'retry_at']);

/** A decision column's value from `ref`, a parameter or an unnested column as it crosses the driver. */
function columnValue(column: string, ref: string): string {
  return column === 'id' ? `${ref}::bigint` : FLAG_COLUMNS.has(column) ? `(${ref} = 1)` : TIME_COLUMNS.has(column) ? ts(ref) : ref;
}

/** Inserts decisions from one array per column (`columns` of DECISION_COLUMNS, then `extra` ones). */
function insertDecisionsSql(columns: readonly string[], extra: readonly (readonly [string, string])[] = [], tail = ''): string {
  const names = [...columns, ...extra.map(([c]) => c)];
  const types = [...columns.map((c) => DECISION_TYPES[DECISION_COLUMNS.indexOf(c as never)]!), ...extra.map(([, t]) => t)];
  const select = names.map((c) => columnValue(c, `v.${c}`));
  return `INSERT INTO decisions (${names.join(', ')})
  SELECT ${select.join(', ')}
  FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) WITH ORDINALITY AS v(${names.join(', ')}, o) ${tail}`;
}

export const INSERT_DECISIONS_SQL = insertDecisionsSql(DECISION_COLUMNS);

/**
 * Journaled decisions, numbered by the database in the journal's order and flagged as made
 * without history; one already replayed (its journal id) or whose PBX unique id was recorded
 * meanwhile is skipped. Returns the journal ids inserted.
 */
export const INSERT_JOURNALED_SQL = insertDecisionsSql(DECISION_COLUMNS.slice(1), [['without_history', 'int'], ['journal_id', 'text']],
  'ORDER BY v.o ON CONFLICT DO NOTHING RETURNING journal_id');

/**
 * A row its batch committed after the call was answered by onStoreError takes the journaled
 * decision (what the PBX was told), flagged as replayed rows are; an outcome recorded meanwhile
 * stays (and a cancelled-before-dial one still un-counts it). Not a row a PBX retry was answered
 * from (the PBX had its decision), nor one replayed already. Returns what the row counted before.
 */
export const OVERWRITE_LATE_SQL = `
  UPDATE decisions d SET ${DECISION_COLUMNS.slice(1).map((c, i) => {
    const value = columnValue(c, `$${i + 1}::${DECISION_TYPES[i + 1]}`);
    return `${c} = ${c === 'counted' ? `${value} AND d.outcome IS DISTINCT FROM 'cancelled-before-dial'` : value}`;
  }).join(', ')}, without_history = true, journal_id = $${DECISION_COLUMNS.length}
  FROM (SELECT id, counted, presented_caller_id FROM decisions WHERE id = $${DECISION_COLUMNS.length + 1}::bigint FOR UPDATE) old
  WHERE d.id = old.id AND d.journal_id IS NULL AND NOT d.retried
  RETURNING old.counted AS counted, old.presented_caller_id AS presented`;

/** A decision's values in DECISION_COLUMNS' order. */
export function decisionValues(id: number, d: Decision, record: PbxIds, counted: boolean): unknown[] {
  return [id, ...decisionColumnValues(d, record, counted)];
}

/** Gives back the pool use of a row that took a journaled decision. */
export const UNBUMP_USAGE_SQL = 'UPDATE number_usage SET count = count - 1 WHERE day = $1 AND number = $2 AND count > 0';

/** Rows a PBX retry was answered from (see migration 6). */
export const MARK_RETRIED_SQL = 'UPDATE decisions SET retried = true WHERE id = ANY($1::bigint[]) AND NOT retried';

/** Sorted, so that two nodes' batches lock the counters in the same order (no deadlock). */
const BUMP_USAGE_SQL = `
  INSERT INTO number_usage (day, number, count)
  SELECT day, number, n FROM unnest($1::text[], $2::text[], $3::int[]) AS u(day, number, n) ORDER BY day, number
  ON CONFLICT (day, number) DO UPDATE SET count = number_usage.count + excluded.count`;

/** Adds the uses of pool numbers to the daily counters, one row per (day, number). */
export function bumpUsage(tx: postgres.TransactionSql, uses: readonly { day: string; number: string }[]) {
  const counts = new Map<string, [string, string, number]>();
  for (const { day, number } of uses) {
    const k = `${day}\u0000${number}`;
    const c = counts.get(k) ?? [day, number, 0];
    c[2]++;
    counts.set(k, c);
  }
  const bumps = [...counts.values()];
  if (bumps.length === 0) return Promise.resolve([]);
  return tx.unsafe(BUMP_USAGE_SQL, [bumps.map((b) => b[0]), bumps.map((b) => b[1]), bumps.map((b) => b[2])], { prepare: true });
}

/** Records an outcome once; `cancelled-before-dial` un-counts the attempt. */
export function outcomeUpdate(sql: postgres.Sql | postgres.TransactionSql, key: AttemptKey, o: Outcome) {
  const [where, value] = 'attemptId' in key ? ['id = $5::bigint', key.attemptId] : ['pbx_unique_id = $5', key.pbxUniqueId];
  return sql.unsafe(
    `UPDATE decisions SET outcome = $1, hangup_cause = $2, duration_s = $3, outcome_at = ${ts('$4::float8')},
       counted = $1 <> 'cancelled-before-dial'
     WHERE ${where} AND outcome IS NULL AND counted`, [o.status, o.hangupCause, o.durationSeconds, o.at.getTime(), value], { prepare: true });
}
