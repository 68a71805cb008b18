import { isMobileNumber } from '../../numbers/mobile.js';
import type { Dialing, PoolNumber, Purpose } from '../../model/types.js';
import type { PoolEntry, PoolFinding } from '../country.js';

/** A Spanish call center's pool: no mobile, whatever the campaign (Orden TDF/149/2025 art. 9.1); no NPV ranges in Spain. */
export function checkSpanishPool(_campaign: { purpose: Purpose; dialing: Dialing }, entries: readonly PoolEntry[]): { pool: PoolNumber[]; findings: PoolFinding[] } {
  const pool: PoolNumber[] = [];
  const findings: PoolFinding[] = [];
  entries.forEach(({ text, phone }, index) => {
    if (isMobileNumber(phone)) {
      findings.push({ level: 'error', index, message: `${text} is a mobile number: Spain forbids mobiles on commercial and customer-service calls since 2025-06-07 (Orden TDF/149/2025 art. 9.1)` });
      return;
    }
    pool.push({ phone, npv: null });
  });
  return { pool, findings };
}
