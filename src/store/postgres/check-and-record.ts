import type postgres from 'postgres';
import { EMPTY_HISTORY, type Decision, type History, type PbxIds } from '../../model/types.js';
import { rowToDecision, type DecisionRow } from '../decision-row.js';
import type { HistoryQuery, Recorded } from '../store.js';
import { bumpUsage, DECISION_COLUMNS, decisionValues, INSERT_DECISIONS_SQL, MARK_RETRIED_SQL } from './decision-sql.js';
import { BatchHistory, HISTORY_SQL, historyOf, historyParams, type HistoryRow } from './history.js';
import { LOCK_SQL, lockKeys, type LockScope } from './locks.js';
import { DECISION_ROW, SERVER_NOW_SQL } from './sql.js';

/** One call of a batch, as the write queue holds it. */
export interface BatchCall {
  /** Called when the store decides: a call decided "now" takes its instant then. */
  readonly query: (storeNow?: Date) => HistoryQuery;
  readonly decide: (h: History, q: HistoryQuery) => Decision;
  readonly record: PbxIds | null;
  /** Answered already: by its timeout, or by the batch. */
  readonly done: boolean;
  /**
   * The id the batch gave its row. Answered by its timeout (or a lost connection) once the row is
   * written, the call's error carries it: the batch may still commit, and the replay then puts the
   * journaled decision in that row (see pendingAttemptId).
   */
  attemptId: number | null;
}

/** One row to insert, with what it adds to the counters. */
interface Insert {
  readonly call: BatchCall;
  readonly values: unknown[];
  readonly usage: { day: string; number: string } | null;
}

const scope = (q: HistoryQuery): LockScope => ({ callee: q.callee, day: q.day, numbers: q.cappedNumbers ?? [] });

/**
 * Check-and-record of a batch in one READ COMMITTED transaction: advisory locks on the calls'
 * consumers (and on the pool numbers under a daily cap) first, then the history read, each call
 * decided seeing the ones before it, and all written before the commit. Returns each call's result
 * (or its own error) in order.
 */
export async function decideBatch(sql: postgres.Sql, batch: readonly BatchCall[]): Promise<(Recorded | Error)[]> {
  const locks = lockKeys(batch.map((p) => scope(p.query())));
  const uniqueIds = batch.map((p) => p.record?.uniqueId).filter((u): u is string => typeof u === 'string');
  const recording = batch.filter((p) => p.record).length;
  for (const p of batch) p.attemptId = null; // a previous try of the batch was rolled back
  return sql.begin(async (tx) => {
    // One round trip for the locks and what does not depend on the instant.
    const [, [clock], earlier, ids] = await Promise.all([
      locks.ns.length ? tx.unsafe(LOCK_SQL, [locks.ns, locks.keys], { prepare: true }) : Promise.resolve([]),
      // After the locks (one connection runs its statements in order): the instant of every call of the batch.
      tx.unsafe<{ now: number }[]>(SERVER_NOW_SQL, [], { prepare: true }),
      uniqueIds.length ? tx.unsafe<DecisionRow[]>(`SELECT ${DECISION_ROW} FROM decisions WHERE pbx_unique_id = ANY($1::text[])`, [uniqueIds], { prepare: true })
        : Promise.resolve([] as DecisionRow[]),
      recording ? tx.unsafe<{ id: number }[]>(
        `SELECT nextval(pg_get_serial_sequence('decisions', 'id')) AS id FROM generate_series(1, $1::int)`, [recording], { prepare: true })
        : Promise.resolve([] as { id: number }[]),
    ]);
    // Each live call's instant is the server's, read once its consumer is locked: every node
    // dates its attempts on one clock. A call at an explicit instant (or a pinned clock) keeps its
    // own; the limits then count the log on both sides of it (History.later), whatever the clocks.
    const queries = new Map<BatchCall, HistoryQuery>(batch.map((p) => [p, p.query(new Date(clock!.now))]));
    const late = lockKeys([...queries.values()].map(scope), locks.taken);
    if (late.ns.length) await tx.unsafe(LOCK_SQL, [late.ns, late.keys], { prepare: true }); // the day turned meanwhile
    const q = (p: BatchCall) => queries.get(p)!;
    const withCallee = batch.filter((p) => q(p).callee !== null);
    const days = [...new Set(batch.map((p) => q(p).day))];
    const [histories, usageRows] = await Promise.all([
      withCallee.length ? tx.unsafe<HistoryRow[]>(HISTORY_SQL, historyParams(withCallee.map(q)), { prepare: true })
        : Promise.resolve([] as HistoryRow[]),
      tx.unsafe<{ day: string; number: string; count: number }[]>(
        'SELECT day, number, count FROM number_usage WHERE day = ANY($1::text[])', [days], { prepare: true }),
    ]);

    const usage = new Map<string, Map<string, number>>(days.map((d) => [d, new Map()]));
    for (const u of usageRows) usage.get(u.day)!.set(u.number, u.count);
    const byUniqueId = new Map<string, Recorded>(earlier.map((r) => [r.pbx_unique_id!, { decision: rowToDecision(r), attemptId: r.id, replayed: true }]));
    const committed = new Set(earlier.map((r) => r.id));
    const answeredFromRow: { call: BatchCall; id: number }[] = [];
    const rowOf = new Map<BatchCall, HistoryRow>(withCallee.map((p, i) => [p, histories[i]!]));
    const inBatch = new BatchHistory();
    const nextId = ids.map((r) => r.id);
    const inserts: Insert[] = [];

    const results = batch.map((p): Recorded | Error => {
      const uid = p.record?.uniqueId ?? null;
      const replay = uid === null ? undefined : byUniqueId.get(uid);
      if (replay) {
        if (committed.has(replay.attemptId!)) answeredFromRow.push({ call: p, id: replay.attemptId! });
        return replay;
      }
      try {
        const row = rowOf.get(p);
        const query = q(p);
        const usageToday = usage.get(query.day)!;
        const decision = p.decide(row ? inBatch.over(historyOf(row, usageToday, query), query) : { ...EMPTY_HISTORY, usageToday }, query);
        if (!p.record) return { decision, attemptId: null, replayed: false };
        const id = nextId.shift()!;
        p.attemptId = id;
        const counted = decision.action !== 'block';
        if (counted) inBatch.add(decision);
        const bumps = counted && decision.callerId !== null;
        if (bumps) usageToday.set(decision.callerId!, (usageToday.get(decision.callerId!) ?? 0) + 1);
        inserts.push({ call: p, values: decisionValues(id, decision, p.record, counted), usage: bumps ? { day: query.day, number: decision.callerId! } : null });
        const recorded = { decision, attemptId: id, replayed: false };
        if (uid !== null) byUniqueId.set(uid, { ...recorded, replayed: true });
        return recorded;
      } catch (err) {
        return err as Error;
      }
    });

    // A call already answered by its timeout is not written: the PBX never got this decision.
    const writing = inserts.filter((i) => !i.call.done);
    const retried = [...new Set(answeredFromRow.filter((a) => !a.call.done).map((a) => a.id))];
    await Promise.all([
      writing.length ? tx.unsafe(INSERT_DECISIONS_SQL, DECISION_COLUMNS.map((_, c) => writing.map((w) => w.values[c])) as never[], { prepare: true })
        : Promise.resolve([]),
      bumpUsage(tx, writing.flatMap((w) => (w.usage ? [w.usage] : []))),
      retried.length ? tx.unsafe(MARK_RETRIED_SQL, [retried], { prepare: true }) : Promise.resolve([]),
    ]);
    return results;
  }) as Promise<(Recorded | Error)[]>;
}
