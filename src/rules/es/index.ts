import type { CountryRules } from '../country.js';
import { spanishMobileCallerId, spanishOwnedCallerId } from './caller-id.js';
import { checkSpanishPool } from './pool.js';
import { rankSpanishPoolNumber } from './pool-choice.js';

/**
 * Spain: owned numbers only, no mobiles on commercial or customer-service calls. Spanish consumer protection (hours,
 * limits) is not modelled yet: only the company's do-not-call list protects Spanish consumers.
 */
export const spain: CountryRules = {
  country: 'ES',
  callerIdRules: [spanishMobileCallerId, spanishOwnedCallerId],
  consumerRules: [],
  prospectingLimits: null,
  checkPool: checkSpanishPool,
  rankPoolNumber: rankSpanishPoolNumber,
  hoursProblem: () => null,
};
