import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

const STORE_MODULE = join(PACKAGE_ROOT, 'dist', 'src', 'store', 'sqlite.js');
const dir = mkdtempSync(join(tmpdir(), 'cidgate-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A process that opens (and so migrates) `file` the moment it reads a line on stdin. */
function opener(file: string): { child: ChildProcess; ready: Promise<void>; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const { SqliteStore } = await import(${JSON.stringify(STORE_MODULE)});
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      const store = new SqliteStore(${JSON.stringify(file)});
      await store.close();
      process.exit(0);
    });
  `], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const ready = new Promise<void>((r) => child.stdout!.once('data', () => r()));
  const exit = new Promise<{ code: number | null; stderr: string }>((r) => child.once('close', (code) => r({ code, stderr })));
  return { child, ready, exit };
}

describe('opening a fresh database from several processes at once', () => {
  it('8 processes opening the same new file at the same instant all succeed, round after round', async () => {
    for (let round = 0; round < 5; round++) {
      const file = join(dir, `fresh-${round}.db`);
      const openers = Array.from({ length: 8 }, () => opener(file));
      await Promise.all(openers.map((o) => o.ready));
      for (const o of openers) o.child.stdin!.write('go\n');
      const exits = await Promise.all(openers.map((o) => o.exit));
      expect(exits.filter((e) => e.code !== 0), `round ${round}`).toEqual([]);
    }
  }, 120_000);
});
