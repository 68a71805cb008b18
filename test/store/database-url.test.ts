import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { describeTarget, maskUrl, storeTarget } from '../../src/store/database-url.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { example } from '../helpers.js';

describe('which database: --db, then CIDGATE_DATABASE_URL, then the config', () => {
  it('a path is SQLite, a postgres:// or postgresql:// URL is PostgreSQL', () => {
    expect(storeTarget('var/cidgate.db', undefined, silentLogger, {})).toEqual({ kind: 'sqlite', file: 'var/cidgate.db' });
    expect(storeTarget('postgres://cidgate@db1/cidgate', undefined, silentLogger, {}).kind).toBe('postgres');
    expect(storeTarget('var/cidgate.db', 'postgresql://cidgate@db1/cidgate', silentLogger, {}).kind).toBe('postgres');
  });

  it('the environment overrides the config; --db overrides both', () => {
    const env = { CIDGATE_DATABASE_URL: 'postgresql://cidgate@db2/cidgate' };
    expect(storeTarget('var/cidgate.db', undefined, silentLogger, env)).toEqual({ kind: 'postgres', url: 'postgresql://cidgate@db2/cidgate' });
    expect(storeTarget('var/cidgate.db', 'other.db', silentLogger, env)).toEqual({ kind: 'sqlite', file: 'other.db' });
  });

  it('the password comes from the URL, else from database.passwordFile', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cidgate-pw-')), 'pw');
    writeFileSync(file, 's3cr3t/@:\n');
    chmodSync(file, 0o600);
    const t = storeTarget({ url: 'postgresql://cidgate@db1:5433/cidgate', passwordFile: file }, undefined, silentLogger, {});
    expect(t).toEqual({ kind: 'postgres', url: 'postgresql://cidgate:s3cr3t%2F%40%3A@db1:5433/cidgate' });
    const own = storeTarget({ url: 'postgresql://cidgate:mine@db1/cidgate', passwordFile: file }, undefined, silentLogger, {});
    expect(own).toEqual({ kind: 'postgres', url: 'postgresql://cidgate:mine@db1/cidgate' });
  });

  it('a URL naming several hosts (libpq\'s form, which the driver takes) keeps them, the password going in front', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cidgate-pw-')), 'pw');
    writeFileSync(file, 'pw\n');
    chmodSync(file, 0o600);
    const multi = 'postgresql://cidgate@db1.example:5432,db2.example:5433/cidgate?target_session_attrs=read-write';
    expect(storeTarget(multi, undefined, silentLogger, {})).toEqual({ kind: 'postgres', url: multi });
    expect(storeTarget({ url: multi, passwordFile: file }, undefined, silentLogger, {})).toEqual({
      kind: 'postgres', url: 'postgresql://cidgate:pw@db1.example:5432,db2.example:5433/cidgate?target_session_attrs=read-write',
    });
    expect(maskUrl('postgresql://cidgate:hunter2@db1:5432,db2:5432/cidgate')).toBe('postgresql://cidgate:***@db1:5432,db2:5432/cidgate');
  });

  it('the password never appears in what is shown', () => {
    expect(maskUrl('postgresql://cidgate:hunter2@db1/cidgate')).toBe('postgresql://cidgate:***@db1/cidgate');
    expect(describeTarget({ kind: 'postgres', url: 'postgres://u:p%40ss@h/d' })).not.toMatch(/p%40ss|p@ss/);
    expect(maskUrl('postgres://u:hunter2@[bad')).not.toMatch(/hunter2/);
  });

  it('a malformed URL is a config error naming it without its password', () => {
    expect(() => storeTarget('postgres://u:hunter2@[bad', undefined, silentLogger, {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', context: { url: 'postgres://u:***@[bad' } }));
    try { storeTarget('postgres://u:hunter2@[bad', undefined, silentLogger, {}); } catch (e) { expect((e as Error).message).not.toMatch(/hunter2/); }
  });
});

describe('PostgreSQL unreachable', () => {
  it('every call is answered by onStoreError within the bounded wait, and the error hides the password', async () => {
    const store = new PostgresStore('postgresql://cidgate:hunter2@127.0.0.1:1/cidgate', { waitMs: 300 });
    const errors: string[] = [];
    const log = Object.assign(Object.create(silentLogger) as typeof silentLogger, { error: (o: { err?: { message?: string } }) => { errors.push(o.err?.message ?? ''); } });
    const gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, log);
    const t0 = performance.now();
    const [p, s] = await Promise.all([
      gateway.check({ campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true }, { record: true }),
      gateway.check({ campaign: 'customer', from: '0612345678', to: '0145678901' }, { record: true }),
    ]);
    expect(performance.now() - t0).toBeLessThan(10_000); // bounded (the wait is 300 ms): never hangs
    expect(p.decision.reasons).toEqual(['store-unavailable']);
    expect(s.decision.action).toBe('rewrite');
    expect(errors.length).toBe(2);
    expect(errors.join()).not.toMatch(/hunter2/);
    await store.close();
  });
});
