import type { Config } from '../config/compile.js';
import { strictestProspectingLimits } from '../rules/index.js';
import type { PurgeCutoffs } from '../store/store.js';
import { DAY_MS, localDateKey } from '../time/zoned.js';

/**
 * What a purge may delete, never cutting the history a rule reads: decisions are kept at least
 * as long as the longest attempt window of any campaign, refusals as long as the longest refusal
 * period, plus a day of margin for time zones. Consent events are kept as long as the decisions:
 * the consent in force at the decisions' cutoff is what the oldest kept calls relied on (and what
 * future calls read while nothing replaced it). Returns the cutoffs and the retention in force.
 */
export function purgeCutoffs(config: Config, olderThanDays: number, now: Date): { cutoffs: PurgeCutoffs; retentionDays: number } {
  const campaigns = [...config.campaigns.values()];
  const law = strictestProspectingLimits();
  const attemptDays = Math.max(law?.windowDays ?? 0, ...campaigns.map((c) => c.limits.windowDays + Math.ceil((c.limits.minGapMinutes ?? 0) / 1440)));
  const refusalDays = Math.max(law?.refusalDays ?? 0, ...campaigns.map((c) => c.limits.refusalDays ?? 0));
  const retentionDays = Math.max(olderThanDays, attemptDays + 1);
  const decisionsBefore = new Date(now.getTime() - retentionDays * DAY_MS);
  return {
    retentionDays,
    cutoffs: {
      decisionsBefore,
      consentsBefore: decisionsBefore,
      refusalsBefore: new Date(now.getTime() - Math.max(olderThanDays, refusalDays + 1) * DAY_MS),
      usageBefore: localDateKey(new Date(now.getTime() - DAY_MS), config.site.siteTimeZone),
    },
  };
}
