/**
 * Runs SQLite's WAL checkpoints on a thread of its own, so that copying the log back into the
 * database never stalls a decision on the main thread, and keeps the log bounded.
 *
 * A PASSIVE checkpoint never blocks the writer, but under a continuous writer it never catches up:
 * SQLite restarts the log only when every frame is copied at the moment a write begins, so the WAL
 * grew without limit (887 MB in 30 s at 1,650 decisions/s). Each tick therefore copies what it can
 * without blocking (PASSIVE, twice: the second copies what arrived during the first), and once the
 * log is over `restartBytes`, runs a RESTART checkpoint: it takes the write lock only to copy the
 * few frames left and sync the database, and the next commit writes the log from its start again
 * (`journal_size_limit` keeps the file at the bound). It holds the lock a median 4.6 ms (at most
 * 19 ms in a minute at 500 decisions/s); a TRUNCATE also shrinks the -wal file under the lock, 28 ms
 * each time, and decisions stuck behind it made the whole sessions' p99 twice as long.
 * Either gives up (as PASSIVE) when a reader or another process keeps it waiting over `lockWaitMs`.
 *
 * The file is truncated only when that is the point: when the log is idle (it shrinks when quiet),
 * when the disk is nearly full (the bound shrinks to a quarter of the space the log could take),
 * and when SQLite reports it full (the main thread posts `{ diskFull }`): then the worker releases
 * the disk reserve and truncates at every tick until it succeeds, the database file grows into the
 * reserve by the pages copied back, the log is emptied, and the main thread writes again.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DiskReserve, freeBytes } from './disk-reserve.js';

export interface CheckpointReport {
  /** Size of the -wal file after the tick. */
  readonly walBytes: number;
  /** Frames in the log not yet copied back into the database. */
  readonly lagFrames: number;
  /** True when the last tick reset the log. */
  readonly restarted: boolean;
  /** A checkpoint failure (I/O, disk full), or null. */
  readonly error: string | null;
  /** The checkpoint failed for lack of space (SQLITE_FULL): the database file could not grow. */
  readonly diskFull: boolean;
  /** The disk reserve is on disk (or none is kept). */
  readonly reserveInPlace: boolean;
  /** The last `{ diskFull }` message handled: a report after it says whether the log was emptied since. */
  readonly diskFullSeq: number;
}

export interface CheckpointWorkerData {
  readonly file: string;
  readonly intervalMs: number;
  readonly restartBytes?: number;
  readonly lockWaitMs?: number;
  /** Bytes kept in `<db>.reserve`: 'auto' sizes it from the filesystem; absent or 0 keeps none. */
  readonly reserveBytes?: number | 'auto';
}

const { file, intervalMs, restartBytes = 16 * 1024 * 1024, lockWaitMs = 20, reserveBytes = 0 } = workerData as CheckpointWorkerData;
// No busy handler: its sleeps (1, 2, 5, 10… ms) miss the short gaps between a busy writer's
// commits; the TRUNCATE below tries the lock itself every quarter millisecond instead.
const db = new Database(file, { timeout: 0 });

/** A WAL frame: a 24-byte header and one page. */
const frameBytes = 24 + Number(db.pragma('page_size', { simple: true }));

const pause = new Int32Array(new SharedArrayBuffer(4));

type Result = { busy: number; log: number; checkpointed: number };
const run = (mode: 'PASSIVE' | 'RESTART' | 'TRUNCATE') => (db.pragma(`wal_checkpoint(${mode})`) as Result[])[0]!;

const walBytes = () => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

let lastLog = 0;
const reserve = reserveBytes === 0 ? null : new DiskReserve(file, reserveBytes === 'auto' ? undefined : reserveBytes);
let reserveInPlace = reserve?.ensure() ?? true;
/** A `{ diskFull }` message asked for the log to be emptied, and it is not yet. */
let mustTruncate = false;
let diskFullSeq = 0;

/** The log's bound: `restartBytes`, or a quarter of what the log may take when the disk is nearly full. */
const MIN_RESTART_BYTES = 256 * 1024;
const restartBound = () => {
  try {
    return Math.min(restartBytes, Math.max(MIN_RESTART_BYTES, (walBytes() + freeBytes(file)) / 4));
  } catch {
    return restartBytes;
  }
};

const tick = (): CheckpointReport => {
  try {
    run('PASSIVE');
    let r = run('PASSIVE');
    let restarted = false;
    // The log in use (frames since its last reset), not the file: that one is reused in place. An
    // idle log (nothing written since the last tick) is emptied too, so the file shrinks when quiet.
    const idle = r.log > 0 && r.log === lastLog;
    lastLog = r.log;
    const bound = restartBound();
    if (mustTruncate || r.log * frameBytes > bound || idle) {
      const mode = mustTruncate || idle || bound < restartBytes ? 'TRUNCATE' : 'RESTART';
      const giveUp = performance.now() + lockWaitMs;
      for (;;) {
        r = run(mode); // busy: the writer or a reader is there, and it checkpointed as PASSIVE
        restarted = r.busy === 0;
        if (restarted || performance.now() > giveUp) break;
        Atomics.wait(pause, 0, 0, 0.25);
      }
      if (restarted) mustTruncate = false;
    }
    if (!mustTruncate && reserve) reserveInPlace = reserve.ensure();
    return { walBytes: walBytes(), lagFrames: Math.max(0, r.log - r.checkpointed), restarted, error: null, diskFull: false, reserveInPlace, diskFullSeq };
  } catch (err) {
    // Busy or locked: the next tick tries again. Anything else (disk full, I/O) is reported.
    const code = (err as { code?: string }).code ?? '';
    const error = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? null : (err as Error).message;
    return { walBytes: walBytes(), lagFrames: -1, restarted: false, error, diskFull: code.startsWith('SQLITE_FULL'), reserveInPlace, diskFullSeq };
  }
};

const timer = setInterval(() => parentPort?.postMessage(tick()), intervalMs);

parentPort?.on('message', (message: 'now' | 'stop' | { diskFull: number }) => {
  if (typeof message === 'object') {
    diskFullSeq = message.diskFull;
    reserve?.release();
    reserveInPlace = reserve === null;
    mustTruncate = true;
    parentPort?.postMessage(tick());
    return;
  }
  if (message === 'now') {
    parentPort?.postMessage(tick());
    return;
  }
  if (message !== 'stop') return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort?.postMessage('stopped');
});
