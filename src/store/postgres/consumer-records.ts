import type postgres from 'postgres';
import { inChunks } from '../chunks.js';
import { toConsumerRecords } from '../consumer-rows.js';
import type { ConsentRecord, ConsumerRecords } from '../store.js';
import { ms, ts } from './sql.js';

/** $1 the instant (ms), $2 the number: a revocation, when a consent was in force then. */
export const REVOKE_CONSENT_SQL = `
  INSERT INTO consent_events (number, at, kind) SELECT $2, ${ts('$1::float8')}, 'revoked'
  WHERE (SELECT kind FROM consent_events WHERE number = $2 AND at <= ${ts('$1::float8')}
         ORDER BY at DESC, kind = 'revoked' DESC, id DESC LIMIT 1) = 'given'`;

/** Refusals, consents and the do-not-call list: written by commands and imports, read by `privacy show`. */

export async function addRefusal(sql: postgres.Sql, number: string, at: Date, campaign: string | null): Promise<void> {
  await sql.unsafe(`INSERT INTO refusals (number, at, campaign) VALUES ($1, ${ts('$2::float8')}, $3)`, [number, at.getTime(), campaign], { prepare: true });
}

/** In chunks, each its own short transaction, as addDoNotCall. */
export async function addConsents(sql: postgres.Sql, consents: readonly ConsentRecord[]): Promise<void> {
  // One row per number and instant in a statement (ON CONFLICT cannot update a row twice): the last one stands.
  const rows = [...new Map(consents.map((c) => [`${c.number}\u0000${c.at.getTime()}`, c])).values()];
  await inChunks(rows, async (chunk) => {
    await sql.unsafe(
      `INSERT INTO consent_events (number, at, kind, source, anytime)
       SELECT c.number, ${ts('c.at')}, 'given', c.source, c.anytime = 1 FROM unnest($1::text[], $2::float8[], $3::text[], $4::int[]) AS c(number, at, source, anytime)
       ON CONFLICT (number, at, kind) DO UPDATE SET source = excluded.source, anytime = excluded.anytime`,
      [chunk.map((c) => c.number), chunk.map((c) => c.at.getTime()), chunk.map((c) => c.source), chunk.map((c) => (c.anytime ? 1 : 0))] as never[],
      { prepare: true });
    return 0;
  });
}

export async function revokeConsent(sql: postgres.Sql, number: string, at: Date): Promise<boolean> {
  return (await sql.unsafe(REVOKE_CONSENT_SQL, [at.getTime(), number], { prepare: true })).count > 0;
}

/** In chunks, each its own short transaction: a Bloctel-sized import never holds up live calls. */
export function addDoNotCall(sql: postgres.Sql, numbers: readonly string[], at: Date, source: string | null): Promise<number> {
  return inChunks(numbers, async (chunk) => {
    const [row] = await sql.unsafe<{ n: number }[]>(
      // Listed again with an earlier date (an import of older entries): it was on the list since then.
      `WITH ins AS (INSERT INTO do_not_call (number, added_at, source)
         SELECT DISTINCT n, ${ts('$2::float8')}, $3 FROM unnest($1::text[]) AS n ORDER BY 1
         ON CONFLICT (number) DO UPDATE SET added_at = excluded.added_at, source = excluded.source
           WHERE do_not_call.added_at > excluded.added_at
         RETURNING xmax = 0 AS inserted)
       SELECT count(*) FILTER (WHERE inserted)::int AS n FROM ins`, [chunk as string[], at.getTime(), source], { prepare: true });
    return row?.n ?? 0;
  });
}

export async function removeDoNotCall(sql: postgres.Sql, number: string): Promise<boolean> {
  return (await sql.unsafe('DELETE FROM do_not_call WHERE number = $1', [number], { prepare: true })).count > 0;
}

export async function consumerRecords(sql: postgres.Sql, number: string): Promise<ConsumerRecords> {
  const [consents, refusals, [dnc]] = await Promise.all([
    sql.unsafe<{ at: number; kind: 'given' | 'revoked'; source: string | null; anytime: boolean }[]>(
      `SELECT ${ms('at')} AS at, kind, source, anytime FROM consent_events WHERE number = $1 ORDER BY at, id`, [number]),
    sql.unsafe<{ at: number; campaign: string | null }[]>(`SELECT ${ms('at')} AS at, campaign FROM refusals WHERE number = $1 ORDER BY at, id`, [number]),
    sql.unsafe<{ added_at: number; source: string | null }[]>(`SELECT ${ms('added_at')} AS added_at, source FROM do_not_call WHERE number = $1`, [number]),
  ]);
  return toConsumerRecords(consents, refusals, dnc);
}
