import postgres from 'postgres';
import { CidgateError } from '../errors.js';
import { EMPTY_HISTORY, type Decision, type History, type PbxIds, type Purpose } from '../model/types.js';
import { splitAt, untilOf } from './history-reading.js';
import { planConsentErasure } from './consent-erasure.js';
import { maskUrl } from './database-url.js';
import { PG_MIGRATIONS } from './postgres-migrations.js';
import { PostgresReportQueries } from './postgres-report.js';
import { DECISION_ROW, ms, ts } from './postgres-sql.js';
import { rowToDecision, toAttemptRow, type DecisionRow } from './sqlite-rows.js';
import type {
  AttemptFilter, AttemptKey, AttemptRow, ConsentRecord, ConsumerRecords, ErasureCounts, ErasureCutoffs, HistoryQuery, JournaledDecision,
  JournaledOutcome, Outcome, PurgeCutoffs, Recorded, Store, StoreHealth,
} from './store.js';
import { PSEUDONYM_PREFIX, schemaChecked } from './store.js';

export interface PostgresOptions {
  /** How long a decision waits for the database before it is answered by the onStoreError policy. */
  readonly waitMs?: number;
  /** Connections to the server (decision batches, outcomes, commands). */
  readonly poolSize?: number;
  /** Apply pending migrations before the first use (default true); `cidgate db migrate` does it explicitly. */
  readonly migrate?: boolean;
}

/** At most this many decisions share one transaction, so a burst never makes one wait for long. */
const MAX_BATCH = 256;
/** Decision transactions in flight at once from this node. */
const BATCHES_IN_FLIGHT = 4;
/** A batch that lost a deadlock or a unique-id race against another node is retried this often. */
const BATCH_RETRIES = 3;
/** Rows per statement when importing or purging: short transactions that never stall live calls. */
const CHUNK = 5_000;
const MIGRATION_LOCK = 0x63696467; // 'cidg'
/** Advisory-lock namespaces: (namespace, key) pairs. */
const CONSUMER_LOCK = 1;
const POOL_NUMBER_LOCK = 2;

/** SQLSTATEs after which the batch is retried at once: another node won a race. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);

interface Pending {
  /** Called when the store decides: a call decided "now" takes its instant then. */
  readonly query: (storeNow?: Date) => HistoryQuery;
  readonly decide: (h: History, q: HistoryQuery) => Decision;
  readonly record: PbxIds | null;
  readonly resolve: (r: Recorded) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** Answered already: by its timeout, or by the batch. */
  done: boolean;
  /**
   * The id the batch gave its row. Answered by its timeout (or a lost connection) once the row is
   * written, the call's error carries it: the batch may still commit, and the replay then puts the
   * journaled decision in that row (see pendingAttemptId).
   */
  attemptId: number | null;
}

interface HistoryRow {
  attempts: [number, string, string | null][];
  refused_at: number | null;
  /** The latest consent event at or before the call: [kind, at, source, anytime]. */
  consent: ['given' | 'revoked', number, string | null, boolean] | null;
  dnc: boolean;
  last_presented: string | null;
}


/**
 * Each call's history as of its own instant: the attempts a limit may count (every prospecting
 * attempt, and the campaign's own) in (since, at], the last refusal, the consent in force (the
 * latest event at or before it, a revocation winning a tie), a do-not-call entry added by then.
 * Exact: the whole window is read, whatever else the consumer received.
 */
const HISTORY_SQL = `
  SELECT
    (SELECT coalesce(json_agg(json_build_array(${ms('d.at')}, d.campaign, d.purpose) ORDER BY d.at DESC), '[]'::json)
       FROM decisions d WHERE d.callee = q.callee AND d.counted AND d.at > ${ts('q.since')}
         AND (d.at <= ${ts('q.at')} OR d.at < ${ts('q.until')}) AND (d.purpose = 'prospecting' OR d.campaign = q.campaign)) AS attempts,
    (SELECT ${ms('max(r.at)')} FROM refusals r WHERE r.number = q.callee AND r.at <= ${ts('q.at')}) AS refused_at,
    (SELECT json_build_array(e.kind, ${ms('e.at')}, e.source, e.anytime) FROM consent_events e
       WHERE e.number = q.callee AND e.at <= ${ts('q.at')} ORDER BY e.at DESC, e.kind = 'revoked' DESC, e.id DESC LIMIT 1) AS consent,
    EXISTS (SELECT 1 FROM do_not_call n WHERE n.number = q.callee AND n.added_at <= ${ts('q.at')}) AS dnc,
    (SELECT d.presented_caller_id FROM decisions d
       WHERE d.callee = q.callee AND d.counted AND d.campaign = q.campaign AND d.at <= ${ts('q.at')}
       ORDER BY d.at DESC LIMIT 1) AS last_presented
  FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::float8[]) WITH ORDINALITY AS q(callee, since, at, campaign, until, o)
  ORDER BY q.o`;

