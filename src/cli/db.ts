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
 * node to several. Exit 0 when every table's count matches, 1 when one does not.
 */
export async function dbCopyCommand(opts: { from?: string; to?: string }, out: Out, err: Out): Promise<number> {
  if (!opts.from || isPostgresUrl(opts.from)) throw new CidgateError('BAD_OPTION', '--from: the SQLite file to copy');
  const to = opts.to ?? process.env.CIDGATE_DATABASE_URL;
  if (!to || !isPostgresUrl(to)) throw new CidgateError('BAD_OPTION', '--to: a postgres:// URL (or CIDGATE_DATABASE_URL)');
  const target = storeTarget(to, undefined, createLogger('warn', 2), {});
  if (target.kind !== 'postgres') throw new CidgateError('BAD_OPTION', '--to: a postgres:// URL');
  const store = new PostgresStore(target.url, { migrate: false });
  const started = performance.now();
  try {
    const counts = await copySqliteToPostgres(opts.from, store, (line) => err.write(`cidgate db copy: ${line}\n`));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    let ok = true;
    for (const c of counts) {
      const match = c.source === c.target;
      ok &&= match;
      out.write(`${c.table}: ${c.source} in ${opts.from}, ${c.target} in ${store.location}${match ? '' : '  MISMATCH'}\n`);
    }
    out.write(ok ? `copied in ${seconds} s, counts match\n` : `copied in ${seconds} s, counts DIFFER: the target held other rows, or some were refused\n`);
    return ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
