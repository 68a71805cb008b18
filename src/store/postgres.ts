import type postgres from 'postgres';
import type { Decision, History, PbxIds } from '../model/types.js';
import { findAttempt, matchingAttempts, poolUsage } from './postgres/attempts.js';
import { dashboardFigures } from './postgres/dashboard.js';
import type { DashboardFigures } from './dashboard-figures.js';
import { PgConnection, storeError } from './postgres/connection.js';
import * as consumers from './postgres/consumer-records.js';
import { outcomeUpdate } from './postgres/decision-sql.js';
import { eraseConsumer, purge } from './postgres/erasure.js';
import { replayJournal } from './postgres/journal-replay.js';
import { PostgresReportQueries } from './postgres/report.js';
import { checkedVersion, schemaVersion } from './postgres/schema.js';
import { SERVER_NOW_SQL } from './postgres/sql.js';
import { PgWriteQueue, QUEUE_CONNECTIONS } from './postgres/write-queue.js';
import type {
  AttemptFilter, AttemptKey, AttemptRow, ConsentRecord, ConsumerRecords, ErasureCounts, ErasureCutoffs, HistoryQuery, JournaledDecision,
  JournaledOutcome, Outcome, PurgeCutoffs, Recorded, Store, StoreHealth,
} from './store.js';

export interface PostgresOptions {
  /** How long a decision waits for the database before it is answered by the onStoreError policy. */
  readonly waitMs?: number;
  /** Connections to the server (decision batches, outcomes, commands). */
  readonly poolSize?: number;
  /** Apply pending migrations before the first use (default true); `cidgate db migrate` does it explicitly. */
  readonly migrate?: boolean;
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
 * comes back. Each concern is a module of ./postgres/.
 */
export class PostgresStore implements Store {
  private readonly db: PgConnection;
  private readonly waitMs: number;
  private readonly queue: PgWriteQueue;
  /** The URL with its password masked: what logs and messages show. */
  readonly location: string;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.waitMs = opts.waitMs ?? 1_000;
    this.db = new PgConnection(url, opts.poolSize ?? QUEUE_CONNECTIONS + 4, opts.migrate ?? true);
    this.location = this.db.location;
    this.queue = new PgWriteQueue(this.db, this.waitMs);
  }

  /** Connects and applies pending migrations (under a lock: nodes starting together take turns). */
  migrate(): Promise<void> {
    return this.db.migrate();
  }

  async ensureSchema(migrate: boolean): Promise<number> {
    if (migrate) await this.db.migrate();
    return checkedVersion(this.location, await this.db.use(schemaVersion));
  }

  checkAndRecord(query: (storeNow?: Date) => HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Promise<Recorded> {
    return this.queue.checkAndRecord(query, decide, record);
  }

  /**
   * Waits at most `waitMs`, as a decision does: then the caller journals the outcome. The update
   * may still land later; the replay then finds the outcome recorded and changes nothing.
   */
  async recordOutcome(key: AttemptKey, o: Outcome): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.db.timeout(this.waitMs)), this.waitMs);
    });
    try {
      return await Promise.race([this.db.use(async (sql) => (await outcomeUpdate(sql, key, o)).count > 0), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  recordJournaled(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): Promise<void> {
    return this.db.use((sql) => replayJournal(sql, this.waitMs, decisions, outcomes));
  }

  addRefusal(number: string, at: Date, campaign: string | null): Promise<void> {
    return this.db.use((sql) => consumers.addRefusal(sql, number, at, campaign));
  }

  addConsents(list: readonly ConsentRecord[]): Promise<void> {
    return this.db.use((sql) => consumers.addConsents(sql, list));
  }

  revokeConsent(number: string, at: Date): Promise<boolean> {
    return this.db.use((sql) => consumers.revokeConsent(sql, number, at));
  }

  addDoNotCall(numbers: readonly string[], at: Date, source: string | null): Promise<number> {
    return this.db.use((sql) => consumers.addDoNotCall(sql, numbers, at, source));
  }

  removeDoNotCall(number: string): Promise<boolean> {
    return this.db.use((sql) => consumers.removeDoNotCall(sql, number));
  }

  /** The database server's clock (ms), for the skew monitor. */
  async serverTime(): Promise<number> {
    return this.db.use(async (sql) => (await sql.unsafe<{ now: number }[]>(SERVER_NOW_SQL, [], { prepare: true }))[0]!.now);
  }

  consumerRecords(number: string): Promise<ConsumerRecords> {
    return this.db.use((sql) => consumers.consumerRecords(sql, number));
  }

  eraseConsumer(number: string, c: ErasureCutoffs): Promise<ErasureCounts> {
    return this.db.use((sql) => eraseConsumer(sql, number, c));
  }

  purge(c: PurgeCutoffs): Promise<number> {
    return this.db.use((sql) => purge(sql, c));
  }

  findAttempt(key: AttemptKey): Promise<AttemptRow | null> {
    return this.db.use((sql) => findAttempt(sql, key));
  }

  async *attempts(filter: AttemptFilter): AsyncIterable<AttemptRow> {
    await this.db.opened();
    try {
      yield* matchingAttempts(this.db.sql, filter);
    } catch (err) {
      throw storeError(err, this.location);
    }
  }

  poolUsage(day: string): Promise<ReadonlyMap<string, number>> {
    return this.db.use((sql) => poolUsage(sql, day));
  }

  dashboard(since: Date, recent: number): Promise<DashboardFigures> {
    return this.db.use((sql) => dashboardFigures(sql, since, recent));
  }

  reportQueries(): PostgresReportQueries {
    return new PostgresReportQueries(this.db.sql);
  }

  /**
   * Not ok from the moment a decision batch fails or a call waits past `waitMs` until a batch
   * commits again. No write-ahead log of its own to report: the server manages its WAL.
   */
  health(): StoreHealth {
    return { ok: this.queue.failure === null, reason: this.queue.failure, walBytes: 0, checkpointLagFrames: -1 };
  }

  /** The connection pool, for `db copy` (bulk inserts in the same schema). */
  get connection(): postgres.Sql {
    return this.db.sql;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
