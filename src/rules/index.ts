import type { CallRule, CallerIdRule } from './rule.js';
import { doNotCall } from './do-not-call.js';
import * as es from './es/index.js';
import * as fr from './fr/index.js';

/** Rules by country, so that more can follow. */
const COUNTRIES = { FR: fr, ES: es } as const;

const CALL_RULES: Readonly<Record<string, readonly CallRule[]>> = {
  FR: [doNotCall, ...fr.consumerRules],
  ES: [doNotCall, ...es.consumerRules],
};
const COMPANY_ONLY: readonly CallRule[] = [doNotCall];

/** The consumers' countries with rules of their own (the report counts each proof over the countries its rule protects). */
export const CONSUMER_COUNTRIES: readonly string[] = Object.keys(CALL_RULES);

/** The caller-ID rules of the call center's regulatory country. */
export function callerIdRulesOf(country: keyof typeof COUNTRIES): readonly CallerIdRule[] {
  return COUNTRIES[country].callerIdRules;
}

/** The rules protecting a consumer of this country (by the callee's number), plus the company's own list. */
export function callRulesFor(consumerCountry: string | null): readonly CallRule[] {
  return (consumerCountry !== null && CALL_RULES[consumerCountry]) || COMPANY_ONLY;
}
