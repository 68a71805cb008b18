import type Database from 'better-sqlite3';
import type { Decision, History, PbxIds } from '../../model/types.js';
import { decisionColumnValues, rowToDecision, type DecisionRow } from '../decision-row.js';
import type { AttemptKey, HistoryQuery, Outcome, Recorded } from '../store.js';
import type { SqliteHistory } from './history.js';

/** The columns decisionColumnValues gives, in its order. */
export const DECISION_COLUMNS = `at, campaign, purpose, source, channel, pbx_unique_id, agent, lead,
  original_caller_id, presented_caller_id, callee, area, action, reasons, retry_at, counted, consent_ref,
  dialing, basis, consent_anytime, node`;

export const BUMP_USAGE_SQL = `INSERT INTO number_usage (day, number, count) VALUES (?, ?, 1)
  ON CONFLICT (day, number) DO UPDATE SET count = count + 1`;

/**
 * Check-and-record of one call, and its outcome, each run inside the write queue's transaction
 * (BEGIN IMMEDIATE): two processes deciding for one consumer are serialised by SQLite's write lock.
 */
export class SqliteCheckAndRecord {
  private readonly insert;
  private readonly byUniqueId;
  private readonly markRetried;
  private readonly bumpUsage;
  private readonly outcomeById;
  private readonly outcomeByUniqueId;

  constructor(db: Database.Database, private readonly history: SqliteHistory) {
    this.insert = db.prepare(
      `INSERT INTO decisions (${DECISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (pbx_unique_id) WHERE pbx_unique_id IS NOT NULL DO NOTHING`);
    this.byUniqueId = db.prepare<[string], DecisionRow>('SELECT * FROM decisions WHERE pbx_unique_id = ?');
    this.markRetried = db.prepare('UPDATE decisions SET retried = 1 WHERE id = ? AND retried = 0');
    this.bumpUsage = db.prepare(BUMP_USAGE_SQL);
    const outcome = (where: string) => db.prepare(
      `UPDATE decisions SET outcome = @status, hangup_cause = @cause, duration_s = @duration, outcome_at = @at,
         counted = @status <> 'cancelled-before-dial'
       WHERE ${where} = @key AND outcome IS NULL AND counted = 1`);
    this.outcomeById = outcome('id');
    this.outcomeByUniqueId = outcome('pbx_unique_id');
  }

  /** Decides and records one call. */
  checkOne(query: HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Recorded {
    const decision = decide(this.history.read(query), query);
    if (!record) return { decision, attemptId: null, replayed: false };
    const uniqueId = record.uniqueId ?? null;
    const counted = decision.action !== 'block';
    const info = this.insert.run(...decisionColumnValues(decision, record, counted));
    if (info.changes === 0) {
      // The PBX retried a unique id already decided: the first decision stands, not counted twice.
      const earlier = this.byUniqueId.get(uniqueId!)!;
      this.markRetried.run(earlier.id);
      return { decision: rowToDecision(earlier), attemptId: earlier.id, replayed: true };
    }
    if (counted && decision.callerId) {
      this.bumpUsage.run(query.day, decision.callerId);
      this.history.used(decision.callerId);
    }
    return { decision, attemptId: Number(info.lastInsertRowid), replayed: false };
  }

  /** Records an outcome once; `cancelled-before-dial` un-counts the attempt. */
  outcome(key: AttemptKey, o: Outcome): boolean {
    const values = { status: o.status, cause: o.hangupCause, duration: o.durationSeconds, at: o.at.getTime() };
    const info = 'attemptId' in key
      ? this.outcomeById.run({ ...values, key: key.attemptId })
      : this.outcomeByUniqueId.run({ ...values, key: key.pbxUniqueId });
    return info.changes > 0;
  }
}
