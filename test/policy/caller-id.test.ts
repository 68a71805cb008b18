import { describe, expect, it } from 'vitest';
import { configFrom, decideAt } from '../helpers.js';

const MONDAY = '2026-11-30T11:00:00+01:00';

describe('mobile and unowned caller IDs are never presented', () => {
  it.each([
    ['0612345678', ['mobile-caller-id', 'caller-id-not-owned', 'npv-required']],
    ['0712345678', ['mobile-caller-id', 'caller-id-not-owned', 'npv-required']],
    ['0700000000', ['mobile-caller-id', 'caller-id-not-owned', 'npv-required']], // unallocated 070x: still a mobile range
    ['0690123456', ['mobile-caller-id', 'caller-id-not-owned', 'npv-required']],
    ['+447911123456', ['mobile-caller-id', 'caller-id-not-owned', 'npv-required']], // UK mobile
    ['0145678901', ['caller-id-not-owned', 'npv-required']],
    ['anonymous', ['caller-id-not-owned']], ['unknown', ['caller-id-not-owned']], ['', ['caller-id-not-owned']],
    ['"><script>', ['caller-id-not-owned']],
  ])('%s is replaced (%j)', (from, reasons) => {
    const d = decideAt(MONDAY, { from });
    expect(d.action).toBe('rewrite');
    expect(d.reasons).toEqual(reasons);
    expect(d.callerId).toBe('+33162000001');
  });

  it('keeps an owned compliant number', () => {
    expect(decideAt(MONDAY, { from: '+33 1 62 00 00 01' })).toMatchObject({ action: 'allow', callerId: '+33162000001', reasons: [] });
    expect(decideAt(MONDAY, { from: '0162000001', to: '0472123456' })).toMatchObject({ action: 'allow', callerId: '+33162000001' });
  });

  it('with requireOwned off, a compliant number not in the pools is kept', () => {
    const config = configFrom(`
callerId: { requireOwned: false }
campaigns:
  c: { purpose: service, dialing: manual, pool: ["0199000001"] }
`);
    expect(decideAt(MONDAY, { campaign: 'c', from: '0145678901' }, {}, config).action).toBe('allow');
    expect(decideAt(MONDAY, { campaign: 'c', from: '0612345678' }, {}, config).action).toBe('rewrite');
  });

  it('mobiles were allowed before 2023-01-01 (rules apply at the call\'s time)', () => {
    const config = configFrom(`
callerId: { requireOwned: false }
campaigns:
  c: { purpose: service, dialing: manual, pool: ["0199000001"] }
`);
    expect(decideAt('2022-12-30T11:00:00+01:00', { campaign: 'c', from: '0612345678' }, {}, config).action).toBe('allow');
  });
});

describe('automated calls present an NPV number of the callee\'s area', () => {
  it.each([
    ['0145678901', '+33162000001'], ['0299000000', '+33270000001'], ['0388123456', '+33377000001'],
    ['0472123456', '+33424000001'], ['0556123456', '+33568000001'],
    ['0590123456', '+33947500001'], ['0690123456', '+33947500001'], ['0594123456', '+33947600001'],
    ['0596123456', '+33947700001'], ['0262123456', '+33947800001'], ['0269612345', '+33947800001'],
    ['0508412345', '+33948000001'], ['0612345678', '+33948000001'], ['0912345678', '+33948000001'],
    ['+34912345678', '+33948000001'],
  ])('callee %s → %s', (to, callerId) => {
    expect(decideAt('2026-11-30T14:00:00Z', { to, consentAnytime: true }).callerId).toBe(callerId);
  });

  it('falls back to non-geographic NPV, and blocks when no NPV fits', () => {
    const config = configFrom(`
campaigns:
  a: { purpose: service, dialing: automated, pool: ["0162000001", "0948000001"] }
  b: { purpose: service, dialing: automated, pool: ["0162000001"] }
`);
    expect(decideAt(MONDAY, { campaign: 'a', to: '0472123456' }, {}, config).callerId).toBe('+33948000001');
    const d = decideAt(MONDAY, { campaign: 'b', to: '0472123456' }, {}, config);
    expect(d).toMatchObject({ action: 'block', callerId: null, reasons: ['no-substitute'], retryAt: null });
  });
});

