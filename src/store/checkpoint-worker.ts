/**
 * Runs SQLite's WAL checkpoints on a thread of its own, so that copying the log back into the
 * database never stalls a decision on the main thread, and keeps the log bounded.
 *
 * A PASSIVE checkpoint never blocks the writer, but under a continuous writer it never catches up:
 * SQLite restarts the log only when every frame is copied at the moment a write begins, so the WAL
 * grew without limit (887 MB in 30 s at 1,650 decisions/s). Each tick therefore copies what it can
 * without blocking (PASSIVE, twice: the second copies what arrived during the first), and once the
 * log is over `restartBytes`, runs a TRUNCATE checkpoint: it takes the write lock only to copy the
 * few frames left and reset the file, so a decision waits for it about a millisecond, and gives up
 * (as PASSIVE) when a reader or another process keeps it waiting longer than `lockWaitMs`.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointReport {
  /** Size of the -wal file after the tick. */
  readonly walBytes: number;
  /** Frames in the log not yet copied back into the database. */
  readonly lagFrames: number;
  /** True when the last tick reset the log. */
  readonly restarted: boolean;
  /** A checkpoint failure (I/O, disk full), or null. */
  readonly error: string | null;
}

const { file, intervalMs, restartBytes, lockWaitMs } = workerData as {
  file: string; intervalMs: number; restartBytes: number; lockWaitMs: number;
};
// No busy handler: its sleeps (1, 2, 5, 10… ms) miss the short gaps between a busy writer's
// commits; the TRUNCATE below tries the lock itself every quarter millisecond instead.
const db = new Database(file, { timeout: 0 });

/** A WAL frame: a 24-byte header and one page. */
const frameBytes = 24 + Number(db.pragma('page_size', { simple: true }));

const pause = new Int32Array(new SharedArrayBuffer(4));

type Result = { busy: number; log: number; checkpointed: number };
const run = (mode: 'PASSIVE' | 'TRUNCATE') => (db.pragma(`wal_checkpoint(${mode})`) as Result[])[0]!;

const walBytes = () => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

let lastLog = 0;

const tick = (): CheckpointReport => {
  try {
    run('PASSIVE');
    let r = run('PASSIVE');
    let restarted = false;
    // The log in use (frames since its last reset), not the file: that one is reused in place. An
    // idle log (nothing written since the last tick) is emptied too, so the file shrinks when quiet.
    const idle = r.log > 0 && r.log === lastLog;
    lastLog = r.log;
    if (r.log * frameBytes > restartBytes || idle) {
      const giveUp = performance.now() + lockWaitMs;
      for (;;) {
        r = run('TRUNCATE'); // busy: the writer or a reader is there, and it checkpointed as PASSIVE
        restarted = r.busy === 0;
        if (restarted || performance.now() > giveUp) break;
        Atomics.wait(pause, 0, 0, 0.25);
      }
    }
    return { walBytes: walBytes(), lagFrames: Math.max(0, r.log - r.checkpointed), restarted, error: null };
  } catch (err) {
    // Busy or locked: the next tick tries again. Anything else (disk full, I/O) is reported.
    const code = (err as { code?: string }).code ?? '';
    const error = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? null : (err as Error).message;
    return { walBytes: walBytes(), lagFrames: -1, restarted: false, error };
  }
};

const timer = setInterval(() => parentPort?.postMessage(tick()), intervalMs);

parentPort?.on('message', (message) => {
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
