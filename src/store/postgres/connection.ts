import postgres from 'postgres';
import { CidgateError } from '../../errors.js';
import { maskUrl } from '../database-url.js';
import { applyMigrations } from './schema.js';

/** A driver or server error as a STORE_ERROR carrying the SQLSTATE, never the password. */
export function storeError(err: unknown, location: string): Error {
  if (err instanceof CidgateError) return err;
  const e = err as { code?: string; message?: string };
  return new CidgateError('STORE_ERROR', [location, e.message ?? String(err)], { database: location, sqlstate: e.code });
}

/**
 * The pool of connections to the server, and the gate every use goes through: pending migrations
 * applied first (unless the service was told not to), errors as STORE_ERROR.
 */
export class PgConnection {
  readonly sql: postgres.Sql;
  /** The URL with its password masked: what logs and messages show. */
  readonly location: string;
  private ready: Promise<void> | null = null;
  private closed = false;

  constructor(url: string, poolSize: number, readonly migrateOnOpen: boolean) {
    this.location = maskUrl(url);
    this.sql = postgres(url, {
      max: poolSize,
      connect_timeout: 5,
      // The driver's default backoff grows to 20 s over the failed attempts of an outage: the nodes
      // would stay on onStoreError that long after the server is back. At most a second here.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      idle_timeout: 60,
      onnotice: () => {},
      connection: {
        application_name: 'cidgate',
        // A server that stops answering must not hold a connection (and its locks) forever.
        statement_timeout: 30_000,
        idle_in_transaction_session_timeout: 30_000,
      },
      types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    });
  }

  /** Connects and applies pending migrations (under a lock: nodes starting together take turns). */
  migrate(): Promise<void> {
    if (!this.ready) {
      this.ready = applyMigrations(this.sql).catch((err) => {
        this.ready = null; // the next call tries again: the server may come back
        throw storeError(err, this.location);
      });
    }
    return this.ready;
  }

  /** Before the first use, migrates when asked to on open. */
  async opened(): Promise<void> {
    if (this.migrateOnOpen) await this.migrate();
  }

  async use<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
    await this.opened();
    try {
      return await fn(this.sql);
    } catch (err) {
      throw storeError(err, this.location);
    }
  }

  /** What a call waiting past `waitMs` is answered with. */
  timeout(waitMs: number): CidgateError {
    return new CidgateError('STORE_TIMEOUT', [waitMs], { database: this.location, waitMs });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sql.end({ timeout: 5 });
  }
}
