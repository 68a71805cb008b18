import { existsSync } from 'node:fs';
import type { RawConfig } from '../config/schema.js';
import { CidgateError } from '../errors.js';
import type { Logger } from '../log.js';
import { storeTarget, type StoreTarget } from './database-url.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** How the service and the commands use the store: the service waits little, a command longer. */
export interface StoreUse {
  /** SQLite: how long a write waits for another process's lock. */
  readonly busyTimeoutMs: number;
  /** PostgreSQL: how long a decision waits for the server before it fails (onStoreError). */
  readonly waitMs: number;
  readonly backgroundCheckpoint?: boolean;
  /** Apply pending migrations (SQLite: on open; PostgreSQL: before the first use). Default true. */
  readonly migrate?: boolean;
  /** Commands that only read: a SQLite file that is not there is an error, never created empty. */
  readonly mustExist?: boolean;
}

/** The configured store: SQLite for a path, PostgreSQL for a postgres:// URL (see storeTarget). */
export function openStore(raw: RawConfig, cliDb: string | undefined, log: Logger, use: StoreUse): { store: Store; target: StoreTarget } {
  const target = storeTarget(raw.database, cliDb, log);
  if (use.mustExist && target.kind === 'sqlite' && !existsSync(target.file)) {
    throw new CidgateError('BAD_OPTION', [target.file, 'no database at this path (a command that only reads never creates one)'], { file: target.file });
  }
  const store = target.kind === 'sqlite'
    ? new SqliteStore(target.file, { busyTimeoutMs: use.busyTimeoutMs, backgroundCheckpoint: use.backgroundCheckpoint, log, migrate: use.migrate })
    : new PostgresStore(target.url, { waitMs: use.waitMs, migrate: use.migrate });
  return { store, target };
}
