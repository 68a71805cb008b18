import type { Phone } from '../numbers/phone.js';
import type { CallRequest, Campaign, History, ReasonCode, SiteSettings } from '../model/types.js';
import type { Area } from '../numbers/area.js';
import { zonedInstant } from '../time/zoned.js';

/** Everything a rule may look at. Built once per decision by the policy. */
export interface RuleContext {
  readonly request: CallRequest;
  readonly campaign: Campaign;
  readonly site: SiteSettings;
  readonly area: Area;
  readonly callee: Phone;
  readonly history: History;
  /** The consumer's prior consent to be called, asserted for this call or on record. */
  readonly hasConsent: boolean;
  /** Express prior consent to be called outside the legal window. */
  readonly consentAnytime: boolean;
}

interface LegalSource {
  readonly code: ReasonCode;
  /** The text that makes this a rule, for the docs and the audit trail. */
  readonly source: string;
  /** The instant the rule took effect (Europe/Paris midnight of its date). */
  readonly since: Date;
}

/** A rule that may block a call, and knows when time will lift the block. */
export interface CallRule extends LegalSource {
  applies(ctx: RuleContext): boolean;
  /** The first instant ≥ t at which this rule lets the call go; null when time alone never will. */
  nextAllowed(ctx: RuleContext, t: Date): Date | null;
}

/** A rule on the caller ID to present. */
export interface CallerIdRule extends LegalSource {
  /** True when this number must not be presented on this campaign's call. */
  rejects(phone: Phone | null, ctx: CallerIdContext): boolean;
}

export interface CallerIdContext {
  readonly campaign: Campaign;
  readonly site: SiteSettings;
}

/** Midnight in Paris on a `YYYY-MM-DD` date: when a French text takes effect. */
export function parisMidnight(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedInstant(y, m, d, 0, 'Europe/Paris');
}

export function inForce(rule: LegalSource, at: Date): boolean {
  return at.getTime() >= rule.since.getTime();
}

export function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
