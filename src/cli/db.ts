import { loadConfig } from '../config/load.js';
import { CidgateError } from '../errors.js';
import { createLogger } from '../log.js';
import { copySqliteToPostgres } from '../store/copy.js';
import { describeTarget, isPostgresUrl, storeTarget } from '../store/database-url.js';
import { openStore } from '../store/open.js';
import { PostgresStore } from '../store/postgres.js';
import type { CommonOptions } from './context.js';

type Out = NodeJS.WritableStream;

/** `cidgate db migrate`: brings the database to the latest schema (what `serve` does at start) and says its version. */
export async function dbMigrateCommand(opts: CommonOptions, out: Out): Promise<number> {
  const { config } = loadConfig(opts.config);
  const { store, target } = openStore(config.raw, opts.db, createLogger('warn', 2), { busyTimeoutMs: 5_000, waitMs: 30_000 });
  try {
    out.write(`${describeTarget(target)}: schema at version ${await store.ensureSchema(true)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `cidgate db copy --from FILE --to URL`: a SQLite log into PostgreSQL, for a site moving from one
 * node to several. Exit 0 when every table's count matches, else COPY_COUNT_MISMATCH (exit 3).
 */
export async function dbCopyCommand(opts: { from?: string; to?: string }, out: Out, err: Out): Promise<number> {
  if (!opts.from || isPostgresUrl(opts.from)) throw new CidgateError('BAD_OPTION', ['--from', 'the SQLite file to copy']);
  const to = opts.to ?? process.env.CIDGATE_DATABASE_URL;
  if (!to || !isPostgresUrl(to)) throw new CidgateError('BAD_OPTION', ['--to', 'a postgres:// URL (or CIDGATE_DATABASE_URL)']);
  const target = storeTarget(to, undefined, createLogger('warn', 2), {});
  if (target.kind !== 'postgres') throw new CidgateError('BAD_OPTION', ['--to', 'a postgres:// URL']);
  const store = new PostgresStore(target.url, { migrate: false });
  const started = performance.now();
  try {
    const counts = await copySqliteToPostgres(opts.from, store, (line) => err.write(`cidgate db copy: ${line}\n`));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const c of counts) {
      out.write(`${c.table}: ${c.source} in ${opts.from}, ${c.target} in ${store.location}${c.source === c.target ? '' : '  MISMATCH'}\n`);
    }
    const differ = counts.filter((c) => c.source !== c.target).map((c) => c.table);
    if (differ.length > 0) throw new CidgateError('COPY_COUNT_MISMATCH', [differ.join(', ')], { tables: differ, database: store.location });
    out.write(`copied in ${seconds} s, counts match\n`);
    return 0;
  } finally {
    await store.close();
  }
}
