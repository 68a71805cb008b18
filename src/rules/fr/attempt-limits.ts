import type { PastAttempt } from '../../model/types.js';
import { DAY_MS } from '../../time/zoned.js';
import { maxDate, parisMidnight, type CallRule, type RuleContext } from '../rule.js';

/** The law's ceilings for prospecting; a campaign may only be stricter. */
export const LEGAL_MAX_ATTEMPTS = 4;
export const LEGAL_WINDOW_DAYS = 30;
export const LEGAL_REFUSAL_DAYS = 60;

const DECREE = 'Code de la consommation art. D.223-9 (décret n° 2022-1313)';

/**
 * The attempts that count against this campaign's limit. Prospecting: every prospecting
 * attempt to the consumer, whatever the campaign (the law counts per professional). Service
 * campaigns, when given a limit: their own attempts.
 */
function counted(ctx: RuleContext): PastAttempt[] {
  const { campaign } = ctx;
  return ctx.history.attempts.filter((a) =>
    campaign.purpose === 'prospecting' ? a.purpose === 'prospecting' : a.campaign === campaign.name,
  );
}

/** At most 4 attempts, answered or not, per consumer in any rolling 30 days: the 5th is blocked. */
export const attemptLimit: CallRule = {
  code: 'attempt-limit',
  source: `${DECREE}: at most 4 calls per consumer in 30 days`,
  since: parisMidnight('2023-03-01'),
  applies: (ctx) => ctx.campaign.limits.maxAttempts !== null,
  nextAllowed(ctx, t) {
    const max = ctx.campaign.limits.maxAttempts ?? Infinity;
    const windowMs = ctx.campaign.limits.windowDays * DAY_MS;
    const inWindow = counted(ctx).filter((a) => a.at.getTime() > t.getTime() - windowMs);
    if (inWindow.length < max) return t;
    // Most recent first: the slot frees when the max-th most recent leaves the window.
    const freeing = inWindow[max - 1];
    return freeing ? maxDate(t, new Date(freeing.at.getTime() + windowMs)) : t;
  },
};

/** A campaign's minimum gap between two attempts to one consumer. */
export const minGap: CallRule = {
  code: 'min-gap',
  source: 'Campaign setting (stricter than the law)',
  since: new Date(0),
  applies: (ctx) => ctx.campaign.limits.minGapMinutes !== null,
  nextAllowed(ctx, t) {
    const last = counted(ctx)[0];
    if (!last) return t;
    return maxDate(t, new Date(last.at.getTime() + (ctx.campaign.limits.minGapMinutes ?? 0) * 60_000));
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
