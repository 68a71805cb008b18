import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hasProgram } from '../../bench/kamailio-lab.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { describeIfAvailable } from '../requires.js';

const describeWithKamailio = describeIfAvailable('Kamailio and SIPp', hasProgram('kamailio') && hasProgram('sipp'),
  'apt-get install kamailio kamailio-extra-modules kamailio-utils-modules sip-tester (or run bash .ci/run)');

// Figures belong in the README, measured by `npm run bench:kamailio`; CI only checks the benchmark still runs.
describeWithKamailio('npm run bench:kamailio -- --quick', () => {
  it('ramps SIPp through Kamailio alone, with cidgate async and with cidgate over HTTP, and prints the three', () => {
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist', 'bench', 'kamailio.js'), '--quick'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sustained calls\/s: baseline \d+, async \d+, http \d+/);
    const json = JSON.parse(r.stdout.trim().split('\n').pop()!);
    for (const c of ['async', 'http']) {
      expect(json.steps[c]).toHaveLength(json.steps.baseline.length);
      expect(json.steps[c][0].answered).toBeGreaterThan(0);
    }
  }, 150_000);
});
