import { describe, expect, it } from 'vitest';
import { sipCall, type InviteLike } from '../../src/sip/sip-request.js';

function invite(headers: Record<string, string>): InviteLike {
  const all = new Map(Object.entries({ From: '<sip:0612345678@pbx>', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return { uri: 'sip:0145678901@gw', source_address: '192.0.2.10', get: (n) => all.get(n.toLowerCase()), has: (n) => all.has(n.toLowerCase()) };
}
const trusted = { campaign: 'prospecting', assertsConsent: true };

describe('X-Cidgate-* hints', () => {
  it('X-Cidgate-Consent: yes is a yes, not a proof reference', () => {
    const call = sipCall(invite({ 'X-Cidgate-Consent': 'yes', 'X-Cidgate-Consent-Anytime': 'TRUE' }), trusted);
    expect(call.request).toMatchObject({ consent: true, consentAnytime: true });
    expect(call.invalidHints).toEqual([]);
    expect(sipCall(invite({ 'X-Cidgate-Consent': 'no' }), trusted).request.consent).toBeNull();
    expect(sipCall(invite({ 'X-Cidgate-Consent': 'proof:7' }), trusted).request.consent).toBe('proof:7');
  });

  it('a malformed hint is ignored and named; the call is still described', () => {
    const call = sipCall(invite({ 'X-Cidgate-Consent': 'oui', 'X-Cidgate-Zone': 'nowhere-at-all', 'X-Cidgate-Agent': 'a1' }), trusted);
    expect(call.request).toMatchObject({ campaign: 'prospecting', to: '0145678901', consent: null, zone: null, pbx: { agent: 'a1' } });
    expect(call.invalidHints.map((h) => h.field)).toEqual(['consent', 'zone']);
  });

  it('consent hints from a source not allowed to assert consent are not even read', () => {
    const call = sipCall(invite({ 'X-Cidgate-Consent': 'yes', 'X-Cidgate-Consent-Anytime': 'yes' }), { campaign: 'c', assertsConsent: false });
    expect(call.request).toMatchObject({ consent: null, consentAnytime: false });
  });
});
