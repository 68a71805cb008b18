import Database from 'better-sqlite3';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import { CidgateError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { EMPTY_HISTORY, type Decision, type History, type PbxIds, type Purpose } from '../model/types.js';
import { splitAt, untilOf } from './history-reading.js';
import type { CheckpointReport, CheckpointWorkerData } from './checkpoint-worker.js';
import { planConsentErasure, type ErasedConsentEvent } from './consent-erasure.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteReportQueries } from './sqlite-report.js';
import { rowToDecision, toAttemptRow, type DecisionRow } from './sqlite-rows.js';
import type {
  AttemptFilter, AttemptKey, AttemptRow, ConsentRecord, ConsumerRecords, ErasureCounts, ErasureCutoffs, HistoryQuery, JournaledDecision, JournaledOutcome, Outcome,
  PurgeCutoffs, Recorded, Store, StoreHealth,
} from './store.js';
import { PSEUDONYM_PREFIX, schemaChecked } from './store.js';

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

const CHECKPOINT_WORKER = new URL('./checkpoint-worker.js', import.meta.url);
const CHECKPOINT_INTERVAL_MS = 100;
/** Over this size the log is reset (TRUNCATE checkpoint): the WAL stays around this bound at any rate. */
const WAL_RESTART_BYTES = 16 * 1024 * 1024;
/** How long a TRUNCATE checkpoint waits for the current writer or a reader before giving up for this tick. */
const CHECKPOINT_LOCK_WAIT_MS = 20;

interface ConsumerRow {
  refused_at: number | null; consent_kind: string | null; consent_at: number | null; consent_source: string | null;
  consent_anytime: number | null; dnc: number; last_presented: string | null;
}

/** One check-and-record or outcome waiting for the next group commit. */
interface Pending {
  /** When waiting for another process's write lock stops and the store reports busy (monotonic, performance.now()). */
  readonly deadline: number;
  /** Runs inside the batch's transaction. */
  readonly run: () => Recorded | boolean;
  readonly resolve: (r: Recorded | boolean) => void;
  readonly reject: (e: Error) => void;
}

/** How often the database file's identity (device, inode) is checked while all goes well. */
const IDENTITY_CHECK_MS = 1_000;

/** Rows deleted per purge transaction: short enough that decisions never wait long behind one. */
const PURGE_BATCH = 5_000;
/** Rows written per import transaction (consents, do-not-call), for the same reason. */
const IMPORT_CHUNK = 5_000;
/** Between a purge's or an import's transactions: decisions waiting for the write lock go first. */
const letDecisionsIn = () => new Promise((r) => setImmediate(r));

/** How often a batch retries the write lock (held by another process, or briefly by a TRUNCATE checkpoint). */
const BUSY_RETRY_MS = 1;

function isDiskFull(err: unknown): boolean {
  return ((err as { code?: string }).code ?? '').startsWith('SQLITE_FULL');
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** At most this many decisions share one commit, so a burst never makes one wait for long. */
const MAX_BATCH = 256;


/**
 * The store on SQLite (better-sqlite3): WAL, so readers never wait for the writer, and
 * check-and-record as one BEGIN IMMEDIATE transaction, so two processes deciding for one
 * consumer are serialised by SQLite's write lock.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly batchTx;
  private checkpointer: Worker | null = null;
  /** Device and inode of the file opened: a deleted or replaced file is detected (see `identityLost`). */
  private readonly identity: { dev: number; ino: number } | null;
  /** Open on the database file: its link count, read after every commit, says whether it was deleted. */
  private identityFd: number | null;
  private identityCheckedAt = 0;
  private lost: CidgateError | null = null;
  /**
   * Since SQLite reported the disk full: `writing` is false until the checkpoint worker has emptied
   * the log (calls meanwhile fail at once with STORE_DISK_FULL), and the state ends once the
   * reserve is back on disk.
   */
  private diskFull: { readonly since: number; seq: number; writing: boolean } | null = null;
  private diskFullSeq = 0;
  private readonly log: Logger;
  private checkpoint: CheckpointReport = { walBytes: 0, lagFrames: -1, restarted: false, error: null, diskFull: false, reserveInPlace: true, diskFullSeq: 0 };
  private readonly queue: Pending[] = [];
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly busyTimeoutMs: number;
  private usage: { day: string; version: number; counts: Map<string, number> } = { day: '', version: -1, counts: new Map() };

  constructor(readonly file: string, opts: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    if (!opts.readonly && file !== ':memory:') assertWritable(file);
    this.db = openWithRetry(file, opts);
    if (opts.migrate === false) {
      try {
        this.schemaVersion(); // before the statements are prepared on tables that may not be there
      } catch (err) {
        this.db.close();
        throw err;
      }
    }
    this.identityFd = file === ':memory:' ? null : openSync(file, 'r');
    this.identity = this.identityFd === null ? null : fstatSync(this.identityFd);
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 40;
    this.log = opts.log ?? silentLogger;
    if (opts.backgroundCheckpoint && file !== ':memory:' && existsSync(CHECKPOINT_WORKER)) {
      this.db.pragma('wal_autocheckpoint = 0');
      const workerData: CheckpointWorkerData = {
        file, intervalMs: CHECKPOINT_INTERVAL_MS, restartBytes: opts.walRestartBytes ?? WAL_RESTART_BYTES,
        lockWaitMs: CHECKPOINT_LOCK_WAIT_MS, reserveBytes: opts.diskReserveBytes ?? 'auto',
      };
      this.checkpointer = new Worker(CHECKPOINT_WORKER, { workerData });
      this.checkpointer.on('message', (m: CheckpointReport | 'stopped') => { if (m !== 'stopped') this.onCheckpoint(m); });
      this.checkpointer.unref();
    }
    const db = this.db;
    this.stmt = {
      byUniqueId: db.prepare<[string], DecisionRow>('SELECT * FROM decisions WHERE pbx_unique_id = ?'),
      byId: db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE id = ?'),
      // Every attempt a limit may count (no row limit: the count must be exact whatever else the
      // consumer received), up to the call's instant; a recording decision's until @until as well.
      attempts: db.prepare<{ n: string; campaign: string; since: number; at: number; until: number }, { at: number; campaign: string; purpose: string | null }>(
        `SELECT at, campaign, purpose FROM decisions
         WHERE callee = @n AND counted = 1 AND at > @since AND (at <= @at OR at < @until) AND (purpose = 'prospecting' OR campaign = @campaign)
         ORDER BY at DESC`),
      // Everything else about the consumer in one statement (each statement run costs as much as a lookup).
      // The consent in force: the latest event, a revocation first at the same instant ('revoked' >
      // 'given', the only kinds; (number, at, kind) is unique) — the unique index's order, no sort.
      consumer: db.prepare<{ n: string; campaign: string; at: number }, ConsumerRow>(
        `SELECT (SELECT max(at) FROM refusals WHERE number = @n AND at <= @at) AS refused_at,
                c.kind AS consent_kind, c.at AS consent_at, c.source AS consent_source, c.anytime AS consent_anytime,
                EXISTS (SELECT 1 FROM do_not_call WHERE number = @n AND added_at <= @at) AS dnc,
                (SELECT presented_caller_id FROM decisions WHERE callee = @n AND counted = 1 AND campaign = @campaign
                 AND at <= @at ORDER BY at DESC LIMIT 1) AS last_presented
         FROM (SELECT 1) LEFT JOIN (
           SELECT kind, at, source, anytime FROM consent_events WHERE number = @n AND at <= @at
           ORDER BY at DESC, kind DESC LIMIT 1) c`),
      usage: db.prepare<[string], { number: string; count: number }>('SELECT number, count FROM number_usage WHERE day = ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      // Prepared once: db.pragma() compiles its statement on every call, twice per batch.
      busyNoWait: db.prepare('PRAGMA busy_timeout = 0'),
      busyWait: db.prepare(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`),
      insert: db.prepare(
        `INSERT INTO decisions (at, campaign, purpose, source, channel, pbx_unique_id, agent, lead,
           original_caller_id, presented_caller_id, callee, area, action, reasons, retry_at, counted, consent_ref,
           dialing, basis, consent_anytime)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (pbx_unique_id) WHERE pbx_unique_id IS NOT NULL DO NOTHING`),
      // A journal entry already replayed, or a unique id the PBX retried once the store was back: kept once.
      insertJournaled: db.prepare(
        `INSERT INTO decisions (at, campaign, purpose, source, channel, pbx_unique_id, agent, lead,
           original_caller_id, presented_caller_id, callee, area, action, reasons, retry_at, counted, consent_ref,
           dialing, basis, consent_anytime, without_history, journal_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT DO NOTHING`),
      bumpUsage: db.prepare(
        `INSERT INTO number_usage (day, number, count) VALUES (?, ?, 1)
         ON CONFLICT (day, number) DO UPDATE SET count = count + 1`),
      unbumpUsage: db.prepare('UPDATE number_usage SET count = count - 1 WHERE day = ? AND number = ? AND count > 0'),
      markRetried: db.prepare('UPDATE decisions SET retried = 1 WHERE id = ? AND retried = 0'),
      // A row committed after its call was answered by onStoreError takes the journaled decision
      // (what the PBX was told), flagged as replayed rows are; an outcome recorded meanwhile stays (a
      // cancelled-before-dial one still un-counts it). Not a row a PBX retry was answered from (the
      // PBX had its decision), nor one replayed already.
      overwriteLate: db.prepare(
        `UPDATE decisions SET at = ?, campaign = ?, purpose = ?, source = ?, channel = ?, pbx_unique_id = ?, agent = ?, lead = ?,
           original_caller_id = ?, presented_caller_id = ?, callee = ?, area = ?, action = ?, reasons = ?, retry_at = ?,
           counted = ? AND coalesce(outcome, '') <> 'cancelled-before-dial', consent_ref = ?, dialing = ?, basis = ?,
           consent_anytime = ?, without_history = 1, journal_id = ?
         WHERE id = ? AND journal_id IS NULL AND retried = 0`),
      outcomeById: db.prepare(
        `UPDATE decisions SET outcome = @status, hangup_cause = @cause, duration_s = @duration, outcome_at = @at,
           counted = @status <> 'cancelled-before-dial'
         WHERE id = @key AND outcome IS NULL AND counted = 1`),
      outcomeByUniqueId: db.prepare(
        `UPDATE decisions SET outcome = @status, hangup_cause = @cause, duration_s = @duration, outcome_at = @at,
           counted = @status <> 'cancelled-before-dial'
         WHERE pbx_unique_id = @key AND outcome IS NULL AND counted = 1`),
      addRefusal: db.prepare('INSERT INTO refusals (number, at, campaign) VALUES (?, ?, ?)'),
      giveConsent: db.prepare(
        `INSERT INTO consent_events (number, at, kind, source, anytime) VALUES (?, ?, 'given', ?, ?)
         ON CONFLICT (number, at, kind) DO UPDATE SET source = excluded.source, anytime = excluded.anytime`),
      revokeConsent: db.prepare(
        `INSERT INTO consent_events (number, at, kind) SELECT @n, @at, 'revoked'
         WHERE (SELECT kind FROM consent_events WHERE number = @n AND at <= @at
                ORDER BY at DESC, kind DESC LIMIT 1) = 'given'`),
      addDnc: db.prepare('INSERT OR IGNORE INTO do_not_call (number, added_at, source) VALUES (?, ?, ?)'),
      // Listed again with an earlier date (an import of older entries): it was on the list since then.
      antedateDnc: db.prepare('UPDATE do_not_call SET added_at = ?, source = ? WHERE number = ? AND added_at > ?'),
      removeDnc: db.prepare('DELETE FROM do_not_call WHERE number = ?'),
      purgeDecisions: db.prepare(`DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE at < ? ORDER BY at LIMIT ${PURGE_BATCH})`),
      purgeRefusals: db.prepare(`DELETE FROM refusals WHERE id IN (SELECT id FROM refusals WHERE at < ? LIMIT ${PURGE_BATCH})`),
      purgeUsage: db.prepare('DELETE FROM number_usage WHERE day < ?'),
      consents: db.prepare<[string], { at: number; kind: 'given' | 'revoked'; source: string | null; anytime: number }>(
        'SELECT at, kind, source, anytime FROM consent_events WHERE number = ? ORDER BY at, id'),
      refusals: db.prepare<[string], { at: number; campaign: string | null }>('SELECT at, campaign FROM refusals WHERE number = ? ORDER BY at, id'),
      dnc: db.prepare<[string], { added_at: number; source: string | null }>('SELECT added_at, source FROM do_not_call WHERE number = ?'),
      pseudonymise: db.prepare('UPDATE decisions SET callee = @pseudonym, lead = NULL WHERE callee = @n AND (counted = 0 OR at < @before)'),
      consentEventsOf: db.prepare<[string], ErasedConsentEvent>('SELECT id, at, kind FROM consent_events WHERE number = ? ORDER BY at, kind'),
      // Counted prospecting attempts (a service call needs no consent): what a consent's proof is kept for.
      prospectingAt: db.prepare<{ n: string; pseudonym: string }, { at: number; callee: string }>(
        `SELECT at, callee FROM decisions WHERE callee IN (@n, @pseudonym) AND counted = 1 AND purpose IS NOT 'service'`),
      pseudonymiseConsents: db.prepare('UPDATE consent_events SET number = ? WHERE id IN (SELECT value FROM json_each(?))'),
      deleteConsents: db.prepare('DELETE FROM consent_events WHERE id IN (SELECT value FROM json_each(?))'),
      endPseudonymConsent: db.prepare(`INSERT OR IGNORE INTO consent_events (number, at, kind) VALUES (?, ?, 'revoked')`),
      // Per number, every event before the cutoff but the latest (a revocation wins a tie); and a
      // pseudonym's events once no attempt carries it. Read apart from the deletion, which goes by id.
      purgeableConsents: db.prepare<[number], number>(
        `SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY number ORDER BY at DESC, kind DESC) AS newer
                         FROM consent_events WHERE at < ?) WHERE newer > 1
         UNION
         SELECT id FROM consent_events e WHERE number LIKE '${PSEUDONYM_PREFIX}%'
           AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.callee = e.number AND d.counted = 1)`).pluck(),
      countCallee: db.prepare<[string], number>('SELECT count(*) FROM decisions WHERE callee = ?').pluck(),
      eraseRefusals: db.prepare('DELETE FROM refusals WHERE number = ? AND at < ?'),
      countRefusals: db.prepare<[string], number>('SELECT count(*) FROM refusals WHERE number = ?').pluck(),
    };
    this.batchTx = db.transaction((batch: Pending[]) => {
      const results: (Recorded | boolean | Error)[] = [];
      for (const p of batch) {
        try {
          results.push(p.run());
        } catch (err) {
          if ((err as { code?: string }).code?.startsWith('SQLITE_')) throw err; // the database failed: the whole batch does
          results.push(err as Error);
        }
      }
      return results;
    });
  }

  /** Decides and records one call, inside the batch's transaction. */
  private checkOne(query: HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Recorded {
    const decision = decide(this.history(query), query);
    if (!record) return { decision, attemptId: null, replayed: false };
    const uniqueId = record.uniqueId ?? null;
    const counted = decision.action !== 'block';
    const info = this.stmt.insert.run(...decisionParams(decision, record, counted));
    if (info.changes === 0) {
      // The PBX retried a unique id already decided: the first decision stands, not counted twice.
      const earlier = this.stmt.byUniqueId.get(uniqueId!)!;
      this.stmt.markRetried.run(earlier.id);
      return { decision: rowToDecision(earlier), attemptId: earlier.id, replayed: true };
    }
    if (counted && decision.callerId) {
      this.stmt.bumpUsage.run(query.day, decision.callerId);
      this.usage.counts.set(decision.callerId, (this.usage.counts.get(decision.callerId) ?? 0) + 1);
    }
    return { decision, attemptId: Number(info.lastInsertRowid), replayed: false };
  }

  /**
   * Today's presentations per number, kept in memory and re-read only when the day changes or
   * another connection wrote to the database (PRAGMA data_version): exact, and one query saved
   * on nearly every decision.
   */
  private usageToday(day: string): ReadonlyMap<string, number> {
    const version = Number(this.stmt.dataVersion.get());
    if (this.usage.day !== day || this.usage.version !== version) {
      const counts = new Map<string, number>();
      for (const u of this.stmt.usage.all(day)) counts.set(u.number, u.count);
      this.usage = { day, version, counts };
    }
    return this.usage.counts;
  }

  private history(q: HistoryQuery): History {
    if (q.callee === null) return EMPTY_HISTORY;
    const s = this.stmt;
    const at = q.at.getTime();
    const rows = s.attempts.all({ n: q.callee, campaign: q.campaign, since: q.since.getTime(), at, until: untilOf(q) });
    const { attempts, later } = splitAt(rows.map((r) => ({ at: new Date(r.at), campaign: r.campaign, purpose: (r.purpose ?? 'prospecting') as Purpose })), at);
    const c = s.consumer.get({ n: q.callee, campaign: q.campaign, at })!;
    return {
      attempts,
      later,
      lastRefusalAt: c.refused_at === null ? null : new Date(c.refused_at),
      consent: c.consent_kind !== 'given' ? null : { at: new Date(c.consent_at!), source: c.consent_source, anytime: c.consent_anytime === 1 },
      doNotCall: c.dnc === 1,
      lastPresented: c.last_presented,
      usageToday: this.usageToday(q.day),
    };
  }

  /**
   * Group commit: the calls that arrive while the event loop is busy are decided one after the
   * other inside a single BEGIN IMMEDIATE transaction, each seeing the ones before it, and all are
   * answered after the commit. A commit costs more than a decision; this keeps atomicity and
   * multiplies throughput under load.
   */
  checkAndRecord(query: (storeNow?: Date) => HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => this.checkOne(query(), decide, record), resolve as (r: Recorded | boolean) => void, reject);
    });
  }

  private enqueue(run: () => Recorded | boolean, resolve: (r: Recorded | boolean) => void, reject: (e: Error) => void): void {
    this.queue.push({ deadline: performance.now() + this.busyTimeoutMs, run, resolve, reject });
    this.scheduleFlush(0);
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushTimer !== null) return;
    const run = () => { this.flushTimer = null; this.flush(); };
    this.flushTimer = delayMs === 0 ? setImmediate(run) : setTimeout(run, delayMs);
  }

  /**
   * Another process holding the write lock must not freeze the event loop: SQLite's busy handler
   * sleeps on the calling thread, so the batch tries the lock without waiting and, when busy,
   * goes back to the queue and is retried every few milliseconds until each call's deadline —
   * calls arriving meanwhile join it, and the other sessions keep being served.
   */
  private flush(): void {
    const refused = this.refusal(false);
    if (refused) {
      for (const p of this.queue.splice(0)) p.reject(refused);
      return;
    }
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let results: (Recorded | boolean | Error)[];
      try {
        this.stmt.busyNoWait.get();
        results = this.batchTx.immediate(batch);
      } catch (err) {
        this.usage.version = -1; // rolled back: the in-memory counts may be ahead of the file
        this.identityLost(true);
        if (isDiskFull(err)) this.onDiskFull();
        const now = performance.now();
        const waiting = isBusy(err) ? batch.filter((p) => p.deadline > now) : [];
        const error = this.refusal(true) ?? err as Error;
        for (const p of batch) if (!waiting.includes(p)) p.reject(error);
        if (waiting.length > 0) {
          this.queue.unshift(...waiting);
          this.scheduleFlush(BUSY_RETRY_MS);
          return;
        }
        continue;
      } finally {
        this.stmt.busyWait.get();
      }
      // Committed into a file deleted meanwhile: nobody will find these rows, so none is acknowledged.
      if (this.identityFd !== null && fstatSync(this.identityFd).nlink === 0) {
        this.identityLost(true);
        for (const p of [...batch, ...this.queue.splice(0)]) p.reject(this.refusal(true)!);
        return;
      }
      if (this.diskFull && !this.checkpointer) this.diskSpaceBack();
      batch.forEach((p, i) => {
        const r = results[i]!;
        if (r instanceof Error) p.reject(r);
        else p.resolve(r);
      });
    }
  }

  /**
   * Queued with the check-and-records and written in their group commit: an outcome never waits on
   * SQLite's busy handler (which sleeps on the event loop) while another process holds the lock.
   */
  recordOutcome(key: AttemptKey, o: Outcome): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => this.outcomeOne(key, o), resolve as (r: Recorded | boolean) => void, reject);
    });
  }

  private outcomeOne(key: AttemptKey, o: Outcome): boolean {
    const values = { status: o.status, cause: o.hangupCause, duration: o.durationSeconds, at: o.at.getTime() };
    const info = 'attemptId' in key
      ? this.stmt.outcomeById.run({ ...values, key: key.attemptId })
      : this.stmt.outcomeByUniqueId.run({ ...values, key: key.pbxUniqueId });
    return info.changes > 0;
  }

  async recordJournaled(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): Promise<void> {
    const refused = this.refusal(true);
    if (refused) throw refused;
    try {
      this.replayTx(decisions, outcomes);
    } catch (err) {
      if (isDiskFull(err)) this.onDiskFull();
      throw this.refusal(true) ?? err;
    }
    this.usage.version = -1;
  }

  private replayTx(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): void {
    this.db.transaction(() => {
      for (const j of decisions) {
        const d = j.decision;
        const counted = d.action !== 'block';
        const params = decisionParams(d, j.pbx, counted);
        const late = j.attemptId === null ? undefined : this.stmt.byId.get(j.attemptId);
        const tookLateRow = late !== undefined && this.stmt.overwriteLate.run(...params, j.journalId, late.id).changes > 0;
        if (tookLateRow && late.counted === 1 && late.presented_caller_id) this.stmt.unbumpUsage.run(j.day, late.presented_caller_id);
        const recorded = tookLateRow || this.stmt.insertJournaled.run(...params, j.journalId).changes > 0;
        if (recorded && counted && d.callerId) this.stmt.bumpUsage.run(j.day, d.callerId);
      }
      for (const o of outcomes) this.outcomeOne(o.key, o.outcome);
    }).immediate();
  }

  async addRefusal(number: string, at: Date, campaign: string | null): Promise<void> {
    this.stmt.addRefusal.run(number, at.getTime(), campaign);
  }

  async addConsents(consents: readonly ConsentRecord[]): Promise<void> {
    await this.inChunks(consents, (chunk) => {
      for (const c of chunk) this.stmt.giveConsent.run(c.number, c.at.getTime(), c.source, c.anytime ? 1 : 0);
      return 0;
    });
  }

  async revokeConsent(number: string, at: Date): Promise<boolean> {
    return this.stmt.revokeConsent.run({ n: number, at: at.getTime() }).changes > 0;
  }

  async addDoNotCall(numbers: readonly string[], at: Date, source: string | null): Promise<number> {
    const ms = at.getTime();
    return this.inChunks(numbers, (chunk) => {
      let added = 0;
      for (const n of chunk) {
        if (this.stmt.addDnc.run(n, ms, source).changes > 0) added++;
        else this.stmt.antedateDnc.run(ms, source, n, ms);
      }
      return added;
    });
  }

  /**
   * Writes an import a chunk per transaction and lets waiting decisions in between, so that it never
   * holds the write lock for long. Returns the sum of what `write` returns.
   */
  private async inChunks<T>(items: readonly T[], write: (chunk: readonly T[]) => number): Promise<number> {
    let total = 0;
    for (let i = 0; i < items.length; i += IMPORT_CHUNK) {
      if (i > 0) await letDecisionsIn();
      total += this.db.transaction(write).immediate(items.slice(i, i + IMPORT_CHUNK));
    }
    return total;
  }

  async removeDoNotCall(number: string): Promise<boolean> {
    return this.stmt.removeDnc.run(number).changes > 0;
  }

  async findAttempt(key: AttemptKey): Promise<AttemptRow | null> {
    const row = 'attemptId' in key ? this.stmt.byId.get(key.attemptId) : this.stmt.byUniqueId.get(key.pbxUniqueId);
    return row ? toAttemptRow(row) : null;
  }

  async *attempts(filter: AttemptFilter): AsyncIterable<AttemptRow> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.callee) { where.push('callee = ?'); params.push(filter.callee); }
    if (filter.since) { where.push('at >= ?'); params.push(filter.since.getTime()); }
    if (filter.until) { where.push('at < ?'); params.push(filter.until.getTime()); }
    if (filter.campaign) { where.push('campaign = ?'); params.push(filter.campaign); }
    if (filter.action) { where.push('action = ?'); params.push(filter.action); }
    const sql = `SELECT * FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    for (const row of this.db.prepare<(string | number)[], DecisionRow>(sql).iterate(...params)) yield toAttemptRow(row);
  }

  async consumerRecords(number: string): Promise<ConsumerRecords> {
    const dnc = this.stmt.dnc.get(number);
    return {
      consents: this.stmt.consents.all(number).map((c) => ({ at: new Date(c.at), kind: c.kind, source: c.source, anytime: c.anytime === 1 })),
      refusals: this.stmt.refusals.all(number).map((r) => ({ at: new Date(r.at), campaign: r.campaign })),
      doNotCall: dnc ? { addedAt: new Date(dnc.added_at), source: dnc.source } : null,
    };
  }

  async eraseConsumer(number: string, c: ErasureCutoffs): Promise<ErasureCounts> {
    const s = this.stmt;
    return this.db.transaction(() => {
      const consentRevoked = s.revokeConsent.run({ n: number, at: c.at.getTime() }).changes > 0;
      const pseudonymised = s.pseudonymise.run({ n: number, pseudonym: c.pseudonym, before: c.attemptsBefore.getTime() }).changes;
      const attempts = s.prospectingAt.all({ n: number, pseudonym: c.pseudonym }).map((a) => ({ at: a.at, kept: a.callee === number }));
      const plan = planConsentErasure(s.consentEventsOf.all(number), attempts);
      s.pseudonymiseConsents.run(c.pseudonym, JSON.stringify(plan.pseudonymise));
      s.deleteConsents.run(JSON.stringify(plan.remove));
      for (const at of plan.pseudonymEnds) s.endPseudonymConsent.run(c.pseudonym, at);
      return {
        pseudonymised,
        attemptsKept: s.countCallee.get(number)!,
        refusalsDeleted: s.eraseRefusals.run(number, c.refusalsBefore.getTime()).changes,
        refusalsKept: s.countRefusals.get(number)!,
        consentRevoked, consentEventsKept: plan.keep.length, consentEventsPseudonymised: plan.pseudonymise.length, consentEventsDeleted: plan.remove.length,
      };
    }).immediate();
  }

  async poolUsage(day: string): Promise<ReadonlyMap<string, number>> {
    return new Map(this.stmt.usage.all(day).map((u) => [u.number, u.count]));
  }

  async purge(c: PurgeCutoffs): Promise<number> {
    let deleted = this.stmt.purgeUsage.run(c.usageBefore).changes;
    for (const [stmt, before] of [[this.stmt.purgeDecisions, c.decisionsBefore], [this.stmt.purgeRefusals, c.refusalsBefore]] as const) {
      for (;;) {
        const n = stmt.run(before.getTime()).changes;
        deleted += n;
        if (n < PURGE_BATCH) break;
        await letDecisionsIn();
      }
    }
    // After the decisions: a pseudonym's events go once its last attempt has.
    const consents = this.stmt.purgeableConsents.all(c.consentsBefore.getTime());
    for (let i = 0; i < consents.length; i += PURGE_BATCH) {
      deleted += this.stmt.deleteConsents.run(JSON.stringify(consents.slice(i, i + PURGE_BATCH))).changes;
      await letDecisionsIn();
    }
    return deleted;
  }

  reportQueries(): SqliteReportQueries {
    return new SqliteReportQueries(this.db);
  }

  /**
   * Writing on after the database file was deleted or replaced would hand out attempt ids nobody
   * will ever find (and a CLI on the path would start an empty history): checked once a second and
   * after every failed write; once lost, every call is refused (`STORE_REPLACED`) and falls to
   * `onStoreError` and the journal, until a restart opens the file at the path again.
   */
  private identityLost(now: boolean): boolean {
    if (this.lost || !this.identity) return this.lost !== null;
    const t = performance.now();
    if (!now && t - this.identityCheckedAt < IDENTITY_CHECK_MS) return false;
    this.identityCheckedAt = t;
    let current: { dev: number; ino: number } | null = null;
    try {
      current = statSync(this.file);
    } catch {
      // deleted
    }
    if (current && current.dev === this.identity.dev && current.ino === this.identity.ino && (this.identityFd === null || fstatSync(this.identityFd).nlink > 0)) return false;
    this.lost = new CidgateError('STORE_REPLACED', [this.file, current ? 'replaced by another file' : 'deleted'], { file: this.file });
    this.log.error({ event: 'store-replaced', code: this.lost.code, file: this.file }, this.lost.message);
    return true;
  }

  /** Why a call cannot be recorded now (the file lost, the disk full and the log not yet emptied), or null. */
  private refusal(checkNow: boolean): CidgateError | null {
    if (this.identityLost(checkNow)) return this.lost;
    if (this.diskFull && !this.diskFull.writing) return new CidgateError('STORE_DISK_FULL', [this.file], { file: this.file });
    return null;
  }

  /**
   * SQLite could not write for lack of space: the worker releases the disk reserve and empties the
   * log (TRUNCATE checkpoint), and writing waits for that — a writer would otherwise take the
   * released space within milliseconds and leave the checkpoint, hence the log, stuck.
   */
  private onDiskFull(): void {
    const first = this.diskFull === null;
    const seq = ++this.diskFullSeq;
    if (first) {
      this.diskFull = { since: performance.now(), seq, writing: this.checkpointer === null };
      this.log.error({ event: 'disk-full', code: 'STORE_DISK_FULL', file: this.file },
        'disk full: the reserve is released and the log emptied; calls follow onStoreError until recording resumes');
    } else {
      this.diskFull!.seq = seq;
      this.diskFull!.writing = this.checkpointer === null;
    }
    this.checkpointer?.postMessage({ diskFull: seq });
  }

  private onCheckpoint(report: CheckpointReport): void {
    this.checkpoint = report;
    // The database file could not grow by the pages copied back: the writer would be next.
    if (report.diskFull && this.diskFull?.writing !== false) this.onDiskFull();
    const full = this.diskFull;
    if (!full || report.diskFullSeq !== full.seq) return; // a report from before the worker heard of it
    if (report.restarted) full.writing = true;
    if (full.writing && report.reserveInPlace) this.diskSpaceBack();
  }

  private diskSpaceBack(): void {
    const seconds = (performance.now() - this.diskFull!.since) / 1000;
    this.diskFull = null;
    this.log.warn({ event: 'disk-full-ended', code: 'STORE_DISK_FULL', file: this.file, seconds: Math.round(seconds * 10) / 10 }, 'disk space back: recording normally, reserve in place');
  }

  health(): StoreHealth {
    const walBytes = this.checkpointer ? this.checkpoint.walBytes : sizeOf(`${this.file}-wal`);
    this.identityLost(false);
    const reason = this.lost?.message
      ?? (this.diskFull ? `disk full since ${Math.round((performance.now() - this.diskFull.since) / 1000)} s (${this.diskFull.writing ? 'recording again, space not yet back' : 'emptying the log'})` : null)
      ?? (this.checkpoint.error ? `checkpoint failed: ${this.checkpoint.error}` : null);
    return { ok: reason === null, reason, walBytes, checkpointLagFrames: this.checkpoint.lagFrames };
  }

  async ensureSchema(migrateNow: boolean): Promise<number> {
    if (migrateNow) migrate(this.db);
    return this.schemaVersion();
  }

  private schemaVersion(): number {
    return schemaChecked(this.file, Number(this.db.pragma('user_version', { simple: true })), MIGRATIONS[MIGRATIONS.length - 1]!.version);
  }

  /** Runs `PRAGMA integrity_check`: 'ok' when the file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async close(): Promise<void> {
    const worker = this.checkpointer;
    this.checkpointer = null;
    if (worker) {
      const stopped = new Promise((r) => { worker.on('message', (m) => { if (m === 'stopped') r(m); }); worker.once('exit', r); });
      worker.postMessage('stop');
      // Bounded, and the timer cleared: a stop must not wait 2 s for nothing.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise((r) => { timer = setTimeout(r, 2000); })]);
      clearTimeout(timer);
      await worker.terminate();
    }
    if (this.db.open) this.db.close();
    if (this.identityFd !== null) closeSync(this.identityFd);
    this.identityFd = null;
  }
}

/**
 * SQLite silently opens a file it cannot write read-only, and every write would then fail: a
 * database that should be writable and is not is an error at open, not at the first call.
 */
function assertWritable(file: string): void {
  for (const path of [file, `${file}-wal`]) {
    if (!existsSync(path)) continue;
    try {
      closeSync(openSync(path, 'r+'));
    } catch (err) {
      throw new CidgateError('STORE_READ_ONLY', [path, (err as Error).message], { file: path });
    }
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** How long opening waits for another process that is creating or migrating the same file. */
const OPEN_WAIT_MS = 5_000;

/**
 * Opens, switches to WAL and migrates. Two processes opening a fresh file at once contend for
 * the journal-mode switch, which SQLite reports as busy without waiting: retry for a while.
 */
function openWithRetry(file: string, opts: SqliteOptions): Database.Database {
  const deadline = performance.now() + OPEN_WAIT_MS;
  for (;;) {
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { timeout: opts.busyTimeoutMs ?? 40, readonly: opts.readonly ?? false });
      if (db.pragma('journal_mode', { simple: true }) !== 'wal' && !opts.readonly) db.pragma('journal_mode = WAL');
      // NORMAL in WAL survives a process crash (kill -9); only an OS crash can lose the last commits.
      db.pragma('synchronous = NORMAL');
      // Checkpoint every ~40 MB of WAL rather than 4 MB: index pages rewritten many times between
      // checkpoints are copied back once (measured: a quarter of check-and-record's cost).
      db.pragma('wal_autocheckpoint = 10000');
      // After a checkpoint resets the log, the -wal file is cut back to this size (default: never).
      db.pragma(`journal_size_limit = ${opts.walRestartBytes ?? WAL_RESTART_BYTES}`);
      if (!opts.readonly && opts.migrate !== false) migrate(db);
      return db;
    } catch (err) {
      db?.close();
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') && performance.now() < deadline) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw new CidgateError('STORE_ERROR', [file, `cannot open: ${(err as Error).message}`], { file });
    }
  }
}

function migrate(db: Database.Database): void {
  const pendingAfter = (version: number) => MIGRATIONS.filter((m) => m.version > version);
  if (pendingAfter(Number(db.pragma('user_version', { simple: true }))).length === 0) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated since the read above.
    for (const m of pendingAfter(Number(db.pragma('user_version', { simple: true })))) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}

/**
 * A decision's columns, in the insert statements' order. Positional: binding an object costs a
 * lookup per column.
 */
function decisionParams(d: Decision, record: PbxIds, counted: boolean) {
  return [
    d.at.getTime(), d.campaign, d.purpose,
    record.source ?? null, record.channel ?? null, record.uniqueId ?? null, record.agent ?? null, record.lead ?? null,
    d.originalCallerId, d.callerId, d.callee, d.area ? JSON.stringify(d.area) : null,
    d.action, d.reasons.join(','), d.retryAt?.getTime() ?? null, counted ? 1 : 0, d.consentRef,
    d.dialing, d.basis, d.consentAnytime ? 1 : 0,
  ] as const;
}
