import type postgres from 'postgres';
import { toAttemptRow, type DecisionRow } from '../decision-row.js';
import type { AttemptFilter, AttemptKey, AttemptRow } from '../store.js';
import { DECISION_ROW, ts } from './sql.js';

/** The recorded attempts as commands read them (`attempts`, `outcome`, `privacy`), and the pool's use per day. */

export async function findAttempt(sql: postgres.Sql, key: AttemptKey): Promise<AttemptRow | null> {
  const [where, value] = 'attemptId' in key ? ['id = $1::bigint', key.attemptId] : ['pbx_unique_id = $1', key.pbxUniqueId];
  const [row] = await sql.unsafe<DecisionRow[]>(`SELECT ${DECISION_ROW} FROM decisions WHERE ${where}`, [value], { prepare: true });
  return row ? toAttemptRow(row) : null;
}

/** Streams through a server-side cursor: millions of rows in constant memory. */
export async function* matchingAttempts(sql: postgres.Sql, filter: AttemptFilter): AsyncIterable<AttemptRow> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.callee) { params.push(filter.callee); where.push(`callee = $${params.length}`); }
  if (filter.since) { params.push(filter.since.getTime()); where.push(`at >= ${ts(`$${params.length}::float8`)}`); }
  if (filter.until) { params.push(filter.until.getTime()); where.push(`at < ${ts(`$${params.length}::float8`)}`); }
  if (filter.campaign) { params.push(filter.campaign); where.push(`campaign = $${params.length}`); }
  if (filter.action) { params.push(filter.action); where.push(`action = $${params.length}`); }
  const text = `SELECT ${DECISION_ROW} FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
  for await (const rows of sql.unsafe<DecisionRow[]>(text, params).cursor(1_000)) {
    for (const r of rows) yield toAttemptRow(r);
  }
}

export async function poolUsage(sql: postgres.Sql, day: string): Promise<ReadonlyMap<string, number>> {
  const rows = await sql.unsafe<{ number: string; count: number }[]>('SELECT number, count FROM number_usage WHERE day = $1', [day], { prepare: true });
  return new Map(rows.map((u) => [u.number, u.count]));
}
