import { callRulesFor, callerIdRulesOf } from '../rules/index.js';
import type { Decision, ReasonCode, SiteSettings } from '../model/types.js';

/** What each reason code means, in words an agent or a CRM user can read. */
const TEXT: Readonly<Record<ReasonCode, string>> = {
  'mobile-caller-id': 'a mobile number may not be presented: replaced',
  'caller-id-not-owned': 'the caller ID is not one of our numbers: replaced',
  'npv-required': 'automated calls present a verified multi-purpose number (NPV): replaced',
  'geographic-required': 'manual calls present a geographic or 09 number: replaced',
  'pool-number': 'the campaign\'s pool number was chosen',
  'invalid-number': 'the destination is not a valid telephone number',
  'unknown-campaign': 'the campaign is not configured',
  'outside-calling-hours': 'outside the hours prospecting calls are allowed in the consumer\'s time zone',
  'public-holiday': 'a public holiday where the consumer is',
  'attempt-limit': 'the consumer already got the most attempts allowed in the window',
  'refused-recently': 'the consumer refused a call recently',
  'min-gap': 'too soon after the previous attempt',
  'no-consent': 'no prior consent of the consumer on record or asserted',
  'do-not-call': 'the number is on the do-not-call list',
  'no-substitute': 'no compliant caller ID is left to present',
  'store-unavailable': 'the database is unavailable: the history cannot be checked',
};

/** What a reason code means, in words. */
export function reasonText(code: ReasonCode): string {
  return TEXT[code];
}

export interface ExplainedReason {
  readonly code: ReasonCode;
  readonly text: string;
  /** The legal text behind the rule, or null for what is not a rule (an invalid number…). */
  readonly source: string | null;
}

/** Each reason of a decision with its human text and the legal source of the rule that gave it. */
export function explainReasons(d: Decision, site: SiteSettings): ExplainedReason[] {
  const all = [...callerIdRulesOf(site.country), ...callRulesFor(d.area?.country ?? site.country)];
  return d.reasons.map((code) => ({ code, text: TEXT[code], source: all.find((r) => r.code === code)?.source ?? null }));
}
