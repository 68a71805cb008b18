import { isMobileNumber } from '../../numbers/mobile.js';
import { ownedNumbersOnly } from '../owned-caller-id.js';
import { parisMidnight, type CallerIdRule } from '../rule.js';

const ORDEN = 'Orden TDF/149/2025 (Ley 11/2022 General de Telecomunicaciones)';

/** No mobile number (Spanish 6xx/7xx, or any other country's) on a commercial call. */
export const spanishMobileCallerId: CallerIdRule = {
  code: 'mobile-caller-id',
  source: `${ORDEN}: no mobile numbers on commercial calls from 2025-06-07`,
  // Madrid and Paris share a time zone: midnight of the date in Spain.
  since: parisMidnight('2025-06-07'),
  rejects: (phone, { campaign }) => phone !== null && campaign.purpose === 'prospecting' && isMobileNumber(phone),
};

/** Operators block calls presenting a number not assigned to the caller: the company's own numbers only. */
export const spanishOwnedCallerId: CallerIdRule = ownedNumbersOnly(
  `${ORDEN}: calls presenting a number not assigned to the caller are blocked`,
  parisMidnight('2025-06-07'),
);
