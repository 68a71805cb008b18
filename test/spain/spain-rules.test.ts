import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { formatNumber, parsePhone } from '../../src/numbers/phone.js';
import { calleeArea } from '../../src/numbers/area.js';
import { decideAt, runCli } from '../helpers.js';

const EXAMPLE = 'config/cidgate.es.example.yaml';
const es = loadConfig(EXAMPLE).config;
const MADRID = '+34 915 000 000';
const LAS_PALMAS = '+34 928 500 000';
const VALENCIA = '+34 963 000 000';
const MURCIA = '+34 968 000 000';
const manual = (at: string, to: string, extra: object = {}) =>
  decideAt(at, { campaign: 'prospecting-manual', from: null, to, consent: true, ...extra }, {}, es);

describe('numbers on an ES site', () => {
  it('reads 9-digit national, 0034/+34 and 34… numbers as Spanish; a French national spelling is invalid', () => {
    for (const n of ['911234567', '0034911234567', '+34 91 123 45 67', '34911234567']) expect(parsePhone(n, 'ES')?.e164, n).toBe('+34911234567');
    expect(parsePhone('0612345678', 'ES')).toBeNull();
    expect(parsePhone('0612345678')?.e164).toBe('+33612345678'); // France unchanged
  });
  it('writes a Spanish number nationally as its nine digits', () => {
    expect(formatNumber('+34912345678', 'national')).toBe('912345678');
    expect(formatNumber('+33145678901', 'national')).toBe('0145678901');
  });
  it('gives the callee its community and time zone: Madrid Europe/Madrid, Las Palmas Atlantic/Canary, a mobile unknown', () => {
    expect(calleeArea(parsePhone(MADRID)!)).toMatchObject({ country: 'ES', timeZone: 'Europe/Madrid', holidayRegion: 'ES-MD' });
    expect(calleeArea(parsePhone(LAS_PALMAS)!)).toMatchObject({ timeZone: 'Atlantic/Canary', holidayRegion: 'ES-CN' });
    expect(calleeArea(parsePhone('+34 612 345 678')!)).toMatchObject({ timeZone: 'Europe/Madrid', holidayRegion: 'ES' });
  });
});

describe('the three defects, through the gateway', () => {
  const MONDAY = '2026-11-30T11:00:00+01:00';
  it('a national Madrid callee is decided, an agent\'s national mobile is recognised, French spellings are invalid', () => {
    const d = manual(MONDAY, '911234567', { from: '612345678' });
    expect(d).toMatchObject({ action: 'rewrite', callee: '+34911234567', originalCallerId: '+34612345678' });
    expect(d.reasons).toContain('mobile-caller-id');
    expect(d.area?.timeZone).toBe('Europe/Madrid');
    expect(manual(MONDAY, '0145678901', { from: '0612345678' })).toMatchObject({ action: 'block', reasons: ['invalid-number'], originalCallerId: null });
  });
});

