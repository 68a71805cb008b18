import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { configFrom, example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const CALLEE = '+33145678901';
const prospecting = { campaign: 'prospecting', from: '0612345678', to: '0145678901' };
const withConsent = { ...prospecting, consent: true };
/** Monday 30 November 2026, 11:00 in Paris: inside the calling window. */
const CALL_AT = '2026-11-30T10:00:00Z';
const AFTER_CALL = new Date('2026-11-30T10:00:00.001Z');

describe.each(storesUnderTest())('$name store: the decision reads what was on record at the call\'s instant', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const decideAt = async (at: string | Date, call: object = withConsent, record = false, config = example) =>
    (await new Gateway(config, store, fixedClock(at), silentLogger).check({ ...prospecting, ...call }, { record })).decision;

  it('a consent given after the call does not count', async () => {
    await store.addConsents([{ number: CALLEE, at: AFTER_CALL, source: 'web-form', anytime: false }]);
    expect((await decideAt(CALL_AT, prospecting)).reasons).toEqual(['no-consent']);
    expect((await decideAt(AFTER_CALL, prospecting)).action).toBe('rewrite');
  });

  it('a consent given at the call\'s very instant counts', async () => {
    await store.addConsents([{ number: CALLEE, at: new Date(CALL_AT), source: 'web-form', anytime: false }]);
    expect((await decideAt(CALL_AT, prospecting)).action).toBe('rewrite');
  });

  it('a consent revoked after the call still covered it; revoked at or before, it did not', async () => {
    await store.addConsents([{ number: CALLEE, at: new Date('2026-11-01T10:00:00Z'), source: 'web-form', anytime: false }]);
    expect(await store.revokeConsent(CALLEE, AFTER_CALL)).toBe(true);
    expect((await decideAt(CALL_AT, prospecting))).toMatchObject({ action: 'rewrite', consentRef: 'web-form' });
    expect((await decideAt(AFTER_CALL, prospecting)).reasons).toEqual(['no-consent']);
  });

  it('a consent given again after a revocation covers the calls after it, not those between', async () => {
    await store.addConsents([{ number: CALLEE, at: new Date('2026-11-01T10:00:00Z'), source: 'form-1', anytime: false }]);
    await store.revokeConsent(CALLEE, new Date('2026-11-10T10:00:00Z'));
    await store.addConsents([{ number: CALLEE, at: new Date('2026-11-20T10:00:00Z'), source: 'form-2', anytime: false }]);
    expect((await decideAt('2026-11-02T10:00:00Z', prospecting)).consentRef).toBe('form-1');
    expect((await decideAt('2026-11-16T10:00:00Z', prospecting)).reasons).toEqual(['no-consent']);
    expect((await decideAt(CALL_AT, prospecting)).consentRef).toBe('form-2');
  });

  it('revoking when no consent was in force at that instant records nothing', async () => {
    await store.addConsents([{ number: CALLEE, at: AFTER_CALL, source: 'web-form', anytime: false }]);
    expect(await store.revokeConsent(CALLEE, new Date(CALL_AT))).toBe(false);
    expect((await decideAt(AFTER_CALL, prospecting)).action).toBe('rewrite');
  });

  it('a refusal made after the call does not block it', async () => {
    await store.addRefusal(CALLEE, AFTER_CALL, 'prospecting');
    expect((await decideAt(CALL_AT)).action).toBe('rewrite');
    expect((await decideAt(AFTER_CALL)).reasons).toEqual(['refused-recently']);
  });

  it('a do-not-call entry added after the call does not block it', async () => {
    expect(await store.addDoNotCall([CALLEE], AFTER_CALL, 'bloctel')).toBe(1);
    expect((await decideAt(CALL_AT)).action).toBe('rewrite');
    expect((await decideAt(AFTER_CALL)).reasons).toEqual(['do-not-call']);
  });

  it('a number listed again with an earlier date was on the list since that date', async () => {
    await store.addDoNotCall([CALLEE], AFTER_CALL, 'cli');
    expect(await store.addDoNotCall([CALLEE], new Date('2026-11-01T00:00:00Z'), 'bloctel-2026-11')).toBe(0);
    expect((await decideAt(CALL_AT)).reasons).toEqual(['do-not-call']);
    await store.addDoNotCall([CALLEE], new Date('2026-12-15T00:00:00Z'), 'cli');
    expect((await decideAt(CALL_AT)).reasons).toEqual(['do-not-call']);
  });

  it('attempts dated after the call do not count against it', async () => {
    for (const day of ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']) {
      expect((await decideAt(`${day}T10:00:00Z`, withConsent, true)).action).toBe('rewrite');
    }
    expect((await decideAt('2026-12-07T10:00:00Z')).reasons).toEqual(['attempt-limit']);
    expect((await decideAt(CALL_AT)).action).toBe('rewrite');
    expect((await decideAt('2026-12-03T10:30:00Z')).action).toBe('rewrite'); // two before it, two after
  });

  it('the caller ID presented after the call is not the one it sticks to', async () => {
    const twoAlike = configFrom(`
campaigns:
  p: { purpose: prospecting, dialing: automated, pool: ["0162000001", "0162000002"] }
`);
    const first = await decideAt('2026-12-01T10:00:00Z', { campaign: 'p', consent: true }, true, twoAlike);
    expect(first.callerId).toBe('+33162000001');
    const usedLater = await decideAt('2026-12-02T10:00:00Z', { campaign: 'p', consent: true, from: '0162000002' }, true, twoAlike);
    expect(usedLater).toMatchObject({ action: 'allow', callerId: '+33162000002' });
    expect((await decideAt('2026-12-01T15:00:00Z', { campaign: 'p', consent: true }, false, twoAlike)).callerId).toBe('+33162000001');
  });
});

