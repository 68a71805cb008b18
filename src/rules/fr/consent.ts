import { parisMidnight, type CallRule } from '../rule.js';

/**
 * Telephone prospecting needs the consumer's recorded prior consent, except for a campaign
 * calling its own customers about their ongoing contract (`basis: existing-contract`).
 */
export const consentRequired: CallRule = {
  code: 'no-consent',
  source: 'Loi n° 2025-594 du 30 juin 2025 (fraudes aux aides publiques) art. 13, Code de la consommation L.223-1: opt-in for telephone prospecting',
  since: parisMidnight('2026-08-11'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting' && ctx.campaign.basis === 'consent',
  nextAllowed: (ctx, t) => (ctx.hasConsent ? t : null),
};
