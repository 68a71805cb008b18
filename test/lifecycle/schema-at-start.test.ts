import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { runCli } from '../helpers.js';
import { startServe } from '../http/serve-process.js';
import { describeIfAvailable } from '../requires.js';
import { createDatabase, dropDatabase, testDatabaseUrl } from '../store/stores.js';

/** An empty database of one kind: where it is, its schema version read without cidgate, how to remove it. */
interface Empty {
  readonly db: string;
  version(): Promise<number>;
  drop(): Promise<void>;
}

/**
 * `db migrate` and `serve`'s schema check at start, on an empty database of one kind. The journal
 * goes to the test's directory (a PostgreSQL node keeps it in the working directory otherwise).
 */
function schemaAtStart(latest: number, empty: () => Promise<Empty>) {
  let target: Empty;
  let dir: string;
  // On the database server's clock: under `npm run test:future` this process runs a year ahead of the
  // (unfaked) server, and a node that far off is rightly not ready (database.maxClockSkewMs).
  const serve = (args: string[] = []) => startServe({ db: target.db, args, env: { LD_PRELOAD: '' }, overrides: { retentionDays: null, store: { journal: join(dir, 'node.journal') } } });
  beforeEach(async () => {
    target = await empty();
    dir = mkdtempSync(join(tmpdir(), 'cidgate-schema-'));
  });
  afterEach(async () => {
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('db migrate brings it to the latest version and says so; run again, it changes nothing', async () => {
    const first = await runCli(['db', 'migrate', '--db', target.db]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`: schema at version ${latest}\\n$`));
    expect(await target.version()).toBe(latest);
    const again = await runCli(['db', 'migrate', '--db', target.db]);
    expect(again).toEqual(first);
  });

  it('serve migrates before it listens: the schema in place when it says it is serving, ready at once', async () => {
    const s = await serve();
    try {
      expect(await target.version()).toBe(latest);
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('serve --no-migrate refuses to start on a database without the schema, and starts once db migrate ran', async () => {
    await expect(serve(['--no-migrate'])).rejects.toThrow(new RegExp(`exited \\(2\\).*STORE_SCHEMA_OUTDATED: database .* is at schema version 0; this cidgate needs ${latest}`));
    expect(await target.version()).toBe(0);
    expect((await runCli(['db', 'migrate', '--db', target.db])).code).toBe(0);
    const s = await serve(['--no-migrate']);
    try {
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
}

describe('SQLite: the schema at start', () => {
  schemaAtStart(MIGRATIONS[MIGRATIONS.length - 1]!.version, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cidgate-schema-db-'));
    const db = join(dir, 'cidgate.db');
    const version = async () => {
      const file = new Database(db, { readonly: true });
      try {
        return Number(file.pragma('user_version', { simple: true }));
      } finally {
        file.close();
      }
    };
    return { db, version, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeIfAvailable('PostgreSQL', testDatabaseUrl !== null, 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@localhost/postgres (bash .ci/run does)')(
  'PostgreSQL: the schema at start', () => {
    schemaAtStart(PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version, async () => {
      const db = await createDatabase(testDatabaseUrl!);
      const version = async () => {
        const sql = postgres(db, { max: 1, onnotice: () => {} });
        try {
          const [table] = await sql<{ present: boolean }[]>`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`;
          if (!table!.present) return 0;
          const [max] = await sql<{ v: number }[]>`SELECT max(version) AS v FROM schema_migrations`;
          return max!.v;
        } finally {
          await sql.end();
        }
      };
      return { db, version, drop: () => dropDatabase(testDatabaseUrl!, db) };
    });
  });
