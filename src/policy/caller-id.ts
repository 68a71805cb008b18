import { isFixedPresentable } from '../numbers/france.js';
import type { Phone } from '../numbers/phone.js';
import type { CallerIdRule, CallerIdContext } from '../rules/rule.js';
import { inForce } from '../rules/rule.js';
import type { Campaign, History, PoolNumber, ReasonCode } from '../model/types.js';
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

/**
 * Keeps a compliant original; otherwise picks from the campaign's pool: the consumer's previous
 * number first (calling back reaches the campaign), else the best-ranked, least used today.
 */
export function chooseCallerId(
  original: Phone | null, rules: readonly CallerIdRule[], ctx: CallerIdContext,
  area: Area, callee: Phone, history: History, at: Date,
): CallerIdChoice {
  const violations = callerIdViolations(original, rules, ctx, at);
  if (original && violations.length === 0 && ctx.site.keepCompliantCallerId) {
    return { callerId: original.e164, kept: true, reasons: [] };
  }
  const reasons: ReasonCode[] = violations.length > 0 ? violations : ['pool-number'];
  const ranked = rankPool(ctx.campaign, area, callee, countryRules(ctx.site.country).automatedPresentNpv)
    .filter(({ number }) => !capped(ctx.campaign, number, history)
      && callerIdViolations(number.phone, rules, ctx, at).length === 0);
  if (ranked.length === 0) return { callerId: null, kept: false, reasons };

  const sticky = ranked.find(({ number }) => number.phone.e164 === history.lastPresented);
  if (sticky) return { callerId: sticky.number.phone.e164, kept: false, reasons };

  const bestRank = ranked[0]!.rank;
  let best = ranked[0]!.number;
  for (const { number, rank } of ranked) {
    if (rank !== bestRank) break;
    if (usage(history, number) < usage(history, best)) best = number;
  }
  return { callerId: best.phone.e164, kept: false, reasons };
}

interface Ranked {
  readonly number: PoolNumber;
  /** Lower is better. */
  readonly rank: number;
}

/**
 * Automated calls from a French call center: NPV numbers of the callee's area, then non-geographic
 * NPV (0948/0949); nothing else. Manual calls, and every call elsewhere: fixed non-NPV numbers by the
 * longest national prefix shared with the callee (04 72… before 04…, before 09…, before another
 * zone), then NPV numbers as a last resort.
 */
function rankPool(campaign: Campaign, area: Area, callee: Phone, automatedPresentNpv: boolean): Ranked[] {
  const ranked: Ranked[] = [];
  const npvOnly = campaign.dialing === 'automated' && automatedPresentNpv;
  campaign.pool.forEach((number) => {
    const rank = npvOnly ? npvRank(number, area) : manualRank(number, callee);
    if (rank !== null) ranked.push({ number, rank });
  });
  return ranked.sort((a, b) => a.rank - b.rank); // stable: pool order breaks ties
}

function npvRank(number: PoolNumber, area: Area): number | null {
  if (number.npv === area.npvArea) return 0;
  if (number.npv === 'non-geographic') return 1;
  return null;
}

const NPV_FALLBACK = 1000;

function manualRank(number: PoolNumber, callee: Phone): number | null {
  const own = number.phone;
  if (own.national !== null && !isFixedPresentable(own.national)) return null;
  if (number.npv !== null) return NPV_FALLBACK;
  // Compare like with like: national spellings within the French plan, E.164 otherwise.
  const shared = own.national !== null && callee.national !== null
    ? commonPrefix(own.national, callee.national)
    : commonPrefix(own.e164, callee.e164) - 1;
  // Rank by shared digits (more is better); a 09 number beats another zone's geographic number.
  const nonGeographicBonus = shared <= 1 && own.national?.startsWith('09') ? 0.5 : 0;
  return 100 - shared - nonGeographicBonus;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

function usage(history: History, number: PoolNumber): number {
  return history.usageToday.get(number.phone.e164) ?? 0;
}

function capped(campaign: Campaign, number: PoolNumber, history: History): boolean {
  return campaign.dailyCapPerNumber !== null && usage(history, number) >= campaign.dailyCapPerNumber;
}
