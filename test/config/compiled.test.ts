import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

describe('the compiled config holds what runs', () => {
  it('the per-call settings, and the SIP sources as a list whatever their spelling', () => {
    const { config } = parseConfig(`
defaultCampaign: c
callerId: { format: e164 }
onStoreError: { prospecting: allow }
http: { allowDecisionTime: true }
sip: { sources: { 10.0.0.5: c } }
campaigns:
  c: { purpose: service, dialing: manual, pool: ["0199000001"] }
`, 'test.yaml', { lenient: true });
    expect(config).toMatchObject({
      defaultCampaign: 'c', callerIdFormat: 'e164', onStoreError: { prospecting: 'allow', service: 'allow' },
      http: { allowDecisionTime: true },
      sip: { sources: [{ address: '10.0.0.5', campaign: 'c', assertsConsent: false }] },
    });
  });
});
