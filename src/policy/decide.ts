import { calleeArea } from '../numbers/area.js';
import { parsePhone, type Phone } from '../numbers/phone.js';
import { callRulesFor, callerIdRulesOf } from '../rules/index.js';
import { inForce, type CallRule, type RuleContext } from '../rules/rule.js';
import type { Clock } from '../clock.js';
import { chooseCallerId } from './caller-id.js';
import type { CallRequest, Campaign, Decision, History, ReasonCode, SiteSettings } from '../model/types.js';

/** How many times the retry search may move forward before giving up (rules feed each other). */
const MAX_RETRY_STEPS = 32;

/** A call's two numbers, parsed once in the site's numbering plan. */
export interface CallNumbers {
  readonly original: Phone | null;
  readonly callee: Phone | null;
}

/** The call's caller ID and callee as the site's country writes numbers (a Spanish site: nine digits). */
export function parseCallNumbers(call: CallRequest, site: SiteSettings): CallNumbers {
  return { original: parsePhone(call.from, site.country), callee: parsePhone(call.to, site.country) };
}

/**
 * The whole policy, pure: the call, what the store knows about the consumer, the site's settings and
 * the campaign, and the time. Everything that talks to the world adapts to and from this. `numbers`:
 * the call's numbers as the gateway parsed them for the history lookup (parsed here when absent).
 */
export function decide(
  call: CallRequest, history: History, site: SiteSettings, campaign: Campaign | undefined, clock: Clock,
  numbers: CallNumbers = parseCallNumbers(call, site),
): Decision {
  const at = clock.now();
  const { original, callee } = numbers;
  const base = {
    originalCallerId: original?.e164 ?? null, callee: callee?.e164 ?? null, campaign: call.campaign,
    purpose: campaign?.purpose ?? null, at, consentRef: consentRef(call, history),
    dialing: campaign?.dialing ?? null, basis: campaign?.basis ?? null,
    consentAnytime: call.consentAnytime === true || history.consent?.anytime === true,
  };
  if (!campaign) return { ...base, action: 'block', callerId: null, area: null, reasons: ['unknown-campaign'], retryAt: null };
  if (!callee) return { ...base, action: 'block', callerId: null, area: null, reasons: ['invalid-number'], retryAt: null };

  const area = calleeArea(callee, { zone: call.zone, timeZone: call.timeZone, defaultZone: campaign.defaultZone });
  const ctx: RuleContext = {
    request: call, campaign, site, area, callee, history,
    hasConsent: base.consentRef !== null,
    consentAnytime: base.consentAnytime,
  };

  const callRules = callRulesFor(area.country).filter((r) => r.applies(ctx));
  const blocking = blockingAt(callRules, ctx, at);
  const choice = chooseCallerId(original, callerIdRulesOf(site.country), { campaign, site }, area, callee, history, at);
  if (choice.callerId === null) blocking.push('no-substitute');

  if (blocking.length > 0) {
    const timeLifts = !blocking.includes('no-substitute');
    return {
      ...base, action: 'block', callerId: null, area, reasons: blocking,
      retryAt: timeLifts ? retryAt(callRules, ctx, at) : null,
    };
  }
  return {
    ...base, area, action: choice.kept ? 'allow' : 'rewrite', callerId: choice.callerId, reasons: choice.reasons,
    retryAt: null,
  };
}

function blockingAt(rules: readonly CallRule[], ctx: RuleContext, t: Date): ReasonCode[] {
  const codes: ReasonCode[] = [];
  for (const rule of rules) {
    if (!inForce(rule, t)) continue;
    const next = rule.nextAllowed(ctx, t);
    if (next === null || next.getTime() > t.getTime()) codes.push(rule.code);
  }
  return codes;
}

/**
 * The first instant at which every rule lets the call go, or null when time alone will not.
 * Each rule moves the candidate forward (the 30-day slot frees on a Sunday, the window then
 * opens Monday 10:00, unless Monday is a holiday…) until all agree.
 */
export function retryAt(rules: readonly CallRule[], ctx: RuleContext, from: Date): Date | null {
  let t = from;
  for (let step = 0; step < MAX_RETRY_STEPS; step++) {
    let moved = false;
    for (const rule of rules) {
      if (!inForce(rule, t)) continue;
      const next = rule.nextAllowed(ctx, t);
      if (next === null) return null;
      if (next.getTime() > t.getTime()) {
        t = next;
        moved = true;
      }
    }
    if (!moved) return t;
  }
  return null;
}

/** The consent reference of a call the dialer said had consent, naming no proof. */
export const ASSERTED_BY_DIALER = 'asserted-by-dialer';
/** The consent reference of a call that relied on a consent recorded without a source. */
export const ON_RECORD = 'on-record';

/** Consent asserted by the dialer for this call, else the consumer's unrevoked recorded consent. */
function consentRef(call: CallRequest, history: History): string | null {
  if (typeof call.consent === 'string' && call.consent.length > 0) return call.consent;
  if (call.consent === true) return ASSERTED_BY_DIALER;
  if (history.consent) return history.consent.source ?? ON_RECORD;
  return null;
}
