import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatInstant, formatTableTime } from '../../src/time/display.js';
import { runCli } from '../helpers.js';

const PARIS = 'Europe/Paris';

describe('an instant shown to a person', () => {
  it('is the site\'s wall clock with the zone\'s name, the year only when it is not the reference\'s', () => {
    const monday10 = new Date('2026-11-30T09:00:00Z');
    expect(formatInstant(monday10, PARIS, { near: new Date('2026-11-28T12:00:00Z') })).toBe('Mon 30 Nov 10:00 (Europe/Paris)');
    expect(formatInstant(monday10, PARIS, { near: new Date('2025-12-31T12:00:00Z') })).toBe('Mon 30 Nov 2026 10:00 (Europe/Paris)');
    expect(formatInstant(monday10, PARIS)).toBe('Mon 30 Nov 2026 10:00 (Europe/Paris)');
  });

  it('follows summer time: 08:00 UTC is 10:00 in Paris at the end of March', () => {
    expect(formatInstant(new Date('2026-03-30T08:00:00Z'), PARIS)).toBe('Mon 30 Mar 2026 10:00 (Europe/Paris)');
    // The first minute after clocks go forward (02:00 does not exist on 29 March 2026).
    expect(formatInstant(new Date('2026-03-29T01:00:00Z'), PARIS)).toBe('Sun 29 Mar 2026 03:00 (Europe/Paris)');
  });

  it('adds the offset in the hour that happens twice when clocks go back', () => {
    expect(formatInstant(new Date('2026-10-25T00:30:00Z'), PARIS)).toBe('Sun 25 Oct 2026 02:30 (Europe/Paris, UTC+02:00)');
    expect(formatInstant(new Date('2026-10-25T01:30:00Z'), PARIS)).toBe('Sun 25 Oct 2026 02:30 (Europe/Paris, UTC+01:00)');
    expect(formatInstant(new Date('2026-10-25T02:30:00Z'), PARIS)).toBe('Sun 25 Oct 2026 03:30 (Europe/Paris)');
    expect(formatInstant(new Date('2026-10-24T23:30:00Z'), PARIS)).toBe('Sun 25 Oct 2026 01:30 (Europe/Paris)');
  });

  it('gives an overseas callee\'s own clock in brackets, with the day when it differs', () => {
    const at = new Date('2026-11-30T14:00:00Z');
    expect(formatInstant(at, PARIS, { alsoIn: 'America/Guadeloupe' })).toBe('Mon 30 Nov 2026 15:00 (Europe/Paris; 10:00 in America/Guadeloupe)');
    expect(formatInstant(new Date('2026-11-30T02:00:00Z'), PARIS, { alsoIn: 'America/Guadeloupe' }))
      .toBe('Mon 30 Nov 2026 03:00 (Europe/Paris; Sun 29 Nov 22:00 in America/Guadeloupe)');
    // A callee on the site's clock adds nothing, whatever the zone's name.
    expect(formatInstant(at, PARIS, { alsoIn: PARIS })).toBe('Mon 30 Nov 2026 15:00 (Europe/Paris)');
    expect(formatInstant(at, PARIS, { alsoIn: 'Europe/Brussels' })).toBe('Mon 30 Nov 2026 15:00 (Europe/Paris)');
  });

  it('is compact in a table whose header names the zone', () => {
    expect(formatTableTime(new Date('2026-07-01T08:05:00Z'), PARIS)).toBe('2026-07-01 10:05');
  });
});

describe('the CLI shows instants on the site\'s clock; --json keeps ISO instants', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cidgate-display-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'display.db');
  const check = (to: string, at: string, ...more: string[]) =>
    runCli(['check', '--to', to, '--campaign', 'prospecting', '--consent', '--at', at, '--db', db, ...more]);

  it('check: a block across the change to summer time says when, in Paris', async () => {
    const r = await check('0145678901', '2026-03-28T21:00');
    expect(r.out.trim()).toBe('block: outside-calling-hours; allowed from Mon 30 Mar 10:00 (Europe/Paris)');
    expect(JSON.parse((await check('0145678901', '2026-03-28T21:00', '--json')).out).retryAt).toBe('2026-03-30T08:00:00.000Z');
  });

  it('check: an overseas callee\'s retry is on the site\'s clock, the callee\'s in brackets', async () => {
    // 13:30 in Paris is 08:30 in Guadeloupe: the window opens at 10:00 there, 15:00 in Paris.
    const r = await check('0590123456', '2026-11-30T13:30');
    expect(r.out.trim()).toBe('block: outside-calling-hours; allowed from Mon 30 Nov 15:00 (Europe/Paris; 10:00 in America/Guadeloupe)');
  });

  it('refuse and consent confirm the instant recorded', async () => {
    const refused = await runCli(['refuse', '0145670003', '--at', '2026-11-02T09:15', '--db', db]);
    expect(refused.out).toMatch(/^refusal recorded for \+33145670003 on Mon 2 Nov 2026 09:15 \(Europe\/Paris\): /);
    const given = await runCli(['consent', 'add', '0145670003', '--at', '2026-10-25T02:30+01:00', '--db', db]);
    expect(given.out.trim()).toBe('consent recorded for +33145670003, given Sun 25 Oct 2026 02:30 (Europe/Paris, UTC+01:00)');
    const revoked = await runCli(['consent', 'revoke', '0145670003', '--at', '2026-11-03T18:00', '--db', db]);
    expect(revoked.out.trim()).toBe('consent revoked for +33145670003 from Tue 3 Nov 2026 18:00 (Europe/Paris)');
  });
});