/** $1 the instant (ms), $2 the number: a revocation, when a consent was in force then. */
const REVOKE_CONSENT_SQL = `
  INSERT INTO consent_events (number, at, kind) SELECT $2, ${ts('$1::float8')}, 'revoked'
  WHERE (SELECT kind FROM consent_events WHERE number = $2 AND at <= ${ts('$1::float8')}
         ORDER BY at DESC, kind = 'revoked' DESC, id DESC LIMIT 1) = 'given'`;

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

/** The server's clock, the one every node dates its live decisions on (clock_timestamp: now, not the transaction's start). */
const SERVER_NOW_SQL = `SELECT ${ms('clock_timestamp()')} AS now`;

const LOCK_SQL = `SELECT pg_advisory_xact_lock(l.ns, l.k) FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS l(ns, k, o) ORDER BY l.o`;

const DECISION_COLUMNS = [
  'id', 'at', 'campaign', 'purpose', 'source', 'channel', 'pbx_unique_id', 'agent', 'lead', 'original_caller_id',
  'presented_caller_id', 'callee', 'area', 'action', 'reasons', 'retry_at', 'counted', 'consent_ref', 'dialing', 'basis',
  'consent_anytime',
] as const;
const DECISION_TYPES = ['float8', 'float8', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'float8', 'int', 'text', 'text', 'text', 'int'];
/** Flags cross the driver as 0/1 (its boolean arrays do not serialise). */
const FLAG_COLUMNS = new Set(['counted', 'consent_anytime', 'without_history']);
const TIME_COLUMNS = new Set(['at', 'retry_at']);

/** A decision column's value from `ref`, a parameter or an unnested column as it crosses the driver. */
function columnValue(column: string, ref: string): string {
  return column === 'id' ? `${ref}::bigint` : FLAG_COLUMNS.has(column) ? `(${ref} = 1)` : TIME_COLUMNS.has(column) ? ts(ref) : ref;
}

/** Inserts decisions from one array per column (`columns` of DECISION_COLUMNS, then `extra` ones). */
function insertDecisionsSql(columns: readonly string[], extra: readonly (readonly [string, string])[] = [], tail = ''): string {
  const names = [...columns, ...extra.map(([c]) => c)];
  const types = [...columns.map((c) => DECISION_TYPES[DECISION_COLUMNS.indexOf(c as never)]!), ...extra.map(([, t]) => t)];
  const select = names.map((c) => columnValue(c, `v.${c}`));
  return `INSERT INTO decisions (${names.join(', ')})
  SELECT ${select.join(', ')}
  FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) WITH ORDINALITY AS v(${names.join(', ')}, o) ${tail}`;
}

const INSERT_DECISIONS_SQL = insertDecisionsSql(DECISION_COLUMNS);

/**
 * Journaled decisions, numbered by the database in the journal's order and flagged as made
 * without history; one already replayed (its journal id) or whose PBX unique id was recorded
 * meanwhile is skipped. Returns the journal ids inserted.
 */
const INSERT_JOURNALED_SQL = insertDecisionsSql(DECISION_COLUMNS.slice(1), [['without_history', 'int'], ['journal_id', 'text']],
  'ORDER BY v.o ON CONFLICT DO NOTHING RETURNING journal_id');

/**
 * A row its batch committed after the call was answered by onStoreError takes the journaled
 * decision (what the PBX was told), flagged as replayed rows are; an outcome recorded meanwhile
 * stays (and a cancelled-before-dial one still un-counts it). Not a row a PBX retry was answered
 * from (the PBX had its decision), nor one replayed already. Returns what the row counted before.
 */
