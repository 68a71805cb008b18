import { type CallerIdRule } from './rule.js';

/** Only the company's own numbers (pools and `ownedNumbers`), when the site requires it: each country's text and date. */
export function ownedNumbersOnly(source: string, since: Date): CallerIdRule {
  return {
    code: 'caller-id-not-owned',
    source,
    since,
    rejects(phone, { site }) {
      return site.requireOwnedCallerId && (phone === null || !site.owned.has(phone.e164));
    },
  };
}
