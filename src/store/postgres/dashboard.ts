import type postgres from 'postgres';
import { DASHBOARD_COLUMNS, toDashboardRow, type DashboardFigures, type DashboardRecord } from '../dashboard-figures.js';
import { ms, ts } from './sql.js';

/** The live dashboard's queries, every node's decisions: the index on `at` for the counts, the primary key for the last ones. */
export async function dashboardFigures(sql: postgres.Sql, since: Date, recent: number): Promise<DashboardFigures> {
  const from = since.getTime();
  const [perMinute, blocks, rows] = await Promise.all([
    sql.unsafe<{ minute: number; action: string; count: number }[]>(
      `SELECT (floor(${ms('at')} / 60000) * 60000)::float8 AS minute, action, count(*)::int AS count
       FROM decisions WHERE at >= ${ts('$1::float8')} GROUP BY 1, 2`, [from], { prepare: true }),
    sql.unsafe<{ reasons: string; count: number }[]>(
      `SELECT reasons, count(*)::int AS count FROM decisions WHERE at >= ${ts('$1::float8')} AND action = 'block' GROUP BY reasons`, [from], { prepare: true }),
    sql.unsafe<DashboardRecord[]>(`SELECT ${ms('at')} AS at, ${DASHBOARD_COLUMNS} FROM decisions ORDER BY id DESC LIMIT $1`, [recent], { prepare: true }),
  ]);
  return { perMinute: [...perMinute], blocks: [...blocks], recent: rows.map(toDashboardRow) };
}
