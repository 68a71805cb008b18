import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVicidialName } from '../../src/asterisk/vicidial-name.js';

describe('parseVicidialName: the lead id in VICIdial\'s auto-dial caller ID name', () => {
  it('reads the current form: V + mddhhmmss + 10-digit lead (the captured name)', () => {
    expect(parseVicidialName('V2071030000000001234')).toEqual({ lead: '1234', form: 'lead10' });
  });

  it('reads a 10-digit lead whole, and October as month digit 0', () => {
    // 10-31 23:59:59 → 031235959 (October's 1 cut off), lead 9876543210.
    expect(parseVicidialName('V0312359599876543210')).toEqual({ lead: '9876543210', form: 'lead10' });
  });

  it('reads the older form V + mmddhhmmss + 9-digit lead when the current form\'s date is impossible', () => {
    // As the current form: month 1, day 20, hour 71: impossible. As the older one: 12-07 10:30:00, lead 1234.
    expect(parseVicidialName('V1207103000000001234')).toEqual({ lead: '1234', form: 'lead9' });
  });

  it('refuses an impossible date in both forms, and an all-zero lead', () => {
    expect(parseVicidialName('V2320000000000001234')).toBeNull(); // day 32 / month 23
    expect(parseVicidialName('V2072400000000001234')).toBeNull(); // hour 24 / day 72
    expect(parseVicidialName('V2071060000000001234')).toBeNull(); // minute 60 / hour 71
    expect(parseVicidialName('V2071030600000001234')).toBeNull(); // second 60 / day 71… (older: month 20)
    expect(parseVicidialName('V2000000000000001234')).toBeNull(); // day 00 / month 20
    expect(parseVicidialName('V2071030000000000000')).toBeNull();
    expect(parseVicidialName('V1207103000000000000')).toBeNull();
  });

  it('anything else is not a VICIdial name', () => {
    for (const name of ['', 'Alice', 'unknown', 'V207103000000000123', 'V20710300000000012345', 'v2071030000000001234',
      'M2071030000000001234', 'V207103000000000123a', ' V2071030000000001234', 'V2071030000000001234 ', 'V２071030000000001234']) {
      expect(parseVicidialName(name)).toBeNull();
    }
    expect(parseVicidialName(null)).toBeNull();
    expect(parseVicidialName(undefined)).toBeNull();
  });

  it('any name VICIdial writes today, whatever the instant and lead, gives its lead back', () => {
    fc.assert(fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
      fc.integer({ min: 1, max: 9_999_999_999 }), (at, lead) => {
        const two = (n: number) => String(n).padStart(2, '0');
        const date = `${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`.slice(-9);
        expect(parseVicidialName(`V${date}${String(lead).padStart(10, '0')}`)).toEqual({ lead: String(lead), form: 'lead10' });
      }));
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^V\d{17,21}$/)), (s) => {
      const r = parseVicidialName(s);
      if (r !== null) expect(r.lead).toMatch(/^[1-9]\d{0,9}$/);
    }));
  });
});
