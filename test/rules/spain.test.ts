import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ES_NUMBERING } from '../../src/numbers/es-numbering.js';
import { isMobileNumber } from '../../src/numbers/mobile.js';
import { parsePhone } from '../../src/numbers/phone.js';
import { configFrom, decideAt, runCli } from '../helpers.js';

/** A Spanish call center: owned fixed numbers, a prospecting and a service campaign. */
const SPANISH = `
country: ES
siteTimeZone: Europe/Madrid
ownedNumbers: ["+34 612 345 678"]
campaigns:
  ventas:
    purpose: prospecting
    dialing: automated
    basis: existing-contract
    pool: ["+34 912 345 678", "+34 932 345 678"]
  clientes:
    purpose: service
    dialing: manual
    pool: ["+34 912 345 679"]
`;
const spanish = () => configFrom(SPANISH);
const MONDAY = '2026-11-30T11:00:00+01:00';
const SATURDAY = '2026-11-28T11:00:00+01:00';

describe('country: ES, a second country end to end', () => {
  it('compiles without the French NPV checks: Spanish geographic numbers on an automated campaign', () => {
    expect(parseConfig(SPANISH, 'es.yaml', { lenient: true }).problems).toEqual([]);
  });

  it('the same config under country: FR is refused: automated French dialers present NPV numbers only', () => {
    const french = parseConfig(SPANISH.replace('country: ES', 'country: FR'), 'fr.yaml', { lenient: true }).problems;
    expect(french.filter((p) => p.level === 'error').map((p) => p.key)).toEqual(['campaigns.ventas.pool.0', 'campaigns.ventas.pool.1']);
  });

  it('a Spanish mobile caller ID on a prospecting call is rewritten to an owned fixed number', () => {
    const d = decideAt(MONDAY, { campaign: 'ventas', from: '+34 612 345 678', to: '+34 933 000 000' }, {}, spanish());
    expect(d).toMatchObject({ action: 'rewrite', reasons: ['mobile-caller-id'] });
    expect(['+34912345678', '+34932345678']).toContain(d.callerId);
  });

  it('the mobile ban starts on 2025-06-07 (an owned mobile was kept the day before)', () => {
    const before = decideAt('2025-06-06T11:00:00+02:00', { campaign: 'ventas', from: '+34 612 345 678', to: '+34 933 000 000' }, {}, spanish());
    expect(before).toMatchObject({ action: 'allow', callerId: '+34612345678' });
  });

  it('a mobile is replaced on a customer-service call too (art. 9.1), even an owned one; so is an unowned fixed number', () => {
    expect(decideAt(MONDAY, { campaign: 'clientes', from: '+34 612 345 678', to: '+34 933 000 000' }, {}, spanish()))
      .toMatchObject({ action: 'rewrite', callerId: '+34912345679', reasons: ['mobile-caller-id'] });
    expect(decideAt(MONDAY, { campaign: 'clientes', from: '+34 915 000 000', to: '+34 933 000 000' }, {}, spanish()))
      .toMatchObject({ action: 'rewrite', callerId: '+34912345679', reasons: ['caller-id-not-owned'] });
  });

  it('a French mobile is no caller ID for a Spanish prospecting call either', () => {
    expect(decideAt(MONDAY, { campaign: 'ventas', from: '+33 6 12 34 56 78', to: '+34 933 000 000' }, {}, spanish()).reasons)
      .toEqual(['mobile-caller-id', 'caller-id-not-owned']);
  });

  it('the pool number presented is the one closest to the callee: the same provincial prefix first', () => {
    const call = (to: string) => decideAt(MONDAY, { campaign: 'ventas', from: '+34 612 345 678', to }, {}, spanish()).callerId;
    expect(call('+34 933 000 000')).toBe('+34932345678'); // Barcelona callee: the Barcelona number
    expect(call('+34 915 000 000')).toBe('+34912345678'); // Madrid callee: the Madrid number
  });

  it('Spain\'s mobile blocks (6 and 7, allocated or not) come from its numbering table, with its source and date', () => {
    expect(ES_NUMBERING).toMatchObject({ mobile: ['6', '7'] });
    expect(ES_NUMBERING.source).toMatch(/Plan nacional de numeración/);
    expect(ES_NUMBERING.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.isFrozen(ES_NUMBERING) && Object.isFrozen(ES_NUMBERING.mobile)).toBe(true);
    for (const [n, mobile] of [['+34 612 345 678', true], ['+34 700 000 000', true], ['+34 912 345 678', false], ['+34 800 123 456', false]] as const) {
      expect(isMobileNumber(parsePhone(n)!), n).toBe(mobile);
    }
  });

  it('a mobile in a Spanish pool is a config error, whatever the campaign', () => {
    const yaml = `
country: ES
campaigns:
  ventas: { purpose: prospecting, dialing: manual, pool: ["+34 912 345 678", "+34 712 345 678"] }
  clientes: { purpose: service, dialing: manual, pool: ["+34 612 345 678"] }
`;
    const errors = parseConfig(yaml, 'es.yaml', { lenient: true }).problems.filter((p) => p.level === 'error');
    expect(errors.map((p) => p.key)).toEqual(['campaigns.ventas.pool.1', 'campaigns.clientes.pool.0']);
  });

  it('consumers are protected by their own country\'s rules: French hours for a French callee, Spanish ones for a Spanish one', () => {
    const config = spanish();
    expect(decideAt(SATURDAY, { campaign: 'ventas', from: null, to: '+34 933 000 000', consent: true }, {}, config))
      .toMatchObject({ action: 'block', reasons: ['outside-calling-hours'] });
    expect(decideAt(SATURDAY, { campaign: 'ventas', from: null, to: '+33 1 45 67 89 01' }, {}, config))
      .toMatchObject({ action: 'block', reasons: ['outside-calling-hours'] });
  });
});

describe('cidgate check with a Spanish config', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cidgate-es-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('rewrites a Spanish mobile caller ID and exits 0', async () => {
    const config = join(dir, 'es.yaml');
    writeFileSync(config, SPANISH);
    const r = await runCli(['check', '--config', config, '--db', join(dir, 'es.db'), '--campaign', 'ventas',
      '--from', '+34 612 345 678', '--to', '+34 933 000 000', '--consent', '--at', MONDAY, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'rewrite', reasons: ['mobile-caller-id'] });
  });

  it('config check accepts it', async () => {
    const config = join(dir, 'es.yaml');
    writeFileSync(config, SPANISH);
    expect((await runCli(['config', 'check', config])).code).toBe(0);
  });
});
