import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'cidgate.js');
const dir = mkdtempSync(join(tmpdir(), 'cidgate-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a reader that stops early (`| head -3`)', () => {
  it('check --batch --record exits 0 without a stack trace and stops deciding soon after', async () => {
    const input = join(dir, 'calls.jsonl');
    const db = join(dir, 'pipe.db');
    writeFileSync(input, Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ campaign: 'customer', from: '0612345678', to: `01456${String(i).padStart(5, '0')}` })).join('\n'));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" check --batch "${input}" --record --db "${db}" | head -3; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stderr.trim()).toBe('status 0');
    const store = new SqliteStore(db);
    let recorded = 0;
    for await (const _ of store.attempts({})) recorded++;
    await store.close();
    // Lines already in the pipe when head exited are recorded (see README); the rest of the 3,000 are not.
    expect(recorded).toBeGreaterThanOrEqual(3);
    expect(recorded).toBeLessThan(1000);
  });

  it('attempts stops quietly too', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" attempts --db "${join(dir, 'pipe.db')}" | head -1; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toBe('status 0');
  });
});
