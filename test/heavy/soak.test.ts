import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

describe('soak (short, bounded): faults under load, kill -9 included, then a full disk when root', () => {
  it('loses no acknowledged attempt, outcome or decision, and leaves a sound database', () => {
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist', 'bench', 'soak.js'), '--seconds', '8', '--concurrency', '20'], {
      encoding: 'utf8', timeout: 150_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ lost: 0, integrity: 'ok', outcomesDuringLock: { lost: 0 }, storeOutage: { missingFromAuditTrail: 0 } });
    expect(report.attemptsAcknowledged).toBeGreaterThan(100);
    expect(report.faults).toHaveLength(4);
    if ('skipped' in report.diskFull) return;
    expect(report.diskFull.lost).toBe(0);
    expect(report.diskFull.events.diskFull).toBeGreaterThanOrEqual(1); // logged, and its end too
    expect(report.diskFull.events.ended).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
