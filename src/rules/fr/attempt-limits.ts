import type { PastAttempt } from '../../model/types.js';
import { DAY_MS } from '../../time/zoned.js';
import { maxDate, parisMidnight, type CallRule, type RuleContext } from '../rule.js';

/** The law's ceilings for prospecting; a campaign may only be stricter. */
export const LEGAL_MAX_ATTEMPTS = 4;
export const LEGAL_WINDOW_DAYS = 30;
export const LEGAL_REFUSAL_DAYS = 60;

const DECREE = 'Code de la consommation art. D.223-9 (décret n° 2022-1313)';

/**
 * The instants (ms, oldest first) of the attempts that count against this campaign's limit, on both
 * sides of the call when the decision records (see History.later). Prospecting: every prospecting
 * attempt to the consumer, whatever the campaign (the law counts per professional). Service
 * campaigns, when given a limit: their own attempts.
 */
function counted(ctx: RuleContext): number[] {
  const { campaign } = ctx;
  const mine = (a: PastAttempt) => (campaign.purpose === 'prospecting' ? a.purpose === 'prospecting' : a.campaign === campaign.name);
  return [...ctx.history.attempts, ...(ctx.history.later ?? [])].filter(mine).map((a) => a.at.getTime()).sort((a, b) => a - b);
}

/**
 * Whether an attempt at `t` keeps every rolling window of `windowMs` that contains it within `max`
 * attempts, among the others at `times` (sorted): a window (s − windowMs, s] holds points p₁ ≤ … ≤ pₖ
 * exactly when pₖ − p₁ < windowMs, so every `max + 1` consecutive attempts that include the new one
 * must span at least `windowMs`. Windows without it are not this call's to judge.
 */
export function fitsWindows(times: readonly number[], t: number, max: number, windowMs: number): boolean {
  if (max <= 0) return false;
  let j = 0;
  while (j < times.length && times[j]! <= t) j++;
  const all = [...times.slice(0, j), t, ...times.slice(j)];
  for (let i = Math.max(0, j - max); i <= j && i + max < all.length; i++) {
    if (all[i + max]! - all[i]! < windowMs) return false;
  }
  return true;
}

/** Whether an attempt at `t` is at least `gapMs` from every other one. */
export function fitsGap(times: readonly number[], t: number, gapMs: number): boolean {
  return times.every((a) => Math.abs(t - a) >= gapMs);
}

/**
 * The first instant ≥ t that fits. Moving later only frees a place when an attempt leaves a window
 * or a gap (at a + `afterMs`): those instants and t are the only candidates. Attempts beyond what
 * was read (the window after the call) are not known: a later candidate is advice, re-checked when recorded.
 */
export function firstFit(times: readonly number[], t: number, afterMs: number, fits: (at: number) => boolean): number {
  const candidates = [t, ...times.map((a) => a + afterMs).filter((c) => c > t)].sort((a, b) => a - b);
  return candidates.find(fits) ?? candidates[candidates.length - 1]!;
}

/**
 * At most 4 attempts, answered or not, per consumer in any rolling 30 days: the 5th is blocked. A
 * recording decision counts the attempts logged after its instant too (History.later), so the log
 * holds the limit in every window whatever the clock that dated the call.
 */
export const attemptLimit: CallRule = {
  code: 'attempt-limit',
  source: `${DECREE}: at most 4 calls per consumer in 30 days`,
  since: parisMidnight('2023-03-01'),
  applies: (ctx) => ctx.campaign.limits.maxAttempts !== null,
  nextAllowed(ctx, t) {
    const max = ctx.campaign.limits.maxAttempts ?? Infinity;
    const windowMs = ctx.campaign.limits.windowDays * DAY_MS;
    const times = counted(ctx);
    return new Date(firstFit(times, t.getTime(), windowMs, (at) => fitsWindows(times, at, max, windowMs)));
  },
};

/** A campaign's minimum gap between two attempts to one consumer, before and after the call. */
export const minGap: CallRule = {
  code: 'min-gap',
  source: 'Campaign setting (stricter than the law)',
  since: new Date(0),
  applies: (ctx) => ctx.campaign.limits.minGapMinutes !== null,
  nextAllowed(ctx, t) {
    const gapMs = (ctx.campaign.limits.minGapMinutes ?? 0) * 60_000;
    const times = counted(ctx);
    return new Date(firstFit(times, t.getTime(), gapMs, (at) => fitsGap(times, at, gapMs)));
  },
};

/** After the consumer refused during a call, no prospecting attempt for 60 days. */
export const refusedRecently: CallRule = {
  code: 'refused-recently',
  source: `${DECREE}: no new call for 60 days after the consumer refused`,
  since: parisMidnight('2023-03-01'),
  applies: (ctx) => ctx.campaign.limits.refusalDays !== null && ctx.history.lastRefusalAt !== null,
  nextAllowed(ctx, t) {
    const refusedAt = ctx.history.lastRefusalAt;
    if (refusedAt === null) return t;
    return maxDate(t, new Date(refusedAt.getTime() + (ctx.campaign.limits.refusalDays ?? 0) * DAY_MS));
  },
};
