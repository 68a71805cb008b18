import { calleeArea } from '../../src/numbers/area.js';
import { parsePhone } from '../../src/numbers/phone.js';
import type { Decision } from '../../src/model/types.js';
import type { Store } from '../../src/store/store.js';
import { DAY_MS } from '../../src/time/zoned.js';

/** The report fixtures' config: an automated and a manual prospecting campaign, a renewal one, a service one. */
export const REPORT_CONFIG = `
campaigns:
  prospecting:
    purpose: prospecting
    dialing: automated
    dailyCapPerNumber: 3
    pool: ["01 62 00 00 01", "09 47 80 00 01", "09 48 00 00 01"]
  agents:
    purpose: prospecting
    dialing: manual
    pool: ["01 99 00 00 01"]
  renewals:
    purpose: prospecting
    dialing: automated
    basis: existing-contract
    pool: ["01 63 00 00 01"]
  customer:
    purpose: service
    dialing: manual
    pool: ["02 61 91 00 01"]
ownedNumbers: ["01 45 00 00 00"]
`;

/** The period the fixtures fall in: November and December 2026, after the consent law (2026-08-11). */
export const PERIOD = { from: new Date('2026-11-01T00:00:00+01:00'), to: new Date('2027-01-01T00:00:00+01:00') };

type Seed = Partial<Decision> & { readonly to: string };

/** A decision as the gateway records it; the seeds only change what makes them violations. */
function decision(at: string, s: Seed): Decision {
  const callee = parsePhone(s.to)!;
  const campaign = s.campaign ?? 'prospecting';
  return {
    action: 'rewrite', callerId: '+33162000001', originalCallerId: '+33612345678', callee: callee.e164, campaign,
    purpose: 'prospecting', area: calleeArea(callee), reasons: ['mobile-caller-id'], retryAt: null, at: new Date(at),
    consentRef: 'web-form-1', dialing: 'automated', basis: 'consent', consentAnytime: false, ...s,
  };
}

/** Records one decision of the fixtures; returns its attempt id. */
export async function record(store: Store, at: string, s: Seed): Promise<number> {
  const d = decision(at, s);
  const r = await store.checkAndRecord(
    () => ({ callee: d.callee, campaign: d.campaign, at: d.at, since: new Date(d.at.getTime() - 30 * DAY_MS), reading: 'as-of', until: d.at, day: at.slice(0, 10) }),
    () => d, { source: 'fixture' });
  return r.attemptId!;
}

/**
 * A clean month: compliant attempts, blocks (audit only), outcomes, and the edges each proof
 * must not count — a 5th attempt exactly 30 days after the 1st, a call 63 days after a refusal,
 * a refusal recorded after the call, an existing-contract call without consent, a Réunion call at
 * 20:30 with consent to calls at any hour (exempted), two calls on consent only asserted (shown
 * apart) and an existing-contract one that needed none, attempts outside the period.
 */
