import type Database from 'better-sqlite3';
import { toAttemptRow, type DecisionRow } from '../decision-row.js';
import type { AttemptFilter, AttemptKey, AttemptRow } from '../store.js';

/** The recorded attempts as commands read them (`attempts`, `outcome`, `privacy`), and the pool's use per day. */
export class SqliteAttempts {
  private readonly byId;
  private readonly byUniqueId;
  private readonly usage;

  constructor(private readonly db: Database.Database) {
    this.byId = db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE id = ?');
    this.byUniqueId = db.prepare<[string], DecisionRow>('SELECT * FROM decisions WHERE pbx_unique_id = ?');
    this.usage = db.prepare<[string], { number: string; count: number }>('SELECT number, count FROM number_usage WHERE day = ?');
  }

  find(key: AttemptKey): AttemptRow | null {
    const row = 'attemptId' in key ? this.byId.get(key.attemptId) : this.byUniqueId.get(key.pbxUniqueId);
    return row ? toAttemptRow(row) : null;
  }

  *matching(filter: AttemptFilter): Iterable<AttemptRow> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.callee) { where.push('callee = ?'); params.push(filter.callee); }
    if (filter.since) { where.push('at >= ?'); params.push(filter.since.getTime()); }
    if (filter.until) { where.push('at < ?'); params.push(filter.until.getTime()); }
    if (filter.campaign) { where.push('campaign = ?'); params.push(filter.campaign); }
    if (filter.action) { where.push('action = ?'); params.push(filter.action); }
    const sql = `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    for (const row of this.db.prepare<(string | number)[], DecisionRow>(sql).iterate(...params)) yield toAttemptRow(row);
  }

  poolUsage(day: string): ReadonlyMap<string, number> {
    return new Map(this.usage.all(day).map((u) => [u.number, u.count]));
  }
}
