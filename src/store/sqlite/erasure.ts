import type Database from 'better-sqlite3';
import { CHUNK_ROWS, purgeInChunks } from '../chunks.js';
import { planConsentErasure, type ErasedConsentEvent } from '../consent-erasure.js';
import { erasureCounts } from '../consumer-rows.js';
import { PSEUDONYM_PREFIX, type ErasureCounts, type ErasureCutoffs, type PurgeCutoffs } from '../store.js';
import { letDecisionsIn, REVOKE_CONSENT_SQL } from './consumer-records.js';

/** A consumer's erasure (the right to be forgotten) and the retention purge. */
export class SqliteErasure {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      revokeConsent: db.prepare(REVOKE_CONSENT_SQL),
      pseudonymise: db.prepare('UPDATE decisions SET callee = @pseudonym, lead = NULL WHERE callee = @n AND (counted = 0 OR at < @before)'),
      consentEventsOf: db.prepare<[string], ErasedConsentEvent>('SELECT id, at, kind FROM consent_events WHERE number = ? ORDER BY at, kind'),
      // Counted prospecting attempts (a service call needs no consent): what a consent's proof is kept for.
      prospectingAt: db.prepare<{ n: string; pseudonym: string }, { at: number; callee: string }>(
        `SELECT at, callee FROM decisions WHERE callee IN (@n, @pseudonym) AND counted = 1 AND purpose IS NOT 'service'`),
      pseudonymiseConsents: db.prepare('UPDATE consent_events SET number = ? WHERE id IN (SELECT value FROM json_each(?))'),
      deleteConsents: db.prepare('DELETE FROM consent_events WHERE id IN (SELECT value FROM json_each(?))'),
      endPseudonymConsent: db.prepare(`INSERT OR IGNORE INTO consent_events (number, at, kind) VALUES (?, ?, 'revoked')`),
      countCallee: db.prepare<[string], number>('SELECT count(*) FROM decisions WHERE callee = ?').pluck(),
      eraseRefusals: db.prepare('DELETE FROM refusals WHERE number = ? AND at < ?'),
      countRefusals: db.prepare<[string], number>('SELECT count(*) FROM refusals WHERE number = ?').pluck(),
      purgeUsage: db.prepare('DELETE FROM number_usage WHERE day < ?'),
      purgeDecisions: db.prepare(`DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE at < ? ORDER BY at LIMIT ${CHUNK_ROWS})`),
      purgeRefusals: db.prepare(`DELETE FROM refusals WHERE id IN (SELECT id FROM refusals WHERE at < ? LIMIT ${CHUNK_ROWS})`),
      // Per number, every event before the cutoff but the latest (a revocation wins a tie); and a
      // pseudonym's events once no attempt carries it. Read apart from the deletion, which goes by id.
      purgeableConsents: db.prepare<[number], number>(
        `SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY number ORDER BY at DESC, kind DESC) AS newer
                         FROM consent_events WHERE at < ?) WHERE newer > 1
         UNION
         SELECT id FROM consent_events e WHERE number LIKE '${PSEUDONYM_PREFIX}%'
           AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.callee = e.number AND d.counted = 1)`).pluck(),
    };
  }

  eraseConsumer(number: string, c: ErasureCutoffs): ErasureCounts {
    const s = this.s;
    return this.db.transaction(() => {
      const consentRevoked = s.revokeConsent.run({ n: number, at: c.at.getTime() }).changes > 0;
      const pseudonymised = s.pseudonymise.run({ n: number, pseudonym: c.pseudonym, before: c.attemptsBefore.getTime() }).changes;
      const attempts = s.prospectingAt.all({ n: number, pseudonym: c.pseudonym }).map((a) => ({ at: a.at, kept: a.callee === number }));
      const plan = planConsentErasure(s.consentEventsOf.all(number), attempts);
      s.pseudonymiseConsents.run(c.pseudonym, JSON.stringify(plan.pseudonymise));
      s.deleteConsents.run(JSON.stringify(plan.remove));
      for (const at of plan.pseudonymEnds) s.endPseudonymConsent.run(c.pseudonym, at);
      return erasureCounts(plan, {
        pseudonymised,
        attemptsKept: s.countCallee.get(number)!,
        refusalsDeleted: s.eraseRefusals.run(number, c.refusalsBefore.getTime()).changes,
        refusalsKept: s.countRefusals.get(number)!,
        consentRevoked,
      });
    }).immediate();
  }

  /** Short transactions, decisions let in between (see purgeInChunks). */
  purge(c: PurgeCutoffs): Promise<number> {
    const s = this.s;
    return purgeInChunks({
      usageBefore: (day) => s.purgeUsage.run(day).changes,
      chunkBefore: (table, before) => (table === 'decisions' ? s.purgeDecisions : s.purgeRefusals).run(before).changes,
      purgeableConsents: (before) => s.purgeableConsents.all(before),
      deleteConsents: (ids) => s.deleteConsents.run(JSON.stringify(ids)).changes,
      between: letDecisionsIn,
    }, c);
  }
}
