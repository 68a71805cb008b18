import type Database from 'better-sqlite3';
import { decisionColumnValues, type DecisionRow } from '../decision-row.js';
import type { JournaledDecision, JournaledOutcome } from '../store.js';
import { BUMP_USAGE_SQL, DECISION_COLUMNS, type SqliteCheckAndRecord } from './check-and-record.js';

/**
 * The journal's decisions and outcomes written back in one transaction once the store is back,
 * each journaled decision kept once (its journal id).
 */
export class SqliteJournalReplay {
  private readonly tx;

  constructor(db: Database.Database, record: SqliteCheckAndRecord) {
    const byId = db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE id = ?');
    // A journal entry already replayed, or a unique id the PBX retried once the store was back: kept once.
    const insertJournaled = db.prepare(
      `INSERT INTO decisions (${DECISION_COLUMNS}, without_history, journal_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT DO NOTHING`);
    // A row committed after its call was answered by onStoreError takes the journaled decision
    // (what the PBX was told), flagged as replayed rows are; an outcome recorded meanwhile stays (a
    // cancelled-before-dial one still un-counts it). Not a row a PBX retry was answered from (the
    // PBX had its decision), nor one replayed already.
    const overwriteLate = db.prepare(
      `UPDATE decisions SET at = ?, campaign = ?, purpose = ?, source = ?, channel = ?, pbx_unique_id = ?, agent = ?, lead = ?,
         original_caller_id = ?, presented_caller_id = ?, callee = ?, area = ?, action = ?, reasons = ?, retry_at = ?,
         counted = ? AND coalesce(outcome, '') <> 'cancelled-before-dial', consent_ref = ?, dialing = ?, basis = ?,
         consent_anytime = ?, node = ?, without_history = 1, journal_id = ?
       WHERE id = ? AND journal_id IS NULL AND retried = 0`);
    const bumpUsage = db.prepare(BUMP_USAGE_SQL);
    const unbumpUsage = db.prepare('UPDATE number_usage SET count = count - 1 WHERE day = ? AND number = ? AND count > 0');
    this.tx = db.transaction((decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]) => {
      for (const j of decisions) {
        const d = j.decision;
        const counted = d.action !== 'block';
        const params = decisionColumnValues(d, j.pbx, counted);
        const late = j.attemptId === null ? undefined : byId.get(j.attemptId);
        const tookLateRow = late !== undefined && overwriteLate.run(...params, j.journalId, late.id).changes > 0;
        if (tookLateRow && late.counted === 1 && late.presented_caller_id) unbumpUsage.run(j.day, late.presented_caller_id);
        const recorded = tookLateRow || insertJournaled.run(...params, j.journalId).changes > 0;
        if (recorded && counted && d.callerId) bumpUsage.run(j.day, d.callerId);
      }
      for (const o of outcomes) record.outcome(o.key, o.outcome);
    });
  }

  replay(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): void {
    this.tx.immediate(decisions, outcomes);
  }
}
