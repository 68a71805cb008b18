import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** A benchmark script run with `args`: it must answer at once, never start a run. */
const script = (name: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist', name), ...args], { encoding: 'utf8', timeout: 15_000 });

describe('benchmark scripts read their options strictly', () => {
  it.each(['bench/run.js', 'bench/soak.js', 'bench/steady.js', 'bench/kamailio.js', 'bench/pg-drivers.js', 'tools/fuzz.js'])(
    '%s --help prints its usage and exits 0 without running',
    (name) => {
      const r = script(name, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: /);
    });

  it('an unknown option exits 2 with the usage (npm run bench -- --help once started the whole 10-minute bench)', () => {
    const r = script('bench/run.js', '--qiuck');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--qiuck'");
    expect(r.stderr).toContain('usage: npm run bench');
  });

  it('a number that is not one exits 2 naming the option', () => {
    const r = script('bench/steady.js', '--rate', 'fast');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--rate must be a number');
    expect(script('bench/soak.js', '--concurrency', '0').status).toBe(2);
    expect(script('tools/fuzz.js', '--cases').status).toBe(2);
  });
});
