import { closeSync, existsSync, fstatSync, openSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CidgateError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CheckpointReport, CheckpointWorkerData } from '../checkpoint-worker.js';
import type { StoreHealth } from '../store.js';
import { WAL_RESTART_BYTES } from './schema.js';

const CHECKPOINT_WORKER = new URL('../checkpoint-worker.js', import.meta.url);
const CHECKPOINT_INTERVAL_MS = 100;
/** How long a TRUNCATE checkpoint waits for the current writer or a reader before giving up for this tick. */
const CHECKPOINT_LOCK_WAIT_MS = 20;
/** How often the database file's identity (device, inode) is checked while all goes well. */
const IDENTITY_CHECK_MS = 1_000;

export interface CheckpointSettings {
  /** Checkpoint the WAL on a worker thread instead of inside commits (the service's setting). */
  readonly backgroundCheckpoint?: boolean;
  readonly walRestartBytes?: number;
  readonly diskReserveBytes?: number | 'auto';
}

export function isDiskFull(err: unknown): boolean {
  return ((err as { code?: string }).code ?? '').startsWith('SQLITE_FULL');
}

/**
 * What keeps a SQLite store from acknowledging a call it did not durably record: the database
 * file's identity (deleted or replaced), a full disk (until the log is emptied and the reserve is
 * back), and the background checkpoint's reports.
 */
export class DurabilityGuards {
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
  private checkpoint: CheckpointReport = { walBytes: 0, lagFrames: -1, restarted: false, error: null, diskFull: false, reserveInPlace: true, diskFullSeq: 0 };

  /** Opened right after the database, so that the identity is the file SQLite opened. */
  constructor(private readonly file: string, private readonly log: Logger) {
    this.identityFd = file === ':memory:' ? null : openSync(file, 'r');
    this.identity = this.identityFd === null ? null : fstatSync(this.identityFd);
  }

  /** Starts the checkpoint worker when asked for (returns true: the caller turns SQLite's own off). */
  startCheckpoints(opts: CheckpointSettings): boolean {
    if (!opts.backgroundCheckpoint || this.file === ':memory:' || !existsSync(CHECKPOINT_WORKER)) return false;
    const workerData: CheckpointWorkerData = {
      file: this.file, intervalMs: CHECKPOINT_INTERVAL_MS, restartBytes: opts.walRestartBytes ?? WAL_RESTART_BYTES,
      lockWaitMs: CHECKPOINT_LOCK_WAIT_MS, reserveBytes: opts.diskReserveBytes ?? 'auto',
    };
    this.checkpointer = new Worker(CHECKPOINT_WORKER, { workerData });
    this.checkpointer.on('message', (m: CheckpointReport | 'stopped') => { if (m !== 'stopped') this.onCheckpoint(m); });
    this.checkpointer.unref();
    return true;
  }

  /**
   * Writing on after the database file was deleted or replaced would hand out attempt ids nobody
   * will ever find (and a CLI on the path would start an empty history): checked once a second and
   * after every failed write; once lost, every call is refused (`STORE_REPLACED`) and falls to
   * `onStoreError` and the journal, until a restart opens the file at the path again.
   */
  identityLost(now: boolean): boolean {
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

  /** The file was deleted since it was opened (its last link gone): what a commit just wrote is lost. */
  fileDeleted(): boolean {
    return this.identityFd !== null && fstatSync(this.identityFd).nlink === 0;
  }

  /** Why a call cannot be recorded now (the file lost, the disk full and the log not yet emptied), or null. */
  refusal(checkNow: boolean): CidgateError | null {
    if (this.identityLost(checkNow)) return this.lost;
    if (this.diskFull && !this.diskFull.writing) return new CidgateError('STORE_DISK_FULL', [this.file], { file: this.file });
    return null;
  }

  /** After a failed write: the file may be gone, or the disk full. */
  writeFailed(err: unknown): void {
    this.identityLost(true);
    if (isDiskFull(err)) this.onDiskFull();
  }

  /** After a commit: without the worker, a commit that went through ends a full disk. */
  committed(): void {
    if (this.diskFull && !this.checkpointer) this.diskSpaceBack();
  }

  /**
   * SQLite could not write for lack of space: the worker releases the disk reserve and empties the
   * log (TRUNCATE checkpoint), and writing waits for that — a writer would otherwise take the
   * released space within milliseconds and leave the checkpoint, hence the log, stuck.
   */
  onDiskFull(): void {
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

  /** Stops the checkpoint worker (bounded) before the database closes. */
  async stopCheckpoints(): Promise<void> {
    const worker = this.checkpointer;
    this.checkpointer = null;
    if (!worker) return;
    const stopped = new Promise((r) => { worker.on('message', (m) => { if (m === 'stopped') r(m); }); worker.once('exit', r); });
    worker.postMessage('stop');
    // Bounded, and the timer cleared: a stop must not wait 2 s for nothing.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((r) => { timer = setTimeout(r, 2000); })]);
    clearTimeout(timer);
    await worker.terminate();
  }

  /** After the database closed. */
  release(): void {
    if (this.identityFd !== null) closeSync(this.identityFd);
    this.identityFd = null;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
