import type { Phone } from '../numbers/phone.js';
import type { CallerIdRule, CallerIdContext } from '../rules/rule.js';
import { inForce } from '../rules/rule.js';
import type { History, PoolNumber, ReasonCode } from '../model/types.js';
import type { CountryRules } from '../rules/country.js';
import { countryRules } from '../rules/index.js';
import type { Area } from '../numbers/area.js';

export interface CallerIdChoice {
  /** E.164 to present, or null when no compliant number is available. */
  readonly callerId: string | null;
  readonly kept: boolean;
  /** Why the original was not kept. */
  readonly reasons: readonly ReasonCode[];
}

/** The codes of the caller-ID rules in force that reject this number. */
function callerIdViolations(
  phone: Phone | null, rules: readonly CallerIdRule[], ctx: CallerIdContext, at: Date,
): ReasonCode[] {
  const codes: ReasonCode[] = [];
  for (const rule of rules) if (inForce(rule, at) && rule.rejects(phone, ctx)) codes.push(rule.code);
  return codes;
}

/** Keeps a compliant original; otherwise picks from the campaign's pool (bestPoolNumber). */
export function chooseCallerId(
  original: Phone | null, rules: readonly CallerIdRule[], ctx: CallerIdContext,
  area: Area, callee: Phone, history: History, at: Date,
): CallerIdChoice {
  const violations = callerIdViolations(original, rules, ctx, at);
  if (original && violations.length === 0 && ctx.site.keepCompliantCallerId) {
    return { callerId: original.e164, kept: true, reasons: [] };
  }
  const reasons: ReasonCode[] = violations.length > 0 ? violations : ['pool-number'];
  const best = bestPoolNumber(countryRules(ctx.site.country), rules, ctx, area, callee, history, at);
  return { callerId: best?.phone.e164 ?? null, kept: false, reasons };
}

/**
 * Among the pool numbers the country's ranking admits, under their daily cap and rejected by no
 * caller-ID rule: the consumer's previous number (calling back reaches the campaign), else the
 * best-ranked, least used today, pool order breaking ties. One pass allocating nothing: it runs
 * on every rewritten call.
 */
function bestPoolNumber(
  country: CountryRules, rules: readonly CallerIdRule[], ctx: CallerIdContext,
  area: Area, callee: Phone, history: History, at: Date,
): PoolNumber | null {
  const { campaign } = ctx;
  let best: PoolNumber | null = null;
  let bestRank = Infinity;
  let bestUsage = Infinity;
  for (const number of campaign.pool) {
    const rank = country.rankPoolNumber(number, campaign.dialing, area, callee);
    if (rank === null) continue;
    const used = history.usageToday.get(number.phone.e164) ?? 0;
    if (campaign.dailyCapPerNumber !== null && used >= campaign.dailyCapPerNumber) continue;
    if (rejected(number.phone, rules, ctx, at)) continue;
    if (number.phone.e164 === history.lastPresented) return number;
    if (rank < bestRank || (rank === bestRank && used < bestUsage)) {
      best = number;
      bestRank = rank;
      bestUsage = used;
    }
  }
  return best;
}

function rejected(phone: Phone, rules: readonly CallerIdRule[], ctx: CallerIdContext, at: Date): boolean {
  for (const rule of rules) if (inForce(rule, at) && rule.rejects(phone, ctx)) return true;
  return false;
}
