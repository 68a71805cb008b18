import { parisMidnight, type CallRule } from '../rule.js';

/**
 * Commercial calls need the consumer's prior consent (Ley 11/2022 art. 66.1.b, in force
 * 2023-06-29), "salvo que la comunicación pueda ampararse en otra base de legitimación" of GDPR
 * art. 6.1: a campaign calling its own customers about their contract (`basis:
 * existing-contract`) is exempt. Automated calling without human intervention always needs
 * express prior consent (TRLGDCU art. 96.3): an `automated` prospecting campaign is never exempt.
 */
export const spanishConsent: CallRule = {
  code: 'no-consent',
  source: 'Ley 11/2022 General de Telecomunicaciones art. 66.1.b (prior consent, or another GDPR art. 6.1 basis), from 2023-06-29; TRLGDCU art. 96.3 (automated calls: express prior consent)',
  since: parisMidnight('2023-06-29'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting' && (ctx.campaign.basis === 'consent' || ctx.campaign.dialing === 'automated'),
  nextAllowed: (ctx, t) => (ctx.hasConsent ? t : null),
};
