import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliErrorCode, runCli } from '../helpers.js';
import { parseCsv } from '../../src/cli/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'cidgate-attempts-'));
const db = join(dir, 'a.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], tty = false) => runCli(args, tty);

beforeAll(async () => {
  const check = (to: string, at: string, ...more: string[]) =>
    cli(['check', '--to', to, '--from', '0612345678', '--at', at, '--record', '--db', db, ...more]);
  await check('0262123456', '2026-11-30T11:00:00+04:00', '--campaign', 'prospecting', '--consent', 'web-form-7');
  await check('0145678901', '2026-11-30T11:00:00+01:00', '--campaign', 'prospecting', '--consent', '--consent-anytime');
  await check('0145678901', '2026-11-30T21:00:00+01:00', '--campaign', 'prospecting');
  await check('0472123456', '2026-12-01T11:00:00+01:00', '--campaign', 'customer');
});

describe('cidgate attempts', () => {
  it('--csv: the consent reference, the exemption, the area and its time zone, field by field', async () => {
    const r = await cli(['attempts', '--csv', '--db', db]);
    const [header, ...rows] = parseCsv(r.out);
    expect(header!.slice(-5)).toEqual(['consent_ref', 'consent_anytime', 'area', 'time_zone', 'without_history']);
    const row = (i: number) => Object.fromEntries(header!.map((h, k) => [h, rows[i]![k]]));
    expect(row(0)).toMatchObject({
      id: '1', at: '2026-11-30T07:00:00.000Z', campaign: 'prospecting', callee: '+262262123456', action: 'rewrite',
      presented_caller_id: '+33947800001', counted: '1', consent_ref: 'web-form-7', consent_anytime: '0', area: 'RE', time_zone: 'Indian/Reunion',
    });
    expect(row(1)).toMatchObject({ consent_ref: 'asserted-by-dialer', consent_anytime: '1', area: 'zone 1', time_zone: 'Europe/Paris' });
    expect(row(2)).toMatchObject({ action: 'block', counted: '0', consent_ref: '', reasons: 'outside-calling-hours,no-consent' });
    expect(row(3)).toMatchObject({ campaign: 'customer', area: 'zone 4', consent_ref: '' });
  });

  it('--until (exclusive), --campaign and --action filter', async () => {
    const ids = async (...args: string[]) => (await cli(['attempts', '--db', db, ...args])).out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).id);
    expect(await ids('--until', '2026-11-30T10:00:00Z')).toEqual([1]);
    expect(await ids('--since', '2026-11-30T10:00:00Z', '--until', '2026-12-01T10:00:00Z')).toEqual([2, 3]);
    expect(await ids('--campaign', 'customer')).toEqual([4]);
    expect(await ids('--action', 'block')).toEqual([3]);
    expect(await ids('--campaign', 'prospecting', '--action', 'rewrite')).toEqual([1, 2]);
    const bad = await cli(['attempts', '--db', db, '--action', 'maybe']);
    expect([bad.code, cliErrorCode(bad)]).toEqual([2, 'BAD_OPTION']);
    expect(bad.err).toContain('allow, rewrite, block'); // the message lists the actions there are
  });

  it('a terminal gets a table with times in the site\'s time zone; --json keeps JSON lines', async () => {
    const r = await cli(['attempts', '--db', db], true);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+ID\s+WHEN\s+CAMPAIGN\s+ACTION\s+CALLEE\s+AREA\s+CALLER ID\s+REASONS\s+OUTCOME\s+\(times: Europe\/Paris\)$/);
    expect(lines[3]).toMatch(/^\s+3\s+2026-11-30 21:00\s+prospecting\s+block\s+\+33145678901\s+zone 1\s+—\s+outside-calling-hours, no-con…$/);
    expect(lines).toHaveLength(5);
    expect(JSON.parse((await cli(['attempts', '--db', db, '--json'], true)).out.split('\n')[0]!).id).toBe(1);
  });
});
