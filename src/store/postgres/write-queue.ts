import { CidgateError } from '../../errors.js';
import type { Decision, History, PbxIds } from '../../model/types.js';
import { MAX_BATCH } from '../chunks.js';
import type { HistoryQuery, Recorded } from '../store.js';
import { decideBatch, type BatchCall } from './check-and-record.js';
import { storeError, type PgConnection } from './connection.js';

/** Decision transactions in flight at once from this node. */
const BATCHES_IN_FLIGHT = 4;
/** A batch that lost a deadlock or a unique-id race against another node is retried this often. */
const BATCH_RETRIES = 3;
/** SQLSTATEs after which the batch is retried at once: another node won a race. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);

/** Connections the queue may hold at once; the pool has a few more for outcomes and commands. */
export const QUEUE_CONNECTIONS = BATCHES_IN_FLIGHT;

interface Pending extends BatchCall {
  readonly resolve: (r: Recorded) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  done: boolean;
}

/**
 * Group commit, as on SQLite: the calls waiting when a connection frees up are decided in one
 * transaction (decideBatch), up to BATCHES_IN_FLIGHT at once. A call whose batch has not committed
 * within `waitMs` is answered with STORE_TIMEOUT (the caller's onStoreError policy).
 */
export class PgWriteQueue {
  private readonly queue: Pending[] = [];
  private running = 0;
  private pumpScheduled = false;
  /** Why the last decision batch failed (or timed out), until one commits again: what health() reports. */
  failure: string | null = null;

  constructor(private readonly db: PgConnection, private readonly waitMs: number) {}

  checkAndRecord(query: (storeNow?: Date) => HistoryQuery, decide: (h: History, q: HistoryQuery) => Decision, record: PbxIds | null): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      const p: Pending = {
        query, decide, record, resolve, reject, done: false, attemptId: null,
        timer: setTimeout(() => {
          const e = this.db.timeout(this.waitMs);
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
        await this.db.opened();
        const results = await decideBatch(this.db.sql, live);
        this.failure = null;
        live.forEach((p, i) => this.settle(p, results[i]!));
        return;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (RETRYABLE.has(code) && attempt < BATCH_RETRIES) continue;
        const e = storeError(err, this.db.location);
        this.failure = e.message;
        for (const p of live) this.settle(p, e);
        return;
      }
    }
  }
}
