import { isMobileNumber } from '../../numbers/mobile.js';
import { ownedNumbersOnly } from '../owned-caller-id.js';
import { parisMidnight, type CallerIdRule } from '../rule.js';

/** Orden TDF/149/2025 of 12 February (BOE 15 February 2025), under Ley 11/2022 General de Telecomunicaciones. */
const ORDEN = 'Orden TDF/149/2025 (Ley 11/2022 General de Telecomunicaciones)';

/**
 * No mobile number (Spanish 6xx/7xx, or any other country's) on an unsolicited commercial call or
 * a customer-service call: art. 9.1 names both, so every campaign purpose is covered.
 */
export const spanishMobileCallerId: CallerIdRule = {
  code: 'mobile-caller-id',
  source: `${ORDEN} art. 9.1: no mobile ranges for unsolicited commercial calls or customer-service calls, from 2025-06-07`,
  // Madrid and Paris share a time zone: midnight of the date in Spain.
  since: parisMidnight('2025-06-07'),
  rejects: (phone) => phone !== null && isMobileNumber(phone),
};

/** Operators block calls presenting a number not assigned to the caller: the company's own numbers only. */
export const spanishOwnedCallerId: CallerIdRule = ownedNumbersOnly(
  `${ORDEN} art. 4: operators block calls whose caller ID is empty or not assigned, from 2025-03-07`,
  parisMidnight('2025-03-07'),
);
