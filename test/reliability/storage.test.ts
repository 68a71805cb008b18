import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { SqliteStore } from '../../src/store/sqlite.js';

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
      expect(r.stderr).toMatch(/not writable/);
      expect(r.stderr).not.toMatch(/at .*\.js/); // one line, no stack trace
      await new SqliteStore(file, { readonly: true }).close(); // asked for read-only: fine
    } finally {
      undoReadOnly(file);
    }
  });
});
