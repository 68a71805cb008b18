import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { Gateway } from '../../src/service/gateway.js';
import { Journal } from '../../src/service/journal.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Recorded } from '../../src/store/store.js';
import { example } from '../helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'cidgate.js');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cidgate-storage-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Makes `file` unwritable even for root (immutable flag); false when this machine cannot. */
function makeReadOnly(file: string): boolean {
  chmodSync(file, 0o444);
  if (process.getuid?.() === 0) spawnSync('chattr', ['+i', file]);
  try {
    closeSync(openSync(file, 'r+'));
    return false;
  } catch {
    return true;
  }
}

function undoReadOnly(file: string): void {
  if (process.getuid?.() === 0) spawnSync('chattr', ['-i', file]);
  chmodSync(file, 0o644);
}

describe('a database that opens read-only when it should be writable', () => {
  it('is an error at open, and `serve` does not start', async () => {
    const file = join(dir, 'ro.db');
    await new SqliteStore(file).close();
    if (!makeReadOnly(file)) return void process.stderr.write('[skipped] cannot make a file read-only here\n');
    try {
      expect(() => new SqliteStore(file)).toThrow(expect.objectContaining({ code: 'STORE_READ_ONLY' }));
      const r = spawnSync(process.execPath, [BIN, 'serve', '--db', file], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^cidgate: STORE_READ_ONLY: /m);
      expect(r.stderr).not.toMatch(/at .*\.js/); // one line, no stack trace
      await new SqliteStore(file, { readonly: true }).close(); // asked for read-only: fine
    } finally {
      undoReadOnly(file);
    }
  });
});

describe('the write-ahead log stays bounded under a continuous writer', () => {
  it('the WAL is reset once over its bound, and health() reports its size', async () => {
    const file = join(dir, 'wal.db');
    // The checkpoint worker runs compiled (dist/), as in the service.
    const compiled = await import(join(PACKAGE_ROOT, 'dist', 'src', 'store', 'sqlite.js')) as typeof import('../../src/store/sqlite.js');
    const store = new compiled.SqliteStore(file, { backgroundCheckpoint: true, walRestartBytes: 512 * 1024 });
    const gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, silentLogger);
    let maxWal = 0;
    try {
      // ~4,800 decisions, 8 in flight at a time: without the reset the log passes 12 MB and never shrinks.
      for (let i = 0; i < 600; i++) {
        await Promise.all(Array.from({ length: 8 }, (_, k) => gateway.check(
          { campaign: 'customer', from: '0612345678', to: `014${String(i * 8 + k).padStart(7, '0')}`, pbx: { uniqueId: `w${i}.${k}` } },
          { record: true })));
        maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
        if (i % 25 === 0) await new Promise((r) => setTimeout(r, 10)); // the service's load has gaps too
      }
      expect(maxWal).toBeLessThan(8 * 1024 * 1024);
      // Under load the log restarts in place (the file keeps its size); once the writer pauses, the file is truncated.
      const until = performance.now() + 5_000;
      while (store.health().walBytes > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(store.health()).toMatchObject({ ok: true, reason: null });
      expect(store.health().walBytes).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('the database file deleted or replaced while the service runs', () => {
  const prospecting = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true };
  const clock = { now: () => new Date('2026-11-30T10:00:00Z') };

  for (const how of ['deleted', 'replaced'] as const) {
    it(`${how}: a loud error, health not ok, and calls fall to the policy instead of being recorded nowhere`, async () => {
      const file = join(dir, `${how}.db`);
      const store = new SqliteStore(file);
      const gateway = new Gateway(example, store, clock, silentLogger);
      expect((await gateway.check(prospecting, { record: true })).attemptId).not.toBeNull();
      if (how === 'deleted') {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      } else {
        const other = join(dir, 'other.db');
        await new SqliteStore(other).close();
        renameSync(other, file);
      }
      // No wait: the link count is read after every commit, the path once a second.
      const after = await gateway.check({ ...prospecting, to: '0145678902' }, { record: true });
      expect(after).toMatchObject({ attemptId: null, decision: { reasons: ['store-unavailable'] } });
      expect(store.health()).toMatchObject({ ok: false, reason: expect.stringContaining(how === 'deleted' ? 'deleted' : 'replaced') });
      await store.close();
    });
  }

  it('under load, no call is acknowledged once the file is unlinked: each commit checks the file is still linked', async () => {
    const file = join(dir, 'unlinked.db');
    const store = new SqliteStore(file);
    const journal = new Journal(join(dir, 'unlinked.journal'), silentLogger);
    const gateway = new Gateway(example, store, clock, silentLogger, journal);
    let unlinked = false;
    let n = 0;
    const afterUnlink: Recorded[] = [];
    const callers = Array.from({ length: 8 }, async () => {
      while (afterUnlink.length < 200) {
        const i = n++;
        const r = await gateway.check({ ...prospecting, to: `014${String(i).padStart(7, '0')}`, pbx: { uniqueId: `u.${i}` } }, { record: true });
        if (unlinked) afterUnlink.push(r);
        if (i === 300) setImmediate(() => { rmSync(file); unlinked = true; }); // between two group commits
      }
    });
    await Promise.all(callers);
    expect(afterUnlink.filter((r) => r.attemptId !== null)).toEqual([]);
    expect(afterUnlink.every((r) => r.decision.reasons[0] === 'store-unavailable')).toBe(true);
    expect(journal.pending).toBeGreaterThanOrEqual(afterUnlink.length); // kept for a restart to replay
    expect(store.health()).toMatchObject({ ok: false, reason: expect.stringContaining('deleted') });
    await store.close();
    journal.close();
  });
});
