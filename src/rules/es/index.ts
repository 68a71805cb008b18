import { numberType } from '../../numbers/phone.js';
import { ownedCallerId } from '../fr/caller-id.js';
import { parisMidnight, type CallRule, type CallerIdRule } from '../rule.js';

/** Spanish mobile ranges (6xx, 7xx) are not presented on commercial calls. */
export const spanishMobileCallerId: CallerIdRule = {
  code: 'mobile-caller-id',
  source: 'Ley 11/2022 General de Telecomunicaciones and Orden TDF/149/2025 (CNMC): no mobile numbers on commercial calls from 2025-06-07',
  since: parisMidnight('2025-06-07'),
  rejects(phone, { campaign }) {
    if (phone === null || campaign.purpose !== 'prospecting') return false;
    if (phone.countryCode === '34') return /^\+34[67]/.test(phone.e164);
    return numberType(phone) === 'MOBILE';
  },
};

/** A Spanish call center: owned numbers only, no mobiles on commercial calls. */
export const callerIdRules: readonly CallerIdRule[] = [spanishMobileCallerId, ownedCallerId];

/** Spanish consumer-protection rules are not modelled yet: only the company's do-not-call list applies. */
export const consumerRules: readonly CallRule[] = [];
