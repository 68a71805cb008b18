import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calleeArea } from '../src/numbers/area.js';
import { isFrenchMobile, npvArea, NPV_PREFIX_LIST, overseasCountryCode } from '../src/numbers/france.js';
import { FR_NUMBERING } from '../src/numbers/fr-numbering.js';
import { parsePhone } from '../src/numbers/phone.js';
import { npvForAutomated } from '../src/rules/fr/caller-id.js';
import { LOCAL_HOLIDAYS } from '../src/rules/fr/local-holidays.js';

describe('parsePhone: any usual spelling', () => {
  it.each([
    ['01 45 67 89 01'], ['01.45.67.89.01'], ['0145678901'], ['+33 1 45 67 89 01'], ['+33145678901'],
    ['0033 1 45 67 89 01'], ['33145678901'], ['01-45-67-89-01'], ['(01) 45 67 89 01'], [' 01 45 67 89 01 '],
  ])('%s is +33145678901', (text) => {
    expect(parsePhone(text)).toEqual({ e164: '+33145678901', countryCode: '33', national: '0145678901' });
  });

  it.each([
    ['', 'empty'], ['+', 'only +'], ['abc', 'letters'], ['01 45 AB 89 01', 'letters inside'],
    ['012345678901234567890123456789', '30 digits'], ['0145', 'too short'], ['anonymous', 'anonymous'],
    ["0145678901'; DROP TABLE decisions;--", 'SQL'], ['unknown', 'unknown'], ['00', 'just 00'],
    ['0045678901', 'national with a 0 second digit'],
  ])('rejects %s (%s)', (text) => {
    expect(parsePhone(text)).toBeNull();
  });

  it.each([
    ['+33 (0)4 72 12 34 56'], ['+33(0)472123456'], ['+33 (0) 4.72.12.34.56'], ['0033 (0)4 72 12 34 56'],
    ['00 33 (0)4 72 12 34 56'], ['+330472123456'], ['+33 0 4 72 12 34 56'], ['0033 0472123456'],
    ['tel:+33472123456'], ['tel:+33-4-72-12-34-56'], ['TEL:+33472123456'], ['tel:+33472123456;phone-context=+33'],
    ['tel:0472123456'], ['tel:+33(0)472123456'],
  ])('the usual French spelling %s is +33472123456', (text) => {
    expect(parsePhone(text)).toEqual({ e164: '+33472123456', countryCode: '33', national: '0472123456' });
  });

  it.each([
    ['+33 00 4 72 12 34 56', 'two trunk zeros'], ['+33 (0)0 4 72 12 34 56', 'a trunk 0 in parentheses and another'],
    ['+33 (0)4 72 12 34 5', 'one digit short'], ['+33 (0)4 72 12 34 567', 'one digit long'],
    ['+33 (1)4 72 12 34 56', 'a digit other than the trunk 0 in parentheses'], ['33 (0)4 72 12 34 56', 'no + or 00'],
    ['tel:+33472123456;ext=12', 'an extension'], ['tel:+33472123456;isub=1', 'a sub-address'], ['tel:', 'an empty tel: URI'],
    ['tel:anonymous', 'not a number'], ['+33 0 62 00 00 01', 'a 0 before nine digits'],
  ])('still refuses %s (%s)', (text) => {
    expect(parsePhone(text)).toBeNull();
  });

  it('reads +44 (0)20… the usual way too: the trunk 0 after any country code', () => {
    expect(parsePhone('+44 (0)20 7946 0958')?.e164).toBe('+442079460958');
  });

  it('gives every usual spelling of a French-plan number the same Phone (property)', () => {
    const national = fc.stringMatching(/^0[1-59]\d{8}$/).filter((n) => parsePhone(n) !== null);
    const sep = fc.constantFrom('', ' ', '.', '-', '\u00a0');
    fc.assert(fc.property(national, sep, fc.integer({ min: 0, max: 6 }), (n, s, form) => {
      const rest = n.slice(1);
      const grouped = (digits: string) => digits.replace(/(\d\d)(?=\d)/g, `$1${s}`);
      const spelled = [
        `+33${s}(0)${grouped(rest)}`, `0033${s}(0)${grouped(rest)}`, `+33${s}0${s}${grouped(rest)}`, `+330${rest}`,
        `tel:+33${rest}`, `0033${s}0${grouped(rest)}`, grouped(n),
      ][form]!;
      expect(parsePhone(spelled), spelled).toEqual(parsePhone(n));
    }), { numRuns: 2000 });
  });

  it('never reads two trunk zeros or a wrong length as a number (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[1-9]\d{0,10}$/), fc.constantFrom('+33 00', '+33 (0)0', '0033 00', '+33 (0)'), (digits, prefix) => {
      const text = `${prefix}${digits}`;
      const p = parsePhone(text);
      if (prefix === '+33 (0)' && digits.length === 9) expect(p?.national).toBe(`0${digits}`);
      else expect(p, text).toBeNull();
    }), { numRuns: 1000 });
  });

  it('maps overseas national prefixes to their own country codes, never +33', () => {
    const cases: [string, string][] = [
      ['0262 12 34 56', '+262262123456'], ['0263 12 34 56', '+262263123456'],
      ['0692 12 34 56', '+262692123456'], ['0693 12 34 56', '+262693123456'],
      ['0269 61 23 45', '+262269612345'], ['0639 12 34 56', '+262639123456'],
      ['0590 12 34 56', '+590590123456'], ['0690 12 34 56', '+590690123456'], ['0691 12 34 56', '+590691123456'],
      ['0594 12 34 56', '+594594123456'], ['0694 12 34 56', '+594694123456'],
      ['0596 12 34 56', '+596596123456'], ['0696 12 34 56', '+596696123456'], ['0697 12 34 56', '+596697123456'],
      ['0508 41 23 45', '+508412345'],
    ];
    for (const [national, e164] of cases) {
      expect(parsePhone(national)?.e164, national).toBe(e164);
      expect(parsePhone(e164)?.national, e164).toBe(national.replace(/ /g, ''));
    }
  });

  it('repairs +33 spellings of overseas numbers', () => {
    expect(parsePhone('+33262123456')?.e164).toBe('+262262123456');
    expect(parsePhone('+33596123456')?.e164).toBe('+596596123456');
  });

  it('rejects an overseas number under the wrong calling code', () => {
    expect(parsePhone('+590262123456')).toBeNull();
  });

  it('parses foreign numbers', () => {
    expect(parsePhone('+34 612 34 56 78')?.e164).toBe('+34612345678');
    expect(parsePhone('0044 20 7946 0958')?.e164).toBe('+442079460958');
  });

  it('never throws and returns a consistent Phone for any input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
      const p = parsePhone(s);
      if (p) {
        expect(p.e164).toMatch(/^\+\d{6,15}$/);
        expect(parsePhone(p.e164)).toEqual(p);
      }
    }), { numRuns: 2000 });
  });

  it('round-trips every French-plan national number through E.164', () => {
    fc.assert(fc.property(fc.stringMatching(/^0[1-79]\d{8}$/), (national) => {
      const p = parsePhone(national);
      if (national.startsWith('0508') && p) expect(p.e164.startsWith('+508')).toBe(true);
      if (p) expect(parsePhone(p.e164)?.national).toBe(p.national);
    }), { numRuns: 2000 });
  });
});

