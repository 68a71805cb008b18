import type { CountryRules } from '../country.js';
import { spanishMobileCallerId, spanishOwnedCallerId } from './caller-id.js';
import { checkSpanishPool } from './pool.js';

/**
 * Spain: owned numbers only, no mobiles on commercial calls. Spanish consumer protection (hours,
 * limits) is not modelled yet: only the company's do-not-call list protects Spanish consumers.
 */
export const spain: CountryRules = {
  country: 'ES',
  callerIdRules: [spanishMobileCallerId, spanishOwnedCallerId],
  automatedPresentNpv: false,
  consumerRules: [],
  prospectingLimits: null,
  checkPool: checkSpanishPool,
  hoursProblem: () => null,
};