describe('manual calls present the closest geographic number', () => {
  const config = configFrom(`
campaigns:
  m:
    purpose: service
    dialing: manual
    pool: ["0199000001", "0465710001", "0472000001", "0977400001", "0162000001"]
  npvOnly: { purpose: service, dialing: manual, pool: ["0162000001"] }
`);
  const pick = (to: string, campaign = 'm') => decideAt(MONDAY, { campaign, to, from: '1001' }, {}, config).callerId;

  it('04 72… before any 04…, before a 09…, before another zone', () => {
    expect(pick('0472123456')).toBe('+33472000001');
    expect(pick('0466123456')).toBe('+33465710001');
    expect(pick('0299000000')).toBe('+33977400001');
    expect(pick('0145678901')).toBe('+33199000001');
  });

  it('uses NPV numbers only when nothing else fits', () => {
    expect(pick('0145678901', 'npvOnly')).toBe('+33162000001');
  });
});

describe('stickiness and rotation', () => {
  const config = configFrom(`
campaigns:
  p:
    purpose: service
    dialing: automated
    dailyCapPerNumber: 100
    pool: ["0162000001", "0162000002", "0163000003", "0948000001"]
`);
  const call = { campaign: 'p', to: '0145678901' };

  it('a consumer already called sees the same number again', () => {
    const d = decideAt(MONDAY, call, { lastPresented: '+33162000002', usageToday: new Map([['+33162000002', 99]]) }, config);
    expect(d.callerId).toBe('+33162000002');
    // …unless it went out of the pool or reached its cap.
    expect(decideAt(MONDAY, call, { lastPresented: '+33162000009' }, config).callerId).toBe('+33162000001');
    expect(decideAt(MONDAY, call, { lastPresented: '+33162000002', usageToday: new Map([['+33162000002', 100]]) }, config).callerId)
      .toBe('+33162000001');
  });

  it('otherwise the least used today among equally good numbers', () => {
    const usage = new Map([['+33162000001', 5], ['+33162000002', 3], ['+33163000003', 4], ['+33948000001', 0]]);
    expect(decideAt(MONDAY, call, { usageToday: usage }, config).callerId).toBe('+33162000002');
  });

  it('a number at its daily cap is skipped; all capped → no-substitute', () => {
    const capped = new Map([['+33162000001', 100], ['+33162000002', 100], ['+33163000003', 100]]);
    expect(decideAt(MONDAY, call, { usageToday: capped }, config).callerId).toBe('+33948000001');
    const all = new Map([...capped, ['+33948000001', 100]]);
    expect(decideAt(MONDAY, call, { usageToday: all }, config).reasons).toEqual(['no-substitute']);
  });
});

describe('Spain (from 2025-06-07): no mobile-range caller ID on commercial or customer-service calls', () => {
  const config = configFrom(`
country: ES
callerId: { requireOwned: false }
campaigns:
  venta: { purpose: prospecting, dialing: manual, basis: existing-contract, pool: ["+34912345678"] }
  servicio: { purpose: service, dialing: manual, pool: ["+34912345678"] }
`);
  it('replaces 6xx and 7xx on prospecting and service calls alike (Orden TDF/149/2025 art. 9.1), from the effective date', () => {
    const to = '+34915550000';
    // 2025-06-07 is a Saturday, when Spain's hours rule (TRLGDCU 96.2) blocks prospecting: the service call proves that day.
    expect(decideAt('2025-06-07T10:00:00+02:00', { campaign: 'servicio', from: '+34612345678', to }, {}, config).reasons).toEqual(['mobile-caller-id']);
    expect(decideAt('2025-06-09T10:00:00+02:00', { campaign: 'venta', from: '+34612345678', to }, {}, config))
      .toMatchObject({ action: 'rewrite', callerId: '+34912345678', reasons: ['mobile-caller-id'] });
    expect(decideAt('2025-06-06T10:00:00+02:00', { campaign: 'venta', from: '+34712345678', to }, {}, config).action).toBe('allow');
    expect(decideAt('2025-06-09T10:00:00+02:00', { campaign: 'servicio', from: '+34612345678', to }, {}, config))
      .toMatchObject({ action: 'rewrite', callerId: '+34912345678', reasons: ['mobile-caller-id'] });
  });
});