const OVERWRITE_LATE_SQL = `
  UPDATE decisions d SET ${DECISION_COLUMNS.slice(1).map((c, i) => {
    const value = columnValue(c, `$${i + 1}::${DECISION_TYPES[i + 1]}`);
    return `${c} = ${c === 'counted' ? `${value} AND d.outcome IS DISTINCT FROM 'cancelled-before-dial'` : value}`;
  }).join(', ')}, without_history = true, journal_id = $${DECISION_COLUMNS.length}
  FROM (SELECT id, counted, presented_caller_id FROM decisions WHERE id = $${DECISION_COLUMNS.length + 1}::bigint FOR UPDATE) old
  WHERE d.id = old.id AND d.journal_id IS NULL AND NOT d.retried
  RETURNING old.counted AS counted, old.presented_caller_id AS presented`;

/** The uses of pool numbers as BUMP_USAGE_SQL takes them: one [day, number, count] per pair. */
function usageBumps(uses: readonly { day: string; number: string }[]): [string, string, number][] {
  const counts = new Map<string, [string, string, number]>();
  for (const { day, number } of uses) {
    const k = `${day}\u0000${number}`;
    const c = counts.get(k) ?? [day, number, 0];
    c[2]++;
    counts.set(k, c);
  }
  return [...counts.values()];
}

/** Gives back the pool use of a row that took a journaled decision. */
const UNBUMP_USAGE_SQL = 'UPDATE number_usage SET count = count - 1 WHERE day = $1 AND number = $2 AND count > 0';

/** Rows a PBX retry was answered from (see migration 6). */
const MARK_RETRIED_SQL = 'UPDATE decisions SET retried = true WHERE id = ANY($1::bigint[]) AND NOT retried';

/** Sorted, so that two nodes' batches lock the counters in the same order (no deadlock). */
const BUMP_USAGE_SQL = `
  INSERT INTO number_usage (day, number, count)
  SELECT day, number, n FROM unnest($1::text[], $2::text[], $3::int[]) AS u(day, number, n) ORDER BY day, number
  ON CONFLICT (day, number) DO UPDATE SET count = number_usage.count + excluded.count`;

/** One row to insert, with what it adds to the counters. */
interface Insert {
  readonly call: Pending;
  readonly values: unknown[];
  readonly usage: { day: string; number: string } | null;
}

/**
 * The store on PostgreSQL, shared by every cidgate node of a site. Check-and-record is a group
 * commit, as on SQLite: the calls waiting when a connection frees up are decided in one READ
 * COMMITTED transaction that first takes transaction-scoped advisory locks on their consumers (and
 * on the pool numbers under a daily cap), in one global order, so two nodes can never both take
 * the 4th slot or a number's last use under its cap, and never deadlock on each other; the
 * history is then read, each call decided seeing the ones before it, and all are written and
 * committed before any is answered. A call whose batch has not committed within `waitMs` is
 * answered by the caller's onStoreError policy; the pool reconnects by itself when the server
 * comes back.
 */
