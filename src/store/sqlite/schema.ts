import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';
import { CidgateError } from '../../errors.js';
import { MIGRATIONS } from '../migrations.js';
import { schemaChecked } from '../store.js';

/** Over this size the log is reset (TRUNCATE checkpoint): the WAL stays around this bound at any rate. */
export const WAL_RESTART_BYTES = 16 * 1024 * 1024;

/** How long opening waits for another process that is creating or migrating the same file. */
const OPEN_WAIT_MS = 5_000;

export interface OpenSettings {
  readonly busyTimeoutMs?: number;
  readonly readonly?: boolean;
  readonly walRestartBytes?: number;
  readonly migrate?: boolean;
}

/**
 * Opens, switches to WAL and migrates. Two processes opening a fresh file at once contend for
 * the journal-mode switch, which SQLite reports as busy without waiting: retry for a while.
 */
export function openWithRetry(file: string, opts: OpenSettings): Database.Database {
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

export function migrate(db: Database.Database): void {
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

/** The file's schema version; throws STORE_SCHEMA_OUTDATED when migrations are pending. */
export function schemaVersion(db: Database.Database, file: string): number {
  return schemaChecked(file, Number(db.pragma('user_version', { simple: true })), MIGRATIONS[MIGRATIONS.length - 1]!.version);
}

/**
 * SQLite silently opens a file it cannot write read-only, and every write would then fail: a
 * database that should be writable and is not is an error at open, not at the first call.
 */
export function assertWritable(file: string): void {
  for (const path of [file, `${file}-wal`]) {
    if (!existsSync(path)) continue;
    try {
      closeSync(openSync(path, 'r+'));
    } catch (err) {
      throw new CidgateError('STORE_READ_ONLY', [path, (err as Error).message], { file: path });
    }
  }
}
