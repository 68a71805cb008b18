import type Database from 'better-sqlite3';
import { MAX_BATCH } from '../chunks.js';
import type { Recorded } from '../store.js';
import type { DurabilityGuards } from './durability.js';

/** How often a batch retries the write lock (held by another process, or briefly by a TRUNCATE checkpoint). */
const BUSY_RETRY_MS = 1;

type Result = Recorded | boolean;

/** One check-and-record or outcome waiting for the next group commit. */
interface Pending {
  /** When waiting for another process's write lock stops and the store reports busy (monotonic, performance.now()). */
  readonly deadline: number;
  /** Runs inside the batch's transaction. */
  readonly run: () => Result;
  readonly resolve: (r: Result) => void;
  readonly reject: (e: Error) => void;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/**
 * Group commit: the calls that arrive while the event loop is busy are run one after the other
 * inside a single BEGIN IMMEDIATE transaction, each seeing the ones before it, and all are
 * answered after the commit. A commit costs more than a decision; this keeps atomicity and
 * multiplies throughput under load.
 */
export class WriteQueue {
  private readonly queue: Pending[] = [];
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly batchTx;
  private readonly busyNoWait;
  private readonly busyWait;

  /** `rolledBack` runs when a batch failed: what was counted in memory may be ahead of the file. */
  constructor(db: Database.Database, private readonly busyTimeoutMs: number, private readonly guards: DurabilityGuards,
    private readonly rolledBack: () => void) {
    // Prepared once: db.pragma() compiles its statement on every call, twice per batch.
    this.busyNoWait = db.prepare('PRAGMA busy_timeout = 0');
    this.busyWait = db.prepare(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    this.batchTx = db.transaction((batch: Pending[]) => {
      const results: (Result | Error)[] = [];
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

  /** Runs `run` in the next group commit; settles once it committed. */
  enqueue<T extends Result>(run: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.queue.push({ deadline: performance.now() + this.busyTimeoutMs, run, resolve: resolve as (r: Result) => void, reject });
      this.scheduleFlush(0);
    });
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
    const refused = this.guards.refusal(false);
    if (refused) {
      for (const p of this.queue.splice(0)) p.reject(refused);
      return;
    }
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let results: (Result | Error)[];
      try {
        this.busyNoWait.get();
        results = this.batchTx.immediate(batch);
      } catch (err) {
        this.rolledBack();
        this.guards.writeFailed(err);
        const now = performance.now();
        const waiting = isBusy(err) ? batch.filter((p) => p.deadline > now) : [];
        const error = this.guards.refusal(true) ?? err as Error;
        for (const p of batch) if (!waiting.includes(p)) p.reject(error);
        if (waiting.length > 0) {
          this.queue.unshift(...waiting);
          this.scheduleFlush(BUSY_RETRY_MS);
          return;
        }
        continue;
      } finally {
        this.busyWait.get();
      }
      // Committed into a file deleted meanwhile: nobody will find these rows, so none is acknowledged.
      if (this.guards.fileDeleted()) {
        this.guards.identityLost(true);
        for (const p of [...batch, ...this.queue.splice(0)]) p.reject(this.guards.refusal(true)!);
        return;
      }
      this.guards.committed();
      batch.forEach((p, i) => {
        const r = results[i]!;
        if (r instanceof Error) p.reject(r);
        else p.resolve(r);
      });
    }
  }
}
