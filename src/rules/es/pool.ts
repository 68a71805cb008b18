import { isMobileNumber } from '../../numbers/mobile.js';
import type { Dialing, PoolNumber, Purpose } from '../../model/types.js';
import type { PoolEntry, PoolFinding } from '../country.js';

/** A Spanish call center's pool: no mobile on a commercial (prospecting) campaign; no NPV ranges in Spain. */
export function checkSpanishPool({ purpose }: { purpose: Purpose; dialing: Dialing }, entries: readonly PoolEntry[]): { pool: PoolNumber[]; findings: PoolFinding[] } {
  const pool: PoolNumber[] = [];
  const findings: PoolFinding[] = [];
  entries.forEach(({ text, phone }, index) => {
    if (purpose === 'prospecting' && isMobileNumber(phone)) {
      findings.push({ level: 'error', index, message: `${text} is a mobile number: Spain forbids mobiles on commercial calls since 2025-06-07 (Orden TDF/149/2025)` });
      return;
    }
    pool.push({ phone, npv: null });
  });
  return { pool, findings };
}