describe('classification by range', () => {
  it('treats the whole 06 and 07 ranges as mobile, allocated or not', () => {
    for (const n of ['0612345678', '0700000000', '0712345678', '0799999999', '0639123456', '0690123456', '0697123456']) {
      expect(isFrenchMobile(n), n).toBe(true);
    }
    expect(isFrenchMobile('0145678901')).toBe(false);
    expect(isFrenchMobile('0912345678')).toBe(false);
  });

  it.each([
    ['0162000001', '1'], ['0163999999', '1'], ['0270000001', '2'], ['0271000001', '2'], ['0377000001', '3'],
    ['0378000001', '3'], ['0424000001', '4'], ['0425000001', '4'], ['0568000001', '5'], ['0569000001', '5'],
    ['0948000001', 'non-geographic'], ['0949000001', 'non-geographic'], ['0947500001', 'GP'], ['0947600001', 'GF'],
    ['0947700001', 'MQ'], ['0947800001', 'RE-YT'], ['0947900001', 'RE-YT'],
    ['0161000001', null], ['0947400001', null], ['0145678901', null], ['0950000001', null],
  ])('NPV range of %s is %s', (n, area) => {
    expect(npvArea(n)).toBe(area);
  });
});

describe('callee area and time zone', () => {
  const area = (n: string, hints = {}) => calleeArea(parsePhone(n)!, hints);

  it.each([
    ['0145678901', '1', 'Europe/Paris', 'FR'], ['0299000000', '2', 'Europe/Paris', 'FR'],
    ['0388123456', '3', 'Europe/Paris', 'FR-67'], ['0387123456', '3', 'Europe/Paris', 'FR-57'],
    ['0389123456', '3', 'Europe/Paris', 'FR-68'], ['0472123456', '4', 'Europe/Paris', 'FR'],
    ['0556123456', '5', 'Europe/Paris', 'FR'],
  ])('%s is zone %s, %s, holidays %s', (n, zone, tz, region) => {
    expect(area(n)).toMatchObject({ country: 'FR', zone, territory: null, timeZone: tz, holidayRegion: region });
  });

  it.each([
    ['0262123456', 'RE', 'Indian/Reunion', 'RE-YT'], ['0263123456', 'RE', 'Indian/Reunion', 'RE-YT'],
    ['0692123456', 'RE', 'Indian/Reunion', 'RE-YT'], ['0693123456', 'RE', 'Indian/Reunion', 'RE-YT'],
    ['0269612345', 'YT', 'Indian/Mayotte', 'RE-YT'], ['0639123456', 'YT', 'Indian/Mayotte', 'RE-YT'],
    ['0590123456', 'GP', 'America/Guadeloupe', 'GP'], ['0690123456', 'GP', 'America/Guadeloupe', 'GP'],
    ['0691123456', 'GP', 'America/Guadeloupe', 'GP'], ['0594123456', 'GF', 'America/Cayenne', 'GF'],
    ['0694123456', 'GF', 'America/Cayenne', 'GF'], ['0596123456', 'MQ', 'America/Martinique', 'MQ'],
    ['0696123456', 'MQ', 'America/Martinique', 'MQ'], ['0697123456', 'MQ', 'America/Martinique', 'MQ'],
    ['0508412345', 'PM', 'America/Miquelon', 'non-geographic'],
  ])('%s is %s, %s, NPV %s', (n, territory, tz, npv) => {
    expect(area(n)).toMatchObject({ country: 'FR', territory, timeZone: tz, npvArea: npv });
  });

  it('leaves mobiles and 09 without a zone unless the campaign or the dialer says', () => {
    expect(area('0612345678')).toMatchObject({ zone: null, npvArea: 'non-geographic', timeZone: 'Europe/Paris' });
    expect(area('0912345678', { defaultZone: '4' })).toMatchObject({ zone: '4', npvArea: '4' });
    expect(area('0612345678', { zone: '69' })).toMatchObject({ zone: '4' });
    expect(area('0612345678', { zone: '974' })).toMatchObject({ territory: 'RE', timeZone: 'Indian/Reunion' });
    expect(area('0145678901', { zone: '2', timeZone: 'America/Cayenne' })).toMatchObject({ zone: '2', timeZone: 'America/Cayenne' });
    expect(area('0612345678', { zone: '67' })).toMatchObject({ zone: '3', holidayRegion: 'FR-67' });
  });

  it('gives foreign callees their country and no French zone', () => {
    expect(area('+4930123456')).toMatchObject({ country: 'DE', zone: null, holidayRegion: null });
    // Spain's geographic numbers name their province, hence the region whose holidays apply.
    expect(area('+34912345678')).toMatchObject({ country: 'ES', zone: null, holidayRegion: 'ES-MD', timeZone: 'Europe/Madrid' });
  });
});