describe('TRLGDCU art. 96.2: Mon–Fri 09:00–21:00 in the consumer\'s zone', () => {
  it('opens at 09:00:00 and closes at 21:00:00 in Madrid', () => {
    expect(manual('2026-11-30T08:59:59+01:00', MADRID)).toMatchObject({ action: 'block', reasons: ['outside-calling-hours'] });
    expect(manual('2026-11-30T08:59:59+01:00', MADRID).retryAt?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(manual('2026-11-30T09:00:00+01:00', MADRID).action).toBe('rewrite');
    expect(manual('2026-11-30T20:59:59+01:00', MADRID).action).toBe('rewrite');
    expect(manual('2026-11-30T21:00:00+01:00', MADRID).reasons).toEqual(['outside-calling-hours']);
  });
  it('in Las Palmas an hour later by the peninsula\'s clock', () => {
    expect(manual('2026-11-30T08:59:59+00:00', LAS_PALMAS).reasons).toEqual(['outside-calling-hours']);
    expect(manual('2026-11-30T09:00:00+00:00', LAS_PALMAS).action).toBe('rewrite');
    expect(manual('2026-11-30T20:59:59+00:00', LAS_PALMAS).action).toBe('rewrite');
    expect(manual('2026-11-30T21:00:00+00:00', LAS_PALMAS).reasons).toEqual(['outside-calling-hours']);
  });
  it('across both DST changes (2026-03-29, 2026-10-25)', () => {
    expect(manual('2026-03-30T06:59:59Z', MADRID).reasons).toEqual(['outside-calling-hours']);
    expect(manual('2026-03-30T07:00:00Z', MADRID).action).toBe('rewrite');
    expect(manual('2026-03-30T07:59:59Z', LAS_PALMAS).reasons).toEqual(['outside-calling-hours']);
    expect(manual('2026-03-30T08:00:00Z', LAS_PALMAS).action).toBe('rewrite');
    expect(manual('2026-10-26T07:59:59Z', MADRID).reasons).toEqual(['outside-calling-hours']);
    expect(manual('2026-10-26T08:00:00Z', MADRID).action).toBe('rewrite');
    expect(manual('2026-10-26T09:00:00Z', LAS_PALMAS).action).toBe('rewrite');
  });
  it('never on a Saturday, retry Monday 09:00; no consent to be called anytime lifts it', () => {
    const d = manual('2026-11-28T11:00:00+01:00', MADRID, { consentAnytime: true });
    expect(d.reasons).toEqual(['outside-calling-hours']);
    expect(d.retryAt?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });
  it('a service call is not a commercial call', () => {
    expect(decideAt('2026-11-28T23:00:00+01:00', { campaign: 'customer', from: null, to: MADRID }, {}, es).action).toBe('rewrite');
  });
});

describe('holidays: national and the callee\'s community', () => {
  it('8 December 2026 (national) blocks every callee', () => {
    expect(manual('2026-12-08T11:00:00+01:00', MADRID).reasons).toEqual(['public-holiday']);
  });
  it('19 March 2026 (San José) in Valencia, not in Madrid; 9 June 2026 (override) in Murcia, not in Madrid', () => {
    expect(manual('2026-03-19T11:00:00+01:00', VALENCIA).reasons).toEqual(['public-holiday']);
    expect(manual('2026-03-19T11:00:00+01:00', MADRID).action).toBe('rewrite');
    expect(manual('2026-06-09T11:00:00+02:00', MURCIA).reasons).toEqual(['public-holiday']);
    expect(manual('2026-06-09T11:00:00+02:00', MADRID).action).toBe('rewrite');
  });
  it('a mobile callee gets every community\'s holidays by default, the national ones with unknownRegionHolidays: national', () => {
    expect(manual('2026-03-19T11:00:00+01:00', '+34 612 345 678').reasons).toEqual(['public-holiday']);
    const national = parseConfig(`country: ES\nunknownRegionHolidays: national\ncampaigns:\n  p: { purpose: prospecting, dialing: manual, pool: ["+34 910 000 002"] }\n`, 'n.yaml').config;
    expect(decideAt('2026-03-19T11:00:00+01:00', { campaign: 'p', from: null, to: '+34 612 345 678', consent: true }, {}, national).action).toBe('rewrite');
  });
});

describe('consent (Ley 11/2022 art. 66.1.b, TRLGDCU art. 96.3) and the Robinson list', () => {
  const MONDAY = '2026-11-30T11:00:00+01:00';
  const at = new Date(MONDAY);
  it('missing: blocked; given or on record: allowed; revoked (no longer on record): blocked', () => {
    expect(manual(MONDAY, MADRID, { consent: null })).toMatchObject({ action: 'block', reasons: ['no-consent'], retryAt: null });
    expect(manual(MONDAY, MADRID).action).toBe('rewrite');
    const onRecord = decideAt(MONDAY, { campaign: 'prospecting-manual', from: null, to: MADRID, consent: null }, { consent: { at, source: 'web', anytime: false } }, es);
    expect(onRecord.action).toBe('rewrite');
    expect(decideAt(MONDAY, { campaign: 'prospecting-manual', from: null, to: MADRID, consent: null }, { consent: null }, es).reasons).toEqual(['no-consent']);
  });
  it('an existing contract exempts a manual campaign, never an automated one', () => {
    const yaml = `country: ES\ncampaigns:\n  m: { purpose: prospecting, dialing: manual, basis: existing-contract, pool: ["+34 910 000 002"] }\n  a: { purpose: prospecting, dialing: automated, basis: existing-contract, pool: ["+34 910 000 001"] }\n`;
    const config = parseConfig(yaml, 'c.yaml').config;
    expect(decideAt(MONDAY, { campaign: 'm', from: null, to: MADRID, consent: null }, {}, config).action).toBe('rewrite');
    expect(decideAt(MONDAY, { campaign: 'a', from: null, to: MADRID, consent: null }, {}, config).reasons).toEqual(['no-consent']);
  });
  it('a consumer on the Robinson list is not prospected (once, Spain\'s own rule)', () => {
    expect(decideAt(MONDAY, { campaign: 'prospecting-manual', from: null, to: MADRID, consent: true }, { doNotCall: true }, es).reasons).toEqual(['do-not-call']);
  });
});

describe('pools and the example config', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cidgate-es-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('refuses a 902 or 80x number in a Spanish pool; accepts geographic, 800 and 900', () => {
    const yaml = `country: ES\ncampaigns:\n  p: { purpose: prospecting, dialing: manual, pool: ["+34 902 000 000", "+34 806 000 000", "+34 800 000 000", "+34 928 000 000"] }\n`;
    const errors = parseConfig(yaml, 'p.yaml', { lenient: true }).problems.filter((p) => p.level === 'error');
    expect(errors.map((p) => p.key)).toEqual(['campaigns.p.pool.0', 'campaigns.p.pool.1']);
    expect(errors[0]!.message).toMatch(/Orden TDF\/149\/2025/);
  });
  it('config check on the example is clean, and cidgate check decides with it', async () => {
    expect(await runCli(['config', 'check', EXAMPLE])).toMatchObject({ code: 0 });
    const r = await runCli(['check', '--config', EXAMPLE, '--db', join(dir, 'es.db'), '--campaign', 'prospecting-manual',
      '--from', '612345678', '--to', '928123456', '--consent', '--at', '2026-11-30T09:30:00+01:00', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'block', reasons: ['outside-calling-hours'], callee: '+34928123456', originalCallerId: '+34612345678' });
  });
});
