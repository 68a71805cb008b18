import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import type postgres from 'postgres';
import { CidgateError } from '../errors.js';
import type { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';

/** Rows per transaction (an interrupted copy keeps what it committed). */
const CHUNK = 50_000;

type Kind = 'text' | 'int' | 'ms' | 'flag';

interface TableCopy {
  readonly table: string;
  /** Columns in both databases, with how a SQLite value becomes a PostgreSQL one. */
  readonly columns: readonly (readonly [string, Kind])[];
  /** Order of the SQLite read (resumable, stable). */
  readonly order: string;
  /** What a row already in PostgreSQL does: skipped (the same row copied before), or merged. */
  readonly onConflict: string;
}

const TABLES: readonly TableCopy[] = [
  {
    table: 'decisions', order: 'id', onConflict: 'ON CONFLICT DO NOTHING',
    columns: [
      ['id', 'int'], ['at', 'ms'], ['campaign', 'text'], ['purpose', 'text'], ['source', 'text'], ['channel', 'text'],
      ['pbx_unique_id', 'text'], ['agent', 'text'], ['lead', 'text'], ['original_caller_id', 'text'],
      ['presented_caller_id', 'text'], ['callee', 'text'], ['area', 'text'], ['action', 'text'], ['reasons', 'text'],
      ['retry_at', 'ms'], ['counted', 'flag'], ['consent_ref', 'text'], ['dialing', 'text'], ['basis', 'text'],
      ['consent_anytime', 'flag'], ['outcome', 'text'], ['hangup_cause', 'int'], ['duration_s', 'int'], ['outcome_at', 'ms'],
      ['without_history', 'flag'], ['journal_id', 'text'], ['retried', 'flag'], ['node', 'text'],
    ],
  },
  { table: 'refusals', order: 'id', onConflict: 'ON CONFLICT DO NOTHING', columns: [['id', 'int'], ['number', 'text'], ['at', 'ms'], ['campaign', 'text']] },
  {
    table: 'consent_events', order: 'id', onConflict: 'ON CONFLICT DO NOTHING',
    columns: [['id', 'int'], ['number', 'text'], ['at', 'ms'], ['kind', 'text'], ['source', 'text'], ['anytime', 'flag']],
  },
  { table: 'do_not_call', order: 'number', onConflict: 'ON CONFLICT DO NOTHING', columns: [['number', 'text'], ['added_at', 'ms'], ['source', 'text']] },
  {
    // Another node may have counted the same day meanwhile: keep the larger count.
    table: 'number_usage', order: 'day, number',
    onConflict: 'ON CONFLICT (day, number) DO UPDATE SET count = greatest(number_usage.count, excluded.count)',
    columns: [['day', 'text'], ['number', 'text'], ['count', 'int']],
  },
];

/** A SQLite value as a field of COPY's text format (\N for null; tabs, newlines and backslashes escaped). */
function copyField(v: unknown, kind: Kind): string {
  if (v === null || v === undefined) return '\\N';
  if (kind === 'ms') return new Date(Number(v)).toISOString();
  if (kind === 'flag') return Number(v) === 1 ? 't' : 'f';
  if (kind === 'int') return String(v);
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * One chunk in one transaction: COPY FROM STDIN (the fastest way in) into a temporary table, then
 * into the real one with its ON CONFLICT rule, so a row copied before is skipped or merged.
 */
async function copyChunk(sql: postgres.Sql, t: TableCopy, rows: readonly Record<string, unknown>[]): Promise<void> {
  const names = t.columns.map(([c]) => c).join(', ');
  const text = rows.map((r) => `${t.columns.map(([c, k]) => copyField(r[c], k)).join('\t')}\n`).join('');
  await sql.begin(async (tx) => {
    await tx.unsafe(`CREATE TEMP TABLE IF NOT EXISTS copy_${t.table} (LIKE ${t.table}) ON COMMIT DELETE ROWS`);
    const writable = await tx.unsafe(`COPY copy_${t.table} (${names}) FROM STDIN`).writable();
    await pipeline(Readable.from([text]), writable);
    await tx.unsafe(`INSERT INTO ${t.table} (${names}) SELECT ${names} FROM copy_${t.table} ${t.onConflict}`);
  });
}

export interface CopyCount { readonly table: string; readonly source: number; readonly target: number }

/**
 * Copies a SQLite log into PostgreSQL, every table, ids kept (attempt ids already handed to PBXs
 * stay valid for their outcomes). Idempotent: a row already copied is skipped, so an interrupted
 * copy is simply run again. Returns each table's row count on both sides.
 */
export async function copySqliteToPostgres(file: string, target: PostgresStore, progress: (line: string) => void): Promise<CopyCount[]> {
  await new SqliteStore(file, { busyTimeoutMs: 5_000 }).close(); // brings the file to the latest schema
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await target.migrate();
    const sql = target.connection;
    const counts: CopyCount[] = [];
    for (const t of TABLES) {
      const total = Number(source.prepare(`SELECT count(*) FROM ${t.table}`).pluck().get());
      const names = t.columns.map(([c]) => c);
      let done = 0;
      let chunk: Record<string, unknown>[] = [];
      const flush = async () => {
        if (chunk.length === 0) return;
        await copyChunk(sql, t, chunk);
        done += chunk.length;
        chunk = [];
        if (done % 100_000 < CHUNK || done === total) progress(`${t.table}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`);
      };
      for (const row of source.prepare(`SELECT ${names.join(', ')} FROM ${t.table} ORDER BY ${t.order}`).iterate()) {
        chunk.push(row as Record<string, unknown>);
        if (chunk.length === CHUNK) await flush();
      }
      await flush();
      if (t.columns[0]![0] === 'id') {
        // New rows numbered after the copied ones.
        await sql.unsafe(`SELECT setval(pg_get_serial_sequence('${t.table}', 'id'), greatest((SELECT max(id) FROM ${t.table}), 1))`);
      }
      const [row] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::float8 AS n FROM ${t.table}`);
      counts.push({ table: t.table, source: total, target: row?.n ?? 0 });
    }
    return counts;
  } catch (err) {
    if (err instanceof CidgateError) throw err;
    throw new CidgateError('STORE_ERROR', [target.location, `copying ${file}: ${(err as Error).message}`], { file, database: target.location });
  } finally {
    source.close();
  }
}