describe('the ARCEP tables (fr-numbering.ts)', () => {
  const { mobile, npv, overseas } = FR_NUMBERING;
  const within = (prefix: string, block: string) => prefix.startsWith(block) || block.startsWith(prefix);
  const overlapping = (prefixes: readonly string[]) =>
    prefixes.flatMap((a, i) => prefixes.slice(i + 1).filter((b) => within(a, b)).map((b) => `${a}/${b}`));

  it('say where they come from and as of when, and cannot be changed at run time', () => {
    expect(FR_NUMBERING.source).toMatch(/ARCEP/);
    expect(FR_NUMBERING.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.isFrozen(FR_NUMBERING) && Object.isFrozen(npv) && Object.isFrozen(npv[0])).toBe(true);
  });

  it('no range is listed twice or inside another of its own table', () => {
    expect(overlapping(mobile)).toEqual([]);
    expect(overlapping(npv.map((r) => r.prefix))).toEqual([]);
    expect(overlapping(overseas.map((o) => o.prefix))).toEqual([]);
  });

  it('every NPV range is inside a fixed block (01–05, 09), outside the mobile and overseas ranges', () => {
    for (const { prefix } of npv) {
      expect(prefix, prefix).toMatch(/^0[1-59]/);
      expect(mobile.some((m) => within(prefix, m)), prefix).toBe(false);
      expect(overseas.some((o) => within(prefix, o.prefix)), prefix).toBe(false);
    }
  });

  it('every overseas prefix is a mobile block (06) or a geographic one (02, 05), under one calling code per territory', () => {
    for (const o of overseas) expect(o.prefix, o.prefix).toMatch(/^0(6|2|5)\d\d$/);
    const codes = new Map<string, Set<string>>();
    for (const o of overseas) codes.set(o.territory, new Set([...(codes.get(o.territory) ?? []), o.countryCode]));
    for (const [territory, set] of codes) expect(set.size, territory).toBe(1);
  });

  it('every 10-digit national prefix falls in exactly one class (by its first five digits)', () => {
    const classes = (p: string) => [
      mobile.some((m) => p.startsWith(m)) ? 'mobile' : null,
      npv.some((r) => p.startsWith(r.prefix)) ? 'npv' : null,
      overseas.some((o) => p.startsWith(o.prefix)) && !mobile.some((m) => p.startsWith(m)) ? 'overseas-fixed' : null,
      /^0[1-5]/.test(p) && !npv.some((r) => p.startsWith(r.prefix)) && !overseas.some((o) => p.startsWith(o.prefix)) ? 'geographic' : null,
      /^08/.test(p) ? 'special' : null,
      /^09/.test(p) && !npv.some((r) => p.startsWith(r.prefix)) ? 'non-geographic' : null,
    ].filter((c) => c !== null);
    const wrong: string[] = [];
    for (let n = 1000; n <= 9999; n++) {
      const prefix = `0${n}`;
      if (classes(prefix).length !== 1) wrong.push(`${prefix}: ${classes(prefix).join(', ') || 'none'}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the Alsace-Moselle prefixes are zone 03 geographic blocks outside the NPV ranges, each giving its département\'s own holidays', () => {
    expect(FR_NUMBERING.alsaceMoselle.map((a) => a.departement)).toEqual(['57', '67', '68']);
    for (const { prefix, departement } of FR_NUMBERING.alsaceMoselle) {
      expect(prefix, prefix).toMatch(/^03\d\d$/);
      expect(npv.some((r) => within(prefix, r.prefix)), prefix).toBe(false);
      expect(calleeArea(parsePhone(prefix.padEnd(10, '1'))!).holidayRegion).toBe(`FR-${departement}`);
      expect(calleeArea(parsePhone('0612345678')!, { zone: departement }).holidayRegion).toBe(`FR-${departement}`);
      expect(LOCAL_HOLIDAYS[`FR-${departement}`]?.length, departement).toBeGreaterThan(0);
    }
  });

  it('the NPV rule\'s source lists the table\'s prefixes, an area\'s together', () => {
    expect(NPV_PREFIX_LIST.split(/, |\//)).toEqual(npv.map((r) => r.prefix));
    expect(NPV_PREFIX_LIST).toMatch(/^0162\/0163, 0270\/0271, /);
    expect(npvForAutomated.source).toContain(NPV_PREFIX_LIST);
  });

  it('the questions on numbers read the table', () => {
    for (const { prefix, area } of npv) expect(npvArea(prefix.padEnd(10, '0'))).toBe(area);
    for (const m of mobile) expect(isFrenchMobile(m.padEnd(10, '1'))).toBe(true);
    for (const o of overseas) expect(overseasCountryCode(o.prefix.padEnd(10, '0'))).toBe(o.countryCode);
  });
});
