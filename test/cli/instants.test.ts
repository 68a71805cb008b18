import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { EXAMPLE_CONFIG } from '../../src/paths.js';
import { localTime } from '../../src/time/zoned.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'cidgate.js');
const tmp = mkdtempSync(join(tmpdir(), 'cidgate-at-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The built CLI on a host whose own time zone is `hostTz`. */
function cidgate(hostTz: string, ...args: string[]) {
  const dir = mkdtempSync(join(tmp, 'run-'));
  const r = spawnSync(process.execPath, [BIN, ...args, '--db', join(dir, 'at.db')], { encoding: 'utf8', env: { ...process.env, TZ: hostTz } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--at without an offset is the site\'s wall clock, whatever the host\'s time zone', () => {
  it.each(['UTC', 'Pacific/Auckland'])('on a %s host, Monday 09:30 (Paris) is before the window opens at 10:00', (hostTz) => {
    const r = cidgate(hostTz, 'check', '--to', '0145678901', '--campaign', 'prospecting', '--consent', '--at', '2026-11-30T09:30', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'block', reasons: ['outside-calling-hours'], at: '2026-11-30T08:30:00.000Z', retryAt: '2026-11-30T09:00:00.000Z' });
  });

  it('the site is the config\'s siteTimeZone: 10:30 in La Réunion is 07:30 in Paris', () => {
    const dir = mkdtempSync(join(tmp, 'run-'));
    const config = join(dir, 'reunion.yaml');
    writeFileSync(config, readFileSync(EXAMPLE_CONFIG, 'utf8').replace('siteTimeZone: Europe/Paris', 'siteTimeZone: Indian/Reunion'));
    const r = cidgate('UTC', 'check', '--config', config, '--to', '0145678901', '--campaign', 'prospecting', '--consent', '--at', '2026-11-30T10:30', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ action: 'block', reasons: ['outside-calling-hours'], at: '2026-11-30T06:30:00.000Z' });
  });

  it('says so in --help', () => {
    expect(cidgate('UTC', 'check', '--help').out.replace(/\s+/g, ' ')).toMatch(/without an offset .* siteTimeZone/);
  });

  it('an impossible date is refused (exit 2, one line), not rolled over to March', () => {
    const r = cidgate('UTC', 'check', '--to', '0145678901', '--at', '2026-02-30T11:00Z');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('cidgate: BAD_OPTION: --at: "2026-02-30T11:00Z" is not a real instant (2026-02 has 28 days)');
  });
});

describe('batch lines', () => {
  it('read `at` like --at: an offset-less time is the site\'s, an impossible date is that line\'s error', async () => {
    const dir = mkdtempSync(join(tmp, 'run-'));
    const file = join(dir, 'calls.jsonl');
    writeFileSync(file, [
      { to: '0145678901', at: '2026-11-30T09:30', consent: true }, { to: '0145678901', at: '2026-02-30T11:00', consent: true },
      { to: '0145678901', at: '2026-11-30T10:30', consent: true },
    ].map((l) => JSON.stringify(l)).join('\n'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => { text += d; });
    expect(await main(['node', 'cidgate', 'check', '--batch', file, '--campaign', 'prospecting', '--db', join(dir, 'b.db')], out, new PassThrough())).toBe(0);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ line: 1, action: 'block', at: '2026-11-30T08:30:00.000Z' });
    expect(lines[1]).toEqual({ line: 2, code: 'BAD_INPUT', field: 'at', error: 'at: "2026-02-30T11:00" is not a real instant (2026-02 has 28 days)' });
    expect(lines[2]).toMatchObject({ line: 3, action: 'rewrite', at: '2026-11-30T09:30:00.000Z' });
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-02-30T11:00Z', /2026-02 has 28 days/], ['2026-02-29', /28 days/], ['2026-04-31T10:00+02:00', /30 days/],
    ['2026-13-01T10:00Z', /no month 13/], ['2026-00-10', /no month 0/], ['2026-11-30T24:30', /hours run/],
    ['2026-11-30T24:00Z', /hours run/], ['2026-11-30T10:60Z', /hours run/], ['2026-11-30T10:00:60Z', /hours run/],
    ['2026-11-30T10:00+24:00', /no time zone/], ['2026-11-30T10:00+01:75', /no time zone/], ['tomorrow', /ISO-8601/],
    ['2026-11-30T10', /ISO-8601/],
  ])('refuses %s', (text, why) => {
    expect(() => parseInstant(text, '--at', 'Europe/Paris')).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(why) }));
  });

  it.each([
    ['2028-02-29T11:00Z', '2028-02-29T11:00:00.000Z'], ['2026-11-30T11:00:00+01:00', '2026-11-30T10:00:00.000Z'],
    ['2026-11-30T11:00+0100', '2026-11-30T10:00:00.000Z'], ['2026-11-30 11:00', '2026-11-30T10:00:00.000Z'],
    ['2026-07-14T11:00', '2026-07-14T09:00:00.000Z'], ['2026-11-30', '2026-11-29T23:00:00.000Z'],
    ['2026-11-30T11:00:05.250', '2026-11-30T10:00:05.250Z'], ['2026-11-30t11:00z', '2026-11-30T11:00:00.000Z'],
  ])('reads %s as %s (site Europe/Paris)', (text, iso) => {
    expect(parseInstant(text, '--at', 'Europe/Paris').toISOString()).toBe(iso);
  });

  it('reads every offset-less wall-clock time as that time in the site\'s zone (property)', () => {
    const zones = fc.constantFrom('Europe/Paris', 'Indian/Reunion', 'America/Cayenne', 'UTC');
    const instant = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
    fc.assert(fc.property(zones, instant, (tz, at) => {
      const t = localTime(at, tz);
      const pad = (n: number) => String(n).padStart(2, '0');
      const text = `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;
      expect(localTime(parseInstant(text, 'at', tz), tz)).toEqual(t);
    }), { numRuns: 1000 });
  });
});
