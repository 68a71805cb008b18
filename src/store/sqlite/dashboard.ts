import type Database from 'better-sqlite3';
import { DASHBOARD_COLUMNS, toDashboardRow, type DashboardFigures, type DashboardRecord } from '../dashboard-figures.js';

/** The live dashboard's queries: the decisions index on `at` for the counts, the primary key for the last ones. */
export class SqliteDashboard {
  private readonly perMinute;
  private readonly blocks;
  private readonly recent;

  constructor(db: Database.Database) {
    this.perMinute = db.prepare<[number], { minute: number; action: string; count: number }>(
      'SELECT (at / 60000) * 60000 AS minute, action, count(*) AS count FROM decisions WHERE at >= ? GROUP BY 1, 2');
    this.blocks = db.prepare<[number], { reasons: string; count: number }>(
      "SELECT reasons, count(*) AS count FROM decisions WHERE at >= ? AND action = 'block' GROUP BY reasons");
    this.recent = db.prepare<[number], DashboardRecord>(`SELECT at, ${DASHBOARD_COLUMNS} FROM decisions ORDER BY id DESC LIMIT ?`);
  }

  figures(since: Date, recent: number): DashboardFigures {
    const t = since.getTime();
    return { perMinute: this.perMinute.all(t), blocks: this.blocks.all(t), recent: this.recent.all(recent).map(toDashboardRow) };
  }
}
