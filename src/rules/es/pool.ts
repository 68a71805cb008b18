import { spanishProvince } from '../../numbers/es-provinces.js';
import { isMobileNumber } from '../../numbers/mobile.js';
import type { Dialing, PoolNumber, Purpose } from '../../model/types.js';
import type { PoolEntry, PoolFinding } from '../country.js';

/**
 * A Spanish call center's pool: no mobile, whatever the campaign (Orden TDF/149/2025 art. 9.1);
 * a Spanish number must be geographic or 800/900 (art. 9.2: 900 may place calls from 2025-03-07);
 * no NPV ranges in Spain.
 */
export function checkSpanishPool(_campaign: { purpose: Purpose; dialing: Dialing }, entries: readonly PoolEntry[]): { pool: PoolNumber[]; findings: PoolFinding[] } {
  const pool: PoolNumber[] = [];
  const findings: PoolFinding[] = [];
  entries.forEach(({ text, phone }, index) => {
    if (isMobileNumber(phone)) {
      findings.push({ level: 'error', index, message: `${text} is a mobile number: Spain forbids mobiles on commercial and customer-service calls since 2025-06-07 (Orden TDF/149/2025 art. 9.1)` });
      return;
    }
    const national = phone.countryCode === '34' ? phone.e164.slice(3) : null;
    if (national !== null && spanishProvince(national) === null && !/^(800|900)/.test(national)) {
      findings.push({ level: 'error', index, message: `${text} may not be presented on a commercial call: only geographic and 800/900 numbers (Orden TDF/149/2025 art. 9.2, 900 from 2025-03-07)` });
      return;
    }
    pool.push({ phone, npv: null });
  });
  return { pool, findings };
}
