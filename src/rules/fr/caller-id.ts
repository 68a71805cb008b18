import { isFixedPresentable, npvArea, NPV_PREFIX_LIST } from '../../numbers/france.js';
import { isMobileNumber } from '../../numbers/mobile.js';
import { ownedNumbersOnly } from '../owned-caller-id.js';
import { parisMidnight, type CallerIdRule } from '../rule.js';

/**
 * No mobile number is ever presented by a call center: the whole 06 and 07 ranges, allocated or
 * not (libphonenumber-js calls 070x–072x invalid, so this classifies by range), overseas mobiles
 * (0639, 069x) included, and any foreign number libphonenumber-js types MOBILE.
 */
export const mobileCallerId: CallerIdRule = {
  code: 'mobile-caller-id',
  source: 'ARCEP décision n° 2022-1583 (plan de numérotation), mobiles banned as caller ID for automated and call-center calls',
  since: parisMidnight('2023-01-01'),
  rejects: (phone) => phone !== null && isMobileNumber(phone),
};

/**
 * Operators drop calls whose caller ID is not assigned to the caller since MAN (Mécanisme
 * d'Authentification des Numéros, STIR/SHAKEN for France): only the company's own numbers.
 */
export const ownedCallerId: CallerIdRule = ownedNumbersOnly(
  'Loi n° 2020-901 (loi Naegelen) art. 10 and ARCEP MAN (number authentication), in force 2024-10-01',
  parisMidnight('2024-10-01'),
);

/** Automated dialers present only verified multi-purpose numbers (NPV). */
export const npvForAutomated: CallerIdRule = {
  code: 'npv-required',
  source: `ARCEP décision n° 2022-1583: automated calling systems present NPV numbers (${NPV_PREFIX_LIST})`,
  since: parisMidnight('2023-01-01'),
  rejects(phone, { campaign }) {
    if (campaign.dialing !== 'automated' || phone === null) return false;
    return phone.national === null || npvArea(phone.national) === null;
  },
};

/** Manual calls present a geographic (01–05) or 09 number. */
export const fixedForManual: CallerIdRule = {
  code: 'geographic-required',
  source: 'ARCEP décision n° 2022-1583: call centers present a fixed geographic or 09 number',
  since: parisMidnight('2023-01-01'),
  rejects(phone, { campaign }) {
    if (campaign.dialing !== 'manual' || phone === null) return false;
    return phone.national === null || !isFixedPresentable(phone.national);
  },
};
