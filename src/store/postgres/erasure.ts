import type postgres from 'postgres';
import { CHUNK_ROWS, purgeInChunks } from '../chunks.js';
import { planConsentErasure } from '../consent-erasure.js';
import { erasureCounts } from '../consumer-rows.js';
import { PSEUDONYM_PREFIX, type ErasureCounts, type ErasureCutoffs, type PurgeCutoffs } from '../store.js';
import { REVOKE_CONSENT_SQL } from './consumer-records.js';
import { consumerLock, LOCK_SQL } from './locks.js';
import { ms, ts } from './sql.js';

/**
 * Per number, every consent event before $1 but the latest (a revocation wins a tie); and a
 * pseudonym's events once no attempt carries it.
 */
const PURGEABLE_CONSENTS_SQL = `
  SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY number ORDER BY at DESC, kind DESC) AS newer
                  FROM consent_events WHERE at < ${ts('$1::float8')}) e WHERE newer > 1
  UNION
  SELECT id FROM consent_events e WHERE number LIKE '${PSEUDONYM_PREFIX}%'
    AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.callee = e.number AND d.counted)`;

/** A consumer's erasure (the right to be forgotten), in one transaction. */
export function eraseConsumer(sql: postgres.Sql, number: string, c: ErasureCutoffs): Promise<ErasureCounts> {
  return sql.begin(async (tx) => {
    // Under the consumer's lock: no decision about the number reads its consent meanwhile.
    await tx.unsafe(LOCK_SQL, consumerLock(number));
    const consentRevoked = (await tx.unsafe(REVOKE_CONSENT_SQL, [c.at.getTime(), number])).count > 0;
    const pseudonymised = (await tx.unsafe(
      `UPDATE decisions SET callee = $2, lead = NULL WHERE callee = $1 AND (NOT counted OR at < ${ts('$3::float8')})`,
      [number, c.pseudonym, c.attemptsBefore.getTime()])).count;
    const [events, attempts] = await Promise.all([
      tx.unsafe<{ id: number; at: number; kind: 'given' | 'revoked' }[]>(
        `SELECT id, ${ms('at')} AS at, kind FROM consent_events WHERE number = $1 ORDER BY at, kind`, [number]),
      // Counted prospecting attempts (a service call needs no consent): what a consent's proof is kept for.
      tx.unsafe<{ at: number; callee: string }[]>(
        `SELECT ${ms('at')} AS at, callee FROM decisions WHERE callee IN ($1, $2) AND counted AND purpose IS DISTINCT FROM 'service'`, [number, c.pseudonym]),
    ]);
    const plan = planConsentErasure(events, attempts.map((a) => ({ at: a.at, kept: a.callee === number })));
    await tx.unsafe('UPDATE consent_events SET number = $1 WHERE id = ANY($2::bigint[])', [c.pseudonym, plan.pseudonymise as number[]]);
    await tx.unsafe('DELETE FROM consent_events WHERE id = ANY($1::bigint[])', [plan.remove as number[]]);
    await tx.unsafe(`INSERT INTO consent_events (number, at, kind) SELECT $1, ${ts('e')}, 'revoked' FROM unnest($2::float8[]) AS e ON CONFLICT DO NOTHING`,
      [c.pseudonym, plan.pseudonymEnds as number[]]);
    const refusalsDeleted = (await tx.unsafe(`DELETE FROM refusals WHERE number = $1 AND at < ${ts('$2::float8')}`, [number, c.refusalsBefore.getTime()])).count;
    const [kept] = await tx.unsafe<{ attempts: number; refusals: number }[]>(
      `SELECT (SELECT count(*) FROM decisions WHERE callee = $1)::int AS attempts, (SELECT count(*) FROM refusals WHERE number = $1)::int AS refusals`, [number]);
    return erasureCounts(plan, { pseudonymised, attemptsKept: kept!.attempts, refusalsDeleted, refusalsKept: kept!.refusals, consentRevoked });
  }) as Promise<ErasureCounts>;
}

/** The retention purge: a statement per chunk, each its own short transaction. */
export function purge(sql: postgres.Sql, c: PurgeCutoffs): Promise<number> {
  return purgeInChunks({
    usageBefore: async (day) => (await sql.unsafe('DELETE FROM number_usage WHERE day < $1', [day])).count,
    chunkBefore: async (table, before) => (await sql.unsafe(
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE at < ${ts('$1::float8')} LIMIT ${CHUNK_ROWS})`, [before])).count,
    purgeableConsents: async (before) => (await sql.unsafe<{ id: number }[]>(PURGEABLE_CONSENTS_SQL, [before])).map((r) => r.id),
    deleteConsents: async (ids) => (await sql.unsafe('DELETE FROM consent_events WHERE id = ANY($1::bigint[])', [ids as number[]])).count,
    between: async () => {},
  }, c);
}