describe.each(storesUnderTest())('$name store: counts are exact whatever else the consumer received', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(() => store.close());
  afterAll(() => kind.cleanup());

  const strict = configFrom(`
campaigns:
  prospecting: { purpose: prospecting, dialing: automated, pool: ["0162000001"], limits: { minGapMinutes: 10080 } }
  customer: { purpose: service, dialing: manual, pool: ["0199000001"] }
`);
  const check = async (config: typeof example, at: string, call: object, record = true) =>
    (await new Gateway(config, store, fixedClock(at), silentLogger).check({ ...withConsent, ...call }, { record })).decision;

  /** 100 service calls on Friday 4 December, after the prospecting attempts. */
  async function hundredServiceCalls(config: typeof example): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const at = new Date(Date.parse('2026-12-04T08:00:00Z') + i * 60_000).toISOString();
      expect((await check(config, at, { campaign: 'customer' })).action).not.toBe('block');
    }
  }

  it('4 prospecting attempts, then 100 service calls: the 5th prospecting attempt is still blocked', async () => {
    for (const day of ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']) {
      expect((await check(example, `${day}T10:00:00Z`, {})).action).toBe('rewrite');
    }
    await hundredServiceCalls(example);
    expect(await check(example, '2026-12-07T10:00:00Z', {}, false)).toMatchObject({
      action: 'block', reasons: ['attempt-limit'], retryAt: new Date('2026-12-30T10:00:00Z'),
    });
  });

  it('the last prospecting attempt still sets the minimum gap after 100 service calls', async () => {
    expect((await check(strict, '2026-12-01T10:00:00Z', {})).action).toBe('rewrite');
    await hundredServiceCalls(strict);
    expect(await check(strict, '2026-12-07T10:00:00Z', {}, false)).toMatchObject({
      action: 'block', reasons: ['min-gap'], retryAt: new Date('2026-12-08T10:00:00Z'),
    });
  });

  it('a refusal still blocks after 100 later service calls', async () => {
    await store.addRefusal(CALLEE, new Date('2026-12-01T10:00:00Z'), 'prospecting');
    await hundredServiceCalls(example);
    expect((await check(example, '2026-12-07T10:00:00Z', {}, false)).reasons).toEqual(['refused-recently']);
  });
});
