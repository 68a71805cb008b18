import type postgres from 'postgres';
import { PG_MIGRATIONS } from '../postgres-migrations.js';
import { schemaChecked } from '../store.js';

const MIGRATION_LOCK = 0x63696467; // 'cidg'

/** Applies pending migrations in one transaction, under a lock: nodes starting together take turns. */
export async function applyMigrations(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.unsafe('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const [row] = await tx.unsafe<{ v: number | null }[]>('SELECT max(version) AS v FROM schema_migrations');
    for (const m of PG_MIGRATIONS.filter((x) => x.version > (row?.v ?? 0))) {
      await tx.unsafe(m.sql);
      await tx.unsafe('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
    }
  });
}

/** The database's schema version (0 before any migration). */
export async function schemaVersion(sql: postgres.Sql): Promise<number> {
  const [table] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!table?.present) return 0;
  const [row] = await sql.unsafe<{ v: number | null }[]>('SELECT max(version) AS v FROM schema_migrations');
  return row?.v ?? 0;
}

/** Throws STORE_SCHEMA_OUTDATED when migrations are pending. */
export function checkedVersion(location: string, version: number): number {
  return schemaChecked(location, version, PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version);
}
