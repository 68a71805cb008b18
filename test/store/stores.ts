import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite.js';

/** One store implementation the contract suites run against. */
export interface StoreUnderTest {
  readonly name: string;
  /** A new, empty store of this kind. */
  open(): Promise<Store>;
  /** Removes what `open` created (after the store is closed). */
  cleanup(): Promise<void>;
}

function sqlite(): StoreUnderTest {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'cidgate-contract-'));
      dirs.push(dir);
      return new SqliteStore(join(dir, 'test.db'));
    },
    async cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/**
 * Every store the contract suites must pass: SQLite always; PostgreSQL when
 * CIDGATE_TEST_DATABASE_URL is set (added by the PostgreSQL store).
 */
export function storesUnderTest(): StoreUnderTest[] {
  return [sqlite()];
}
