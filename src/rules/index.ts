import type { CountryCode, ReasonCode } from '../model/types.js';
import type { CountryRules, LegalLimits } from './country.js';
import { doNotCall } from './do-not-call.js';
import { spain } from './es/index.js';
import { france } from './fr/index.js';
import type { CallRule, CallerIdRule } from './rule.js';

/** Every country modelled; another one is a folder under src/rules/ and a line here. */
const COUNTRIES: Readonly<Record<CountryCode, CountryRules>> = { FR: france, ES: spain };

const COMPANY_ONLY: readonly CallRule[] = [doNotCall];
const CONSUMER_RULES: Readonly<Record<string, readonly CallRule[]>> = Object.fromEntries(
  // A country with a do-not-call rule of its own (Spain's Robinson list) replaces the generic one.
  Object.values(COUNTRIES).map((c) => [c.country, [...(c.consumerRules.some((r) => r.code === doNotCall.code) ? [] : [doNotCall]), ...c.consumerRules]]),
);

/** The rules of the call center's regulatory country. */
export function countryRules(country: CountryCode): CountryRules {
  return COUNTRIES[country];
}

/** The consumers' countries with rules of their own (the report counts each proof over the countries its rule protects). */
export const CONSUMER_COUNTRIES: readonly string[] = Object.keys(CONSUMER_RULES);

/**
 * The rules of this code protecting some country's consumers, one per country that has it (their
 * sources say why records are kept); only those of `countries` when given.
 */
export function consumerRulesWithCode(code: ReasonCode, countries?: ReadonlySet<string>): readonly CallRule[] {
  return Object.values(COUNTRIES).filter((c) => !countries || countries.has(c.country)).flatMap((c) => c.consumerRules.filter((r) => r.code === code));
}

/** The caller-ID rules of the call center's regulatory country. */
export function callerIdRulesOf(country: CountryCode): readonly CallerIdRule[] {
  return COUNTRIES[country].callerIdRules;
}

/** The rules protecting a consumer of this country (by the callee's number), plus the company's own list. */
export function callRulesFor(consumerCountry: string | null): readonly CallRule[] {
  return (consumerCountry !== null && CONSUMER_RULES[consumerCountry]) || COMPANY_ONLY;
}

/**
 * The strictest prospecting ceilings over every modelled country: a campaign may call consumers
 * of any of them, and purges must keep what the longest window reads. Null when no country sets any.
 */
export function strictestProspectingLimits(): LegalLimits | null {
  const all = Object.values(COUNTRIES).flatMap((c) => (c.prospectingLimits ? [c.prospectingLimits] : []));
  if (all.length === 0) return null;
  return {
    maxAttempts: Math.min(...all.map((l) => l.maxAttempts)),
    windowDays: Math.max(...all.map((l) => l.windowDays)),
    refusalDays: Math.max(...all.map((l) => l.refusalDays)),
  };
}
