import type { Config } from '../config/compile.js';
import { reasonText } from '../policy/reasons.js';
import type { Action, ReasonCode } from '../model/types.js';
import { maskUnlessOwned } from '../report/display.js';
import type { DashboardFigures } from '../store/dashboard-figures.js';
import type { Store } from '../store/store.js';
import { localDateKey, localTime } from '../time/zoned.js';
import type { DashboardSnapshot, PoolUse, RecentDecision } from './dashboard-view.js';
import type { Readiness } from './plugin.js';

/** The live chart covers this many minutes, one bucket each. */
export const DASHBOARD_MINUTES = 60;
/** Decisions listed on the dashboard, newest first. */
export const DASHBOARD_RECENT = 50;

const MINUTE_MS = 60_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05" or "2026-11-30 14:05:09" on the site's wall clock. */
function siteTime(at: Date, timeZone: string, withDate: boolean): string {
  const l = localTime(at, timeZone);
  const hm = `${pad(l.hour)}:${pad(l.minute)}`;
  return withDate ? `${l.year}-${pad(l.month)}-${pad(l.day)} ${hm}:${pad(at.getUTCSeconds())}` : hm;
}

/** What this node adds to the store's figures: its own readiness, name and count since start. */
export interface NodeView {
  readonly node: string;
  readonly readiness: Readiness;
  readonly decisionsSeen: number;
}

/**
 * The whole picture, from the store (every node's decisions: any node of a shared database shows
 * the center) dated in the last hour by their call's instant, plus this node's own connections.
 * Consumers' numbers are masked here, before anything leaves the server.
 */
export function dashboardSnapshot(figures: DashboardFigures, pool: readonly PoolUse[], config: Config, now: Date, self: NodeView): DashboardSnapshot {
  const tz = config.site.siteTimeZone;
  const current = Math.floor(now.getTime() / MINUTE_MS);
  const byMinute = new Map<number, Record<Action, number>>();
  for (const m of figures.perMinute) {
    const counts = byMinute.get(m.minute / MINUTE_MS) ?? { allow: 0, rewrite: 0, block: 0 };
    if (m.action in counts) counts[m.action as Action] += m.count;
    byMinute.set(m.minute / MINUTE_MS, counts);
  }
  const perMinute = [];
  for (let minute = current - DASHBOARD_MINUTES + 1; minute <= current; minute++) {
    perMinute.push({ minute: new Date(minute * MINUTE_MS).toISOString(), label: siteTime(new Date(minute * MINUTE_MS), tz, false), ...byMinute.get(minute) ?? { allow: 0, rewrite: 0, block: 0 } });
  }
  const lastHour = { allow: 0, rewrite: 0, block: 0 };
  for (const m of perMinute) for (const a of ['allow', 'rewrite', 'block'] as const) lastHour[a] += m[a];
  const reasons = new Map<string, number>();
  for (const b of figures.blocks) for (const code of b.reasons.split(',').filter(Boolean)) reasons.set(code, (reasons.get(code) ?? 0) + b.count);
  const owned = config.site.owned;
  const recent: RecentDecision[] = figures.recent.map((r) => ({
    at: r.at.toISOString(), time: siteTime(r.at, tz, true), campaign: r.campaign, action: r.action as Action,
    reasons: r.reasons ? r.reasons.split(',') : [], callerId: maskUnlessOwned(r.presentedCallerId ?? r.originalCallerId, owned),
    callee: maskUnlessOwned(r.callee, owned), source: r.source, lead: r.lead, node: r.node,
  }));
  return {
    generatedAt: now.toISOString(), time: siteTime(now, tz, true), timeZone: tz, node: self.node, decisionsSeen: self.decisionsSeen,
    lastHour: { decided: lastHour.allow + lastHour.rewrite + lastHour.block, ...lastHour }, perMinute,
    blocksByReason: [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, count]) => ({ code, text: reasonText(code as ReasonCode) ?? code, count })),
    pool, readiness: self.readiness, recent,
  };
}

/** The figures' first instant: the oldest minute the chart shows. */
export function dashboardSince(now: Date): Date {
  return new Date((Math.floor(now.getTime() / MINUTE_MS) - DASHBOARD_MINUTES + 1) * MINUTE_MS);
}

/** Today's presentations (site-local day, from the store: every node's) of each campaign's pool numbers, against its cap. */
export async function poolUseToday(store: Store, config: Config, now: Date): Promise<PoolUse[]> {
  const usage = await store.poolUsage(localDateKey(now, config.site.siteTimeZone));
  const rows: PoolUse[] = [];
  for (const c of config.campaigns.values()) {
    for (const n of c.pool) rows.push({ campaign: c.name, number: n.phone.e164, count: usage.get(n.phone.e164) ?? 0, cap: c.dailyCapPerNumber });
  }
  return rows;
}
