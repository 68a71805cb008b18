import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { PostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { lockFromAnotherProcess, release } from '../reliability/lock.js';

/** One store implementation the contract suites run against. */
export interface StoreUnderTest {
  readonly name: string;
  /** A new, empty store of this kind. */
  open(): Promise<Store>;
  /** Another handle on the store `open` made last (as a restarted node, or a second node, sees it). */
  reopen(): Promise<Store>;
  /** What `--db` takes to reach the store `open` made last (a file path or a postgres:// URL). */
  location(): string;
  /**
   * Another process holds the store's write lock (the database is up, every write waits) until the
   * returned function is called: the store fails the way a stalled database makes it fail.
   */
  holdWrites(): Promise<() => Promise<void>>;
  /** Removes what `open` created (after the store is closed). */
  cleanup(): Promise<void>;
}

function sqlite(): StoreUnderTest {
  const dirs: string[] = [];
  let last = '';
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'cidgate-contract-'));
      dirs.push(dir);
      last = join(dir, 'test.db');
      return new SqliteStore(last);
    },
    async reopen() { return new SqliteStore(last); },
    location: () => last,
    async holdWrites() {
      const holder = await lockFromAnotherProcess(last);
      return () => release(holder);
    },
    async cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The server in CIDGATE_TEST_DATABASE_URL, or null when the PostgreSQL suites cannot run. */
export const testDatabaseUrl: string | null = process.env.CIDGATE_TEST_DATABASE_URL || null;

let seq = 0;

/**
 * A fresh, empty place on the test server: a schema of its own, reached through the URL's
 * `search_path` (so the CLI and `serve` can be pointed at it with --db). Dropped by `dropDatabase`.
 */
export async function createDatabase(baseUrl: string): Promise<string> {
  const name = `cidgate_test_${process.pid}_${Date.now().toString(36)}_${seq++}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('search_path', name);
  return url.toString();
}

export async function dropDatabase(baseUrl: string, url: string): Promise<void> {
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${new URL(url).searchParams.get('search_path')} CASCADE`);
  } finally {
    await admin.end();
  }
}

/**
 * Another connection locks the store's tables (the server is up, every write waits; with the
 * default mode every read too) until the returned function is called.
 */
export async function lockTables(url: string, mode: 'ACCESS EXCLUSIVE' | 'EXCLUSIVE' = 'ACCESS EXCLUSIVE'): Promise<() => Promise<void>> {
  const other = postgres(url, { max: 1, onnotice: () => {} });
  let unlock!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => { locked = r; });
  const tx = other.begin(async (t) => {
    await t.unsafe(`LOCK TABLE decisions, number_usage IN ${mode} MODE`);
    locked();
    await new Promise<void>((r) => { unlock = r; });
  });
  await isLocked;
  return async () => { unlock(); await tx; await other.end(); };
}

/** Each store in a schema of its own, created on open and dropped on cleanup. */
function postgresServer(baseUrl: string): StoreUnderTest {
  const urls: string[] = [];
  return {
    name: 'postgres',
    async open() {
      urls.push(await createDatabase(baseUrl));
      return new PostgresStore(urls[urls.length - 1]!);
    },
    async reopen() { return new PostgresStore(urls[urls.length - 1]!); },
    location: () => urls[urls.length - 1]!,
    holdWrites: () => lockTables(urls[urls.length - 1]!),
    async cleanup() {
      for (const u of urls.splice(0)) await dropDatabase(baseUrl, u);
    },
  };
}

/**
 * Every store the contract suites must pass: SQLite always; PostgreSQL when
 * CIDGATE_TEST_DATABASE_URL is set (`.ci/run` sets it; without it the PostgreSQL runs are skipped).
 */
export function storesUnderTest(): StoreUnderTest[] {
  return testDatabaseUrl ? [sqlite(), postgresServer(testDatabaseUrl)] : [sqlite()];
}
