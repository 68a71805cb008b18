import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

// Figures belong in the README, measured by `npm run bench`; CI only checks the benchmark still runs.
describe('npm run bench -- --quick', () => {
  it('runs every benchmark end to end and prints the table and the JSON', async () => {
    // Not spawnSync: a worker blocked for minutes misses vitest's RPC deadline ("Timeout calling onTaskUpdate").
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist', 'bench', 'run.js'), '--quick'], { timeout: 240_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/limit: bare SQLite transaction/);
    expect(r.stdout).toMatch(/engine \+ SQLite, [\d,]+ attempts, 1 in flight +\d+\/s \(\d+% of the limit\)/);
    expect(r.stdout).toMatch(/FastAGI, CPU per session +[\d.]+ ms \(baseline [\d.]+ ms\)/);
    expect(r.stdout).toMatch(/Event Socket, CPU per session +[\d.]+ ms/);
    expect(r.stdout).toMatch(/FastAGI, closed loop, 1000 sessions/);
    expect(r.stdout).toMatch(/Event Socket, open loop/);
    expect(r.stdout).toMatch(/HTTP API \(keep-alive\), closed loop, 50 in flight +\d+ decisions\/s, p99 [\d.]+ ms, errors 0/);
    const json = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.agi.cidgate.closed).toHaveLength(3);
    expect(json.agi.cidgate.cpuMsPerSession).toBeGreaterThan(0);
    expect(json.engine[0].percentOfLimit).toBeGreaterThan(0);
    // Its databases and configs are gone.
    const work = /working in (\S+)/.exec(r.stderr)![1]!;
    expect(existsSync(work)).toBe(false);
  }, 300_000);
});

describe('npm run bench -- --only', () => {
  const bench = (args: string[], interruptOn?: RegExp) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist', 'bench', 'run.js'), '--quick', ...args], { timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (interruptOn?.test(stderr)) child.kill('SIGINT');
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

  it('runs only the sections named', async () => {
    const r = await bench(['--only', 'decision']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/engine, pure decision/);
    expect(r.stdout).not.toMatch(/FastAGI|limit: bare SQLite/);
  }, 150_000);

  it('refuses an unknown section, naming the known ones', async () => {
    const r = await bench(['--only', 'decision,nope']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown section\(s\) nope: the sections are decision, store, agi/);
  }, 150_000);

  it('Ctrl-C in the middle of a section removes the temporary directory', async () => {
    const r = await bench(['--only', 'store'], /pre-filling/);
    expect(r.status).toBe(130);
    const work = /working in (\S+)/.exec(r.stderr)![1]!;
    expect(existsSync(work)).toBe(false);
  }, 150_000);
});
