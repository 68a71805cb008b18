import type postgres from 'postgres';
import type { JournaledDecision, JournaledOutcome } from '../store.js';
import { bumpUsage, decisionValues, INSERT_JOURNALED_SQL, outcomeUpdate, OVERWRITE_LATE_SQL, UNBUMP_USAGE_SQL } from './decision-sql.js';
import { LOCK_SQL, lockKeys } from './locks.js';

/**
 * One transaction: the decisions first (under their consumers' and pool numbers' locks, so a
 * live batch deciding for the same consumer sees them all or none), then the outcomes.
 */
export async function replayJournal(sql: postgres.Sql, waitMs: number, decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): Promise<void> {
  await sql.begin(async (tx) => {
    // Never waits on a lock longer than a live call would: still blocked, it is retried at the next replay.
    await tx.unsafe(`SET LOCAL lock_timeout = ${Math.ceil(waitMs)}`);
    if (decisions.length > 0) {
      const locks = lockKeys(decisions.map(({ decision: d, day }) => ({ callee: d.callee, day, numbers: d.callerId === null ? [] : [d.callerId] })));
      await tx.unsafe(LOCK_SQL, [locks.ns, locks.keys], { prepare: true });
      const values = (j: JournaledDecision) => decisionValues(0, j.decision, j.pbx, j.decision.action !== 'block').slice(1);
      // First the rows committed after their calls were answered by the policy: they take what the PBX was told.
      const tookLateRow = new Set<string>();
      for (const j of decisions) {
        if (j.attemptId === null) continue;
        const [old] = await tx.unsafe<{ counted: boolean; presented: string | null }[]>(OVERWRITE_LATE_SQL, [...values(j), j.journalId, j.attemptId] as never[], { prepare: true });
        if (!old) continue;
        tookLateRow.add(j.journalId);
        if (old.counted && old.presented !== null) await tx.unsafe(UNBUMP_USAGE_SQL, [j.day, old.presented], { prepare: true });
      }
      const fresh = decisions.filter((j) => !tookLateRow.has(j.journalId)).map((j) => [...values(j), 1, j.journalId]);
      const inserted = new Set(fresh.length === 0 ? [] : (await tx.unsafe<{ journal_id: string }[]>(
        INSERT_JOURNALED_SQL, fresh[0]!.map((_, c) => fresh.map((v) => v[c])) as never[], { prepare: true })).map((r) => r.journal_id));
      await bumpUsage(tx, decisions.flatMap(({ journalId, decision: d, day }) =>
        (inserted.has(journalId) || tookLateRow.has(journalId)) && d.action !== 'block' && d.callerId !== null ? [{ day, number: d.callerId }] : []));
    }
    for (const o of outcomes) await outcomeUpdate(tx, o.key, o.outcome);
  });
}
