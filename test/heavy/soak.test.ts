import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

describe('soak (short, bounded): faults under load, kill -9 included', () => {
  it('loses no acknowledged attempt and leaves a sound database', () => {
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist', 'bench', 'soak.js'), '--seconds', '8', '--concurrency', '20'], {
      encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.lost).toBe(0);
    expect(report.integrity).toBe('ok');
    expect(report.attemptsAcknowledged).toBeGreaterThan(100);
    expect(report.faults).toHaveLength(4);
  }, 90_000);
});