export async function recordCleanLog(store: Store): Promise<void> {
  const mon = '2026-11-02';
  for (const [i, day] of ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'].entries()) {
    const id = await record(store, `${day}T11:00:00+01:00`, { to: '0145000006' });
    if (i % 2 === 0) await store.recordOutcome({ attemptId: id }, { status: 'answered', hangupCause: 16, durationSeconds: 60, at: new Date(`${day}T11:02:00+01:00`) });
    else await store.recordOutcome({ attemptId: id }, { status: 'no-answer', hangupCause: 19, durationSeconds: 0, at: new Date(`${day}T11:01:00+01:00`) });
  }
  // Exactly 30 days after the 1st: the 1st has left the window, this is the 4th in it.
  await record(store, '2026-12-02T11:00:00+01:00', { to: '0145000006' });
  await record(store, `${mon}T15:00:00+01:00`, { to: '0145000010', callerId: '+33947800001' });
  await record(store, '2026-11-18T19:59:00+04:00', { to: '0262123456', callerId: '+33947800001' });
  await record(store, '2026-11-18T20:30:00+04:00', { to: '0262123457', callerId: '+33947800001', consentAnytime: true });
  await record(store, '2026-11-19T10:00:00+01:00', { to: '0145000011', campaign: 'renewals', basis: 'existing-contract', consentRef: null, callerId: '+33163000001' });
  await record(store, '2026-11-19T12:59:00+01:00', { to: '0145000012', campaign: 'agents', dialing: 'manual', action: 'allow', callerId: '+33199000001', originalCallerId: '+33199000001', reasons: [] });
  await record(store, '2026-11-20T14:00:00+01:00', { to: '0145000013', campaign: 'customer', purpose: 'service', dialing: 'manual', callerId: '+33261910001', consentRef: null });
  // Blocked calls: audit only, never attempts, whatever their time or count.
  await record(store, '2026-11-20T21:00:00+01:00', { to: '0145000014', action: 'block', callerId: null, reasons: ['outside-calling-hours'], consentRef: null });
  await record(store, '2026-11-06T11:00:00+01:00', { to: '0145000006', action: 'block', callerId: null, reasons: ['attempt-limit'] });
  await record(store, '2026-11-24T11:00:00+01:00', { to: '0145000015', action: 'block', callerId: null, reasons: ['no-consent', 'do-not-call'], consentRef: null });
  // Refused 63 days before the call; refused after the call.
  await store.addRefusal('+33145000016', new Date('2026-09-01T12:00:00+02:00'), 'prospecting');
  await record(store, '2026-11-03T12:00:00+01:00', { to: '0145000016' });
  await record(store, '2026-11-10T12:00:00+01:00', { to: '0145000017' });
  await store.addRefusal('+33145000017', new Date('2026-11-20T12:00:00+01:00'), 'prospecting');
  // Consent with no proof reference: the dialer's word, a consent recorded without a source.
  await record(store, '2026-11-25T11:00:00+01:00', { to: '0145000020', consentRef: 'asserted-by-dialer' });
  await record(store, '2026-11-26T11:00:00+01:00', { to: '0145000021', consentRef: 'on-record' });
  await record(store, '2026-11-26T11:30:00+01:00', { to: '0145000022', campaign: 'renewals', basis: 'existing-contract', consentRef: 'asserted-by-dialer', callerId: '+33163000001' });
  // Outside the period: a Sunday call in October is not this report's.
  await record(store, '2026-10-25T11:00:00+01:00', { to: '0145000018' });
}

/** The seeded violations, one per proof, and their attempt ids. */
export interface Seeded {
  readonly mobileCallerId: number;
  readonly reunionAt2005: number;
  readonly fifthAttempt: number;
  readonly afterRefusal: number;
  readonly noConsent: number;
  readonly notNpv: number;
}

export async function recordSeededViolations(store: Store): Promise<Seeded> {
  const mobileCallerId = await record(store, '2026-11-17T11:00:00+01:00', {
    to: '0145000001', campaign: 'agents', dialing: 'manual', action: 'allow', callerId: '+33612345678', reasons: [],
  });
  const reunionAt2005 = await record(store, '2026-11-18T20:05:00+04:00', { to: '0262123458', callerId: '+33947800001' });
  let fifthAttempt = 0;
  for (const day of ['2026-11-09', '2026-11-10', '2026-11-12', '2026-11-13', '2026-11-16']) {
    fifthAttempt = await record(store, `${day}T11:00:00+01:00`, { to: '0145000005' });
  }
  await store.addRefusal('+33145000007', new Date('2026-11-02T12:00:00+01:00'), 'prospecting');
  const afterRefusal = await record(store, '2026-12-02T12:00:00+01:00', { to: '0145000007' });
  const noConsent = await record(store, '2026-11-19T11:00:00+01:00', { to: '0145000009', consentRef: null });
  const notNpv = await record(store, '2026-11-19T11:30:00+01:00', { to: '0145000019', callerId: '+33145000000' });
  return { mobileCallerId, reunionAt2005, fifthAttempt, afterRefusal, noConsent, notNpv };
}
