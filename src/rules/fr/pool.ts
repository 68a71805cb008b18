import { isFrenchMobile, npvArea, npvPrefixes, NPV_AREAS, NPV_PREFIX_LIST, type NpvArea } from '../../numbers/france.js';
import type { Dialing, PoolNumber } from '../../model/types.js';
import type { PoolEntry, PoolFinding } from '../country.js';

/** The areas an NPV range serves locally: each wants a number, or the non-geographic fallback. */
const LOCAL_NPV_AREAS: readonly NpvArea[] = NPV_AREAS.filter((a) => a !== 'non-geographic');

/**
 * What ARCEP décision n° 2022-1583 lets a French call center put in a campaign's pool: never a
 * mobile; only NPV numbers for automated dialers (warned when an area has none and there is no
 * 0948/0949 fallback); a geographic number for manual calls to be local. Applies to `country: FR`.
 */
export function checkFrenchPool({ dialing }: { dialing: Dialing }, entries: readonly PoolEntry[]): { pool: PoolNumber[]; findings: PoolFinding[] } {
  const pool: PoolNumber[] = [];
  const findings: PoolFinding[] = [];
  entries.forEach(({ text, phone }, index) => {
    if (phone.national !== null && isFrenchMobile(phone.national)) {
      findings.push({ level: 'error', index, message: `${text} is a mobile number: ARCEP forbids presenting mobiles (décision 2022-1583)` });
      return;
    }
    const npv = phone.national !== null ? npvArea(phone.national) : null;
    if (dialing === 'automated' && npv === null) {
      findings.push({ level: 'error', index, message: `${text} is not in an NPV range; automated campaigns present only ${NPV_PREFIX_LIST}` });
      return;
    }
    pool.push({ phone, npv });
  });
  if (dialing === 'automated') {
    const served = new Set(pool.map((n) => n.npv));
    const missing = served.has('non-geographic') ? [] : LOCAL_NPV_AREAS.filter((a) => !served.has(a));
    if (missing.length > 0) {
      findings.push({ level: 'warning', index: null, message: `no number for ${missing.map((a) => `${a} (${npvPrefixes(a).join('/')})`).join(', ')} and no non-geographic ${npvPrefixes('non-geographic').join('/')} fallback: calls there will be blocked (no-substitute)` });
    }
  } else if (!pool.some((n) => n.npv === null)) {
    findings.push({ level: 'warning', index: null, message: 'a manual campaign with only NPV numbers: no geographic number can be local to the callee' });
  }
  return { pool, findings };
}