export class PostgresStore implements Store {
  private readonly sql: postgres.Sql;
  private readonly waitMs: number;
  private readonly queue: Pending[] = [];
  private running = 0;
  private pumpScheduled = false;
  private ready: Promise<void> | null = null;
  private readonly migrateOnOpen: boolean;
  private closed = false;
  /** Why the last decision batch failed (or timed out), until one commits again: what health() reports. */
  private failure: string | null = null;
  /** The URL with its password masked: what logs and messages show. */
  readonly location: string;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.location = maskUrl(url);
    this.waitMs = opts.waitMs ?? 1_000;
    this.migrateOnOpen = opts.migrate ?? true;
    this.sql = postgres(url, {
      max: opts.poolSize ?? BATCHES_IN_FLIGHT + 4,
      connect_timeout: 5,
      // The driver's default backoff grows to 20 s over the failed attempts of an outage: the nodes
      // would stay on onStoreError that long after the server is back. At most a second here.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      idle_timeout: 60,
      onnotice: () => {},
      connection: {
        application_name: 'cidgate',
        // A server that stops answering must not hold a connection (and its locks) forever.
        statement_timeout: 30_000,
        idle_in_transaction_session_timeout: 30_000,
      },
      types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    });
  }

  /** Connects and applies pending migrations (under a lock: nodes starting together take turns). */
  migrate(): Promise<void> {
    if (!this.ready) {
      this.ready = this.applyMigrations().catch((err) => {
        this.ready = null; // the next call tries again: the server may come back
        throw storeError(err, this.location);
      });
    }
    return this.ready;
  }

  private async applyMigrations(): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.unsafe('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const [row] = await tx.unsafe<{ v: number | null }[]>('SELECT max(version) AS v FROM schema_migrations');
      for (const m of PG_MIGRATIONS.filter((x) => x.version > (row?.v ?? 0))) {
        await tx.unsafe(m.sql);
        await tx.unsafe('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      }
    });
  }

  async ensureSchema(migrate: boolean): Promise<number> {
    if (migrate) await this.migrate();
    const version = await this.use(async () => {
      const [table] = await this.sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
      if (!table?.present) return 0;
      const [row] = await this.sql.unsafe<{ v: number | null }[]>('SELECT max(version) AS v FROM schema_migrations');
      return row?.v ?? 0;
    });
    return schemaChecked(this.location, version, PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version);
  }

  private async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.migrateOnOpen) await this.migrate();
    try {
      return await fn();
    } catch (err) {
      throw storeError(err, this.location);
    }
  }

  checkAndRecord(query: (storeNow?: Date) => HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      const p: Pending = {
        query, decide, record, resolve, reject, done: false, attemptId: null,
        timer: setTimeout(() => {
          const e = new CidgateError('STORE_TIMEOUT', [this.waitMs], { database: this.location, waitMs: this.waitMs });
          this.failure ??= e.message;
          this.settle(p, e);
        }, this.waitMs),
      };
      this.queue.push(p);
      // Calls arriving in the same turn of the event loop go out together in one batch.
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        setImmediate(() => { this.pumpScheduled = false; this.pump(); });
      }
    });
  }

  private settle(p: Pending, r: Recorded | Error): void {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    if (!(r instanceof Error)) p.resolve(r);
    else p.reject(r instanceof CidgateError && p.attemptId !== null ? r.withContext({ attemptId: p.attemptId }) : r);
  }

  private pump(): void {
    while (this.running < BATCHES_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH).filter((p) => !p.done);
      if (batch.length === 0) continue;
      this.running++;
      void this.runBatch(batch).finally(() => { this.running--; this.pump(); });
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const live = batch.filter((p) => !p.done);
      if (live.length === 0) return;
      try {
        if (this.migrateOnOpen) await this.migrate();
        const results = await this.decideBatch(live);
        this.failure = null;
        live.forEach((p, i) => this.settle(p, results[i]!));
        return;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (RETRYABLE.has(code) && attempt < BATCH_RETRIES) continue;
        const e = storeError(err, this.location);
        this.failure = e.message;
        for (const p of live) this.settle(p, e);
        return;
      }
    }
  }

  /** One transaction for the batch; returns each call's result (or its own error) in order. */
  private async decideBatch(batch: Pending[]): Promise<(Recorded | Error)[]> {
    const locks = lockKeys(batch.map((p) => p.query()));
    const uniqueIds = batch.map((p) => p.record?.uniqueId).filter((u): u is string => typeof u === 'string');
    const recording = batch.filter((p) => p.record).length;
    for (const p of batch) p.attemptId = null; // a previous try of the batch was rolled back
    return this.sql.begin(async (tx) => {
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
      const queries = new Map<Pending, HistoryQuery>(batch.map((p) => [p, p.query(new Date(clock!.now))]));
      const late = lockKeys([...queries.values()], locks.taken);
      if (late.ns.length) await tx.unsafe(LOCK_SQL, [late.ns, late.keys], { prepare: true }); // the day turned meanwhile
      const withCallee = batch.filter((p) => queries.get(p)!.callee !== null);
      const q = (p: Pending) => queries.get(p)!;
      const days = [...new Set(batch.map((p) => q(p).day))];
      const [histories, usageRows] = await Promise.all([
        withCallee.length ? tx.unsafe<HistoryRow[]>(HISTORY_SQL, [
          withCallee.map((p) => q(p).callee), withCallee.map((p) => q(p).since.getTime()),
          withCallee.map((p) => q(p).at.getTime()), withCallee.map((p) => q(p).campaign), withCallee.map((p) => untilOf(q(p))),
        ], { prepare: true }) : Promise.resolve([] as HistoryRow[]),
        tx.unsafe<{ day: string; number: string; count: number }[]>(
          'SELECT day, number, count FROM number_usage WHERE day = ANY($1::text[])', [days], { prepare: true }),
      ]);

      const usage = new Map<string, Map<string, number>>(days.map((d) => [d, new Map()]));
      for (const u of usageRows) usage.get(u.day)!.set(u.number, u.count);
      const byUniqueId = new Map<string, Recorded>(earlier.map((r) => [r.pbx_unique_id!, { decision: rowToDecision(r), attemptId: r.id, replayed: true }]));
      const committed = new Set(earlier.map((r) => r.id));
      const answeredFromRow: { call: Pending; id: number }[] = [];
      const historyOf = new Map<Pending, HistoryRow>(withCallee.map((p, i) => [p, histories[i]!]));
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
          const row = historyOf.get(p);
          const query = q(p);
          const usageToday = usage.get(query.day)!;
          const decision = p.decide(row ? inBatch.over(toHistory(row, usageToday, query), query) : { ...EMPTY_HISTORY, usageToday }, query);
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
      const bumps = usageBumps(writing.flatMap((w) => (w.usage ? [w.usage] : [])));
      await Promise.all([
        writing.length ? tx.unsafe(INSERT_DECISIONS_SQL, DECISION_COLUMNS.map((_, c) => writing.map((w) => w.values[c])) as never[], { prepare: true })
          : Promise.resolve([]),
        bumps.length ? tx.unsafe(BUMP_USAGE_SQL, [bumps.map((b) => b[0]), bumps.map((b) => b[1]), bumps.map((b) => b[2])], { prepare: true })
          : Promise.resolve([]),
        retried.length ? tx.unsafe(MARK_RETRIED_SQL, [retried], { prepare: true }) : Promise.resolve([]),
      ]);
      return results;
    }) as Promise<(Recorded | Error)[]>;
  }

  /**
   * Waits at most `waitMs`, as a decision does: then the caller journals the outcome. The update
   * may still land later; the replay then finds the outcome recorded and changes nothing.
   */
  async recordOutcome(key: AttemptKey, o: Outcome): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CidgateError('STORE_TIMEOUT', [this.waitMs], { database: this.location, waitMs: this.waitMs })), this.waitMs);
    });
    try {
      return await Promise.race([this.use(async () => (await outcomeUpdate(this.sql, key, o)).count > 0), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One transaction: the decisions first (under their consumers' and pool numbers' locks, so a
   * live batch deciding for the same consumer sees them all or none), then the outcomes.
   */
  async recordJournaled(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): Promise<void> {
    await this.use(() => this.sql.begin(async (tx) => {
      // Never waits on a lock longer than a live call would: still blocked, it is retried at the next replay.
      await tx.unsafe(`SET LOCAL lock_timeout = ${Math.ceil(this.waitMs)}`);
      if (decisions.length > 0) {
        const keys = new Map<string, [number, number]>();
        for (const { decision: d, day } of decisions) {
          if (d.callee !== null) keys.set(`c${d.callee}`, [CONSUMER_LOCK, hash32(d.callee)]);
          if (d.callerId !== null) keys.set(`p${day} ${d.callerId}`, [POOL_NUMBER_LOCK, hash32(`${day} ${d.callerId}`)]);
        }
        const sorted = [...keys.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        await tx.unsafe(LOCK_SQL, [sorted.map((k) => k[0]), sorted.map((k) => k[1])], { prepare: true });
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
        const bumps = usageBumps(decisions.flatMap(({ journalId, decision: d, day }) =>
          (inserted.has(journalId) || tookLateRow.has(journalId)) && d.action !== 'block' && d.callerId !== null ? [{ day, number: d.callerId }] : []));
        if (bumps.length) await tx.unsafe(BUMP_USAGE_SQL, [bumps.map((b) => b[0]), bumps.map((b) => b[1]), bumps.map((b) => b[2])], { prepare: true });
      }
      for (const o of outcomes) await outcomeUpdate(tx, o.key, o.outcome);
    }));
  }

  async addRefusal(number: string, at: Date, campaign: string | null): Promise<void> {
    await this.use(() => this.sql.unsafe(`INSERT INTO refusals (number, at, campaign) VALUES ($1, ${ts('$2::float8')}, $3)`, [number, at.getTime(), campaign], { prepare: true }));
  }

  /** In chunks, each its own short transaction, as addDoNotCall. */
  async addConsents(consents: readonly ConsentRecord[]): Promise<void> {
    // One row per number and instant in a statement (ON CONFLICT cannot update a row twice): the last one stands.
    const rows = [...new Map(consents.map((c) => [`${c.number}\u0000${c.at.getTime()}`, c])).values()];
    await this.use(async () => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        await this.sql.unsafe(
          `INSERT INTO consent_events (number, at, kind, source, anytime)
           SELECT c.number, ${ts('c.at')}, 'given', c.source, c.anytime = 1 FROM unnest($1::text[], $2::float8[], $3::text[], $4::int[]) AS c(number, at, source, anytime)
           ON CONFLICT (number, at, kind) DO UPDATE SET source = excluded.source, anytime = excluded.anytime`,
          [chunk.map((c) => c.number), chunk.map((c) => c.at.getTime()), chunk.map((c) => c.source), chunk.map((c) => (c.anytime ? 1 : 0))] as never[],
          { prepare: true });
      }
    });
  }

  async revokeConsent(number: string, at: Date): Promise<boolean> {
    return this.use(async () => (await this.sql.unsafe(REVOKE_CONSENT_SQL, [at.getTime(), number], { prepare: true })).count > 0);
  }

  /** In chunks, each its own short transaction: a Bloctel-sized import never holds up live calls. */
  async addDoNotCall(numbers: readonly string[], at: Date, source: string | null): Promise<number> {
    return this.use(async () => {
      let added = 0;
      for (let i = 0; i < numbers.length; i += CHUNK) {
        const [row] = await this.sql.unsafe<{ n: number }[]>(
          // Listed again with an earlier date (an import of older entries): it was on the list since then.
          `WITH ins AS (INSERT INTO do_not_call (number, added_at, source)
             SELECT DISTINCT n, ${ts('$2::float8')}, $3 FROM unnest($1::text[]) AS n ORDER BY 1
             ON CONFLICT (number) DO UPDATE SET added_at = excluded.added_at, source = excluded.source
               WHERE do_not_call.added_at > excluded.added_at
             RETURNING xmax = 0 AS inserted)
           SELECT count(*) FILTER (WHERE inserted)::int AS n FROM ins`, [numbers.slice(i, i + CHUNK) as string[], at.getTime(), source], { prepare: true });
        added += row?.n ?? 0;
      }
      return added;
    });
  }

  async removeDoNotCall(number: string): Promise<boolean> {
    return this.use(async () => (await this.sql.unsafe('DELETE FROM do_not_call WHERE number = $1', [number], { prepare: true })).count > 0);
  }

  async findAttempt(key: AttemptKey): Promise<AttemptRow | null> {
    const [where, value] = 'attemptId' in key ? ['id = $1::bigint', key.attemptId] : ['pbx_unique_id = $1', key.pbxUniqueId];
    return this.use(async () => {
      const [row] = await this.sql.unsafe<DecisionRow[]>(`SELECT ${DECISION_ROW} FROM decisions WHERE ${where}`, [value], { prepare: true });
      return row ? toAttemptRow(row) : null;
    });
  }

  reportQueries(): PostgresReportQueries {
    return new PostgresReportQueries(this.sql);
  }

  /** Streams through a server-side cursor: millions of rows in constant memory. */
  async *attempts(filter: AttemptFilter): AsyncIterable<AttemptRow> {
    if (this.migrateOnOpen) await this.migrate();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.callee) { params.push(filter.callee); where.push(`callee = $${params.length}`); }
    if (filter.since) { params.push(filter.since.getTime()); where.push(`at >= ${ts(`$${params.length}::float8`)}`); }
    if (filter.until) { params.push(filter.until.getTime()); where.push(`at < ${ts(`$${params.length}::float8`)}`); }
    if (filter.campaign) { params.push(filter.campaign); where.push(`campaign = $${params.length}`); }
    if (filter.action) { params.push(filter.action); where.push(`action = $${params.length}`); }
    const text = `SELECT ${DECISION_ROW} FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    try {
      for await (const rows of this.sql.unsafe<DecisionRow[]>(text, params).cursor(1_000)) {
        for (const r of rows) yield toAttemptRow(r);
      }
    } catch (err) {
      throw storeError(err, this.location);
    }
  }

  async consumerRecords(number: string): Promise<ConsumerRecords> {
    return this.use(async () => {
      const [consents, refusals, [dnc]] = await Promise.all([
        this.sql.unsafe<{ at: number; kind: 'given' | 'revoked'; source: string | null; anytime: boolean }[]>(
          `SELECT ${ms('at')} AS at, kind, source, anytime FROM consent_events WHERE number = $1 ORDER BY at, id`, [number]),
        this.sql.unsafe<{ at: number; campaign: string | null }[]>(`SELECT ${ms('at')} AS at, campaign FROM refusals WHERE number = $1 ORDER BY at, id`, [number]),
        this.sql.unsafe<{ added_at: number; source: string | null }[]>(`SELECT ${ms('added_at')} AS added_at, source FROM do_not_call WHERE number = $1`, [number]),
      ]);
      return {
        consents: consents.map((c) => ({ at: new Date(c.at), kind: c.kind, source: c.source, anytime: c.anytime })),
        refusals: refusals.map((r) => ({ at: new Date(r.at), campaign: r.campaign })),
        doNotCall: dnc ? { addedAt: new Date(dnc.added_at), source: dnc.source } : null,
      };
    });
  }

  async eraseConsumer(number: string, c: ErasureCutoffs): Promise<ErasureCounts> {
    return this.use(() => this.sql.begin(async (tx) => {
      // Under the consumer's lock: no decision about the number reads its consent meanwhile.
      await tx.unsafe(LOCK_SQL, [[CONSUMER_LOCK], [hash32(number)]]);
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
      return {
        pseudonymised, attemptsKept: kept!.attempts, refusalsDeleted, refusalsKept: kept!.refusals, consentRevoked,
        consentEventsKept: plan.keep.length, consentEventsPseudonymised: plan.pseudonymise.length, consentEventsDeleted: plan.remove.length,
      };
    }));
  }

  async poolUsage(day: string): Promise<ReadonlyMap<string, number>> {
    return this.use(async () => {
      const rows = await this.sql.unsafe<{ number: string; count: number }[]>('SELECT number, count FROM number_usage WHERE day = $1', [day], { prepare: true });
      return new Map(rows.map((u) => [u.number, u.count]));
    });
  }

  async purge(c: PurgeCutoffs): Promise<number> {
    return this.use(async () => {
      let deleted = (await this.sql.unsafe('DELETE FROM number_usage WHERE day < $1', [c.usageBefore])).count;
      for (const [table, before] of [['decisions', c.decisionsBefore], ['refusals', c.refusalsBefore]] as const) {
        for (;;) {
          const n = (await this.sql.unsafe(
            `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE at < ${ts('$1::float8')} LIMIT ${CHUNK})`, [before.getTime()])).count;
          deleted += n;
          if (n < CHUNK) break;
        }
      }
      // After the decisions (a pseudonym's events go once its last attempt has); read, then deleted by id.
      const consents = (await this.sql.unsafe<{ id: number }[]>(PURGEABLE_CONSENTS_SQL, [c.consentsBefore.getTime()])).map((r) => r.id);
      for (let i = 0; i < consents.length; i += CHUNK) {
        deleted += (await this.sql.unsafe('DELETE FROM consent_events WHERE id = ANY($1::bigint[])', [consents.slice(i, i + CHUNK)])).count;
      }
      return deleted;
    });
  }

  /**
   * Not ok from the moment a decision batch fails or a call waits past `waitMs` until a batch
   * commits again. No write-ahead log of its own to report: the server manages its WAL.
   */
  health(): StoreHealth {
    return { ok: this.failure === null, reason: this.failure, walBytes: 0, checkpointLagFrames: -1 };
  }

  async serverTime(): Promise<number> {
    return this.use(async () => (await this.sql.unsafe<{ now: number }[]>(SERVER_NOW_SQL, [], { prepare: true }))[0]!.now);
  }

  /** The connection pool, for `db copy` (bulk inserts in the same schema). */
  get connection(): postgres.Sql {
    return this.sql;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sql.end({ timeout: 5 });
  }
}

/** Attempts and last presented numbers decided earlier in the same batch, on top of what was read. */
class BatchHistory {
  private readonly byCallee = new Map<string, Decision[]>();

  add(d: Decision): void {
    if (d.callee === null) return;
    const list = this.byCallee.get(d.callee) ?? [];
    list.push(d);
    this.byCallee.set(d.callee, list);
  }

  over(h: History, q: HistoryQuery): History {
    const mine = this.byCallee.get(q.callee ?? '');
    if (!mine) return h;
    const at = q.at.getTime();
    const read = mine.filter((d) => d.at.getTime() > q.since.getTime() && (d.at.getTime() <= at || d.at.getTime() < untilOf(q)));
    if (read.length === 0) return h;
    const limited = read.filter((d) => d.purpose === 'prospecting' || d.campaign === q.campaign); // as HISTORY_SQL reads them
    const both = splitAt(limited.map((d) => ({ at: d.at, campaign: d.campaign, purpose: d.purpose ?? 'prospecting' })), at);
    const attempts = [...h.attempts, ...both.attempts].sort((a, b) => b.at.getTime() - a.at.getTime());
    const later = [...h.later ?? [], ...both.later].sort((a, b) => a.at.getTime() - b.at.getTime());
    const own = read.filter((d) => d.campaign === q.campaign && d.at.getTime() <= at).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return { ...h, attempts, later, lastPresented: own ? own.callerId : h.lastPresented };
  }
}

function toHistory(r: HistoryRow, usageToday: ReadonlyMap<string, number>, q: HistoryQuery): History {
  return {
    ...splitAt(r.attempts.map(([at, campaign, purpose]) => ({ at: new Date(at), campaign, purpose: (purpose ?? 'prospecting') as Purpose })), q.at.getTime()),
    lastRefusalAt: r.refused_at === null ? null : new Date(r.refused_at),
    consent: r.consent?.[0] !== 'given' ? null : { at: new Date(r.consent[1]), source: r.consent[2], anytime: r.consent[3] },
    doNotCall: r.dnc,
    lastPresented: r.last_presented,
    usageToday,
  };
}

/**
 * Sorted (namespace, key) pairs: every batch on every node takes its locks in the same order.
 * `taken`, when given, holds what was locked already (skipped) and receives the new pairs.
 */
function lockKeys(queries: readonly HistoryQuery[], taken: Set<string> = new Set()): { ns: number[]; keys: number[]; taken: Set<string> } {
  const pairs = new Map<string, [number, number]>();
  for (const q of queries) {
    if (q.callee !== null) pairs.set(`c${q.callee}`, [CONSUMER_LOCK, hash32(q.callee)]);
    for (const n of q.cappedNumbers ?? []) pairs.set(`p${q.day} ${n}`, [POOL_NUMBER_LOCK, hash32(`${q.day} ${n}`)]);
  }
  for (const k of taken) pairs.delete(k);
  for (const k of pairs.keys()) taken.add(k);
  const sorted = [...pairs.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { ns: sorted.map((p) => p[0]), keys: sorted.map((p) => p[1]), taken };
}

/** FNV-1a, as a signed 32-bit integer (an advisory-lock key); a collision only serialises two consumers. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

function decisionValues(id: number, d: Decision, record: PbxIds, counted: boolean): unknown[] {
  return [
    id, d.at.getTime(), d.campaign, d.purpose, record.source ?? null, record.channel ?? null, record.uniqueId ?? null,
    record.agent ?? null, record.lead ?? null, d.originalCallerId, d.callerId, d.callee, d.area ? JSON.stringify(d.area) : null,
    d.action, d.reasons.join(','), d.retryAt?.getTime() ?? null, counted ? 1 : 0, d.consentRef, d.dialing, d.basis,
    d.consentAnytime ? 1 : 0,
  ];
}

/** A driver or server error as a STORE_ERROR carrying the SQLSTATE, never the password. */
function storeError(err: unknown, location: string): Error {
  if (err instanceof CidgateError) return err;
  const e = err as { code?: string; message?: string };
  return new CidgateError('STORE_ERROR', [location, e.message ?? String(err)], { database: location, sqlstate: e.code });
}

/** Records an outcome once; `cancelled-before-dial` un-counts the attempt. */
function outcomeUpdate(sql: postgres.Sql | postgres.TransactionSql, key: AttemptKey, o: Outcome) {
  const [where, value] = 'attemptId' in key ? ['id = $5::bigint', key.attemptId] : ['pbx_unique_id = $5', key.pbxUniqueId];
  return sql.unsafe(
    `UPDATE decisions SET outcome = $1, hangup_cause = $2, duration_s = $3, outcome_at = ${ts('$4::float8')},
       counted = $1 <> 'cancelled-before-dial'
     WHERE ${where} AND outcome IS NULL AND counted`, [o.status, o.hangupCause, o.durationSeconds, o.at.getTime(), value], { prepare: true });
}
