import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { silentLogger, type Logger } from '../log.js';
import type { Decision, History, PbxIds } from '../model/types.js';
import { SqliteAttempts } from './sqlite/attempts.js';
import { SqliteCheckAndRecord } from './sqlite/check-and-record.js';
import { SqliteDashboard } from './sqlite/dashboard.js';
import type { DashboardFigures } from './dashboard-figures.js';
import { SqliteConsumerRecords } from './sqlite/consumer-records.js';
import { DurabilityGuards, isDiskFull } from './sqlite/durability.js';
import { SqliteErasure } from './sqlite/erasure.js';
import { SqliteHistory } from './sqlite/history.js';
import { SqliteJournalReplay } from './sqlite/journal-replay.js';
import { SqliteReportQueries } from './sqlite/report.js';
import { assertWritable, migrate, openWithRetry, schemaVersion } from './sqlite/schema.js';
import { WriteQueue } from './sqlite/write-queue.js';
import type {
  AttemptFilter, AttemptKey, AttemptRow, ConsentRecord, ConsumerRecords, ErasureCounts, ErasureCutoffs, HistoryQuery, JournaledDecision, JournaledOutcome, Outcome,
  PurgeCutoffs, Recorded, Store, StoreHealth,
} from './store.js';

export interface SqliteOptions {
  /** How long a writer waits for another process's lock before the store reports busy. */
  readonly busyTimeoutMs?: number;
  readonly readonly?: boolean;
  /** Checkpoint the WAL on a worker thread instead of inside commits (the service's setting). */
  readonly backgroundCheckpoint?: boolean;
  /** With the background checkpoint: the log is reset once it holds this much (default 16 MiB). */
  readonly walRestartBytes?: number;
  /**
   * With the background checkpoint: bytes kept in `<db>.reserve` and released when the disk fills
   * (default 'auto': 1/16 of the filesystem, at most 16 MiB; 0 keeps none).
   */
  readonly diskReserveBytes?: number | 'auto';
  /** Where a full disk and its end are logged. */
  readonly log?: Logger;
  /** Apply pending migrations on open (default true); `serve --no-migrate` only checks the version (`ensureSchema`). */
  readonly migrate?: boolean;
}

/**
 * The store on SQLite (better-sqlite3): WAL, so readers never wait for the writer, and
 * check-and-record as one BEGIN IMMEDIATE transaction, so two processes deciding for one
 * consumer are serialised by SQLite's write lock. Each concern is a module of ./sqlite/.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly guards: DurabilityGuards;
  private readonly history: SqliteHistory;
  private readonly record: SqliteCheckAndRecord;
  private readonly queue: WriteQueue;
  private readonly journal: SqliteJournalReplay;
  private readonly consumers: SqliteConsumerRecords;
  private readonly erasure: SqliteErasure;
  private readonly reads: SqliteAttempts;
  private readonly dashboardReads: SqliteDashboard;

  constructor(readonly file: string, opts: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    if (!opts.readonly && file !== ':memory:') assertWritable(file);
    const db = this.db = openWithRetry(file, opts);
    if (opts.migrate === false) {
      try {
        schemaVersion(db, file); // before the statements are prepared on tables that may not be there
      } catch (err) {
        db.close();
        throw err;
      }
    }
    this.guards = new DurabilityGuards(file, opts.log ?? silentLogger);
    if (this.guards.startCheckpoints(opts)) db.pragma('wal_autocheckpoint = 0');
    this.history = new SqliteHistory(db);
    this.record = new SqliteCheckAndRecord(db, this.history);
    this.queue = new WriteQueue(db, opts.busyTimeoutMs ?? 40, this.guards, () => this.history.forgetUsage());
    this.journal = new SqliteJournalReplay(db, this.record);
    this.consumers = new SqliteConsumerRecords(db);
    this.erasure = new SqliteErasure(db);
    this.reads = new SqliteAttempts(db);
    this.dashboardReads = new SqliteDashboard(db);
  }

  /** In the next group commit (see WriteQueue). */
  checkAndRecord(query: (storeNow?: Date) => HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Promise<Recorded> {
    return this.queue.enqueue(() => this.record.checkOne(query(), decide, record));
  }

  /**
   * Queued with the check-and-records and written in their group commit: an outcome never waits on
   * SQLite's busy handler (which sleeps on the event loop) while another process holds the lock.
   */
  recordOutcome(key: AttemptKey, o: Outcome): Promise<boolean> {
    return this.queue.enqueue(() => this.record.outcome(key, o));
  }

  async recordJournaled(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): Promise<void> {
    const refused = this.guards.refusal(true);
    if (refused) throw refused;
    try {
      this.journal.replay(decisions, outcomes);
    } catch (err) {
      if (isDiskFull(err)) this.guards.onDiskFull();
      throw this.guards.refusal(true) ?? err;
    }
    this.history.forgetUsage();
  }

  async addRefusal(number: string, at: Date, campaign: string | null): Promise<void> {
    this.consumers.addRefusal(number, at, campaign);
  }

  addConsents(consents: readonly ConsentRecord[]): Promise<void> {
    return this.consumers.addConsents(consents);
  }

  async revokeConsent(number: string, at: Date): Promise<boolean> {
    return this.consumers.revokeConsent(number, at);
  }

  addDoNotCall(numbers: readonly string[], at: Date, source: string | null): Promise<number> {
    return this.consumers.addDoNotCall(numbers, at, source);
  }

  async removeDoNotCall(number: string): Promise<boolean> {
    return this.consumers.removeDoNotCall(number);
  }

  async consumerRecords(number: string): Promise<ConsumerRecords> {
    return this.consumers.consumerRecords(number);
  }

  async eraseConsumer(number: string, c: ErasureCutoffs): Promise<ErasureCounts> {
    return this.erasure.eraseConsumer(number, c);
  }

  purge(c: PurgeCutoffs): Promise<number> {
    return this.erasure.purge(c);
  }

  async findAttempt(key: AttemptKey): Promise<AttemptRow | null> {
    return this.reads.find(key);
  }

  async *attempts(filter: AttemptFilter): AsyncIterable<AttemptRow> {
    yield* this.reads.matching(filter);
  }

  async poolUsage(day: string): Promise<ReadonlyMap<string, number>> {
    return this.reads.poolUsage(day);
  }

  async dashboard(since: Date, recent: number): Promise<DashboardFigures> {
    return this.dashboardReads.figures(since, recent);
  }

  reportQueries(): SqliteReportQueries {
    return new SqliteReportQueries(this.db);
  }

  health(): StoreHealth {
    return this.guards.health();
  }

  async ensureSchema(migrateNow: boolean): Promise<number> {
    if (migrateNow) migrate(this.db);
    return schemaVersion(this.db, this.file);
  }

  /** Runs `PRAGMA integrity_check`: 'ok' when the file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async close(): Promise<void> {
    await this.guards.stopCheckpoints();
    if (this.db.open) this.db.close();
    this.guards.release();
  }
}
