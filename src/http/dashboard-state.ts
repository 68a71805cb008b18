import type { Clock } from '../clock.js';
import type { Config } from '../config/compile.js';
import { reasonText } from '../policy/reasons.js';
import type { Action, ReasonCode } from '../model/types.js';
import { maskUnlessOwned } from '../report/display.js';
import type { DecisionEvent } from '../service/gateway.js';
import type { Store } from '../store/store.js';
import { localDateKey, localTime } from '../time/zoned.js';
import type { DashboardSnapshot, PoolUse, RecentDecision } from './dashboard-view.js';
import type { Readiness } from './plugin.js';

/** The live chart covers this many minutes, one bucket each. */
export const DASHBOARD_MINUTES = 60;
/** Decisions listed on the dashboard, newest first. */
export const DASHBOARD_RECENT = 50;

const MINUTE_MS = 60_000;

interface MinuteBucket {
  minute: number;
  counts: Record<Action, number>;
  /** Blocks per reason code (a closed set: bounded). */
  reasons: Map<string, number>;
}

const emptyBucket = (minute: number): MinuteBucket => ({ minute, counts: { allow: 0, rewrite: 0, block: 0 }, reasons: new Map() });

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05" or "2026-11-30 14:05:09" on the site's wall clock. */
function siteTime(at: Date, timeZone: string, withDate: boolean): string {
  const l = localTime(at, timeZone);
  const hm = `${pad(l.hour)}:${pad(l.minute)}`;
  return withDate ? `${l.year}-${pad(l.month)}-${pad(l.day)} ${hm}:${pad(at.getUTCSeconds())}` : hm;
}

/**
 * What the dashboard shows of the decisions this process made, kept in bounded memory: one
 * bucket per minute of the last hour (a ring of 60) and the last 50 decisions (a ring of 50),
 * numbers masked as they are recorded — no consumer's number is ever held whole here.
 */
export class DashboardState {
  private readonly minutes: MinuteBucket[] = Array.from({ length: DASHBOARD_MINUTES }, () => emptyBucket(-1));
  private readonly recent: (RecentDecision | null)[] = new Array<RecentDecision | null>(DASHBOARD_RECENT).fill(null);
  private nextRecent = 0;
  private seen = 0;

  constructor(private readonly config: () => Config, private readonly clock: Clock) {}

  /** A decision as the gateway published it, counted in the minute it was taken (this process's clock). */
  record(event: DecisionEvent): void {
    const now = this.clock.now();
    const d = event.result.decision;
    const bucket = this.bucket(Math.floor(now.getTime() / MINUTE_MS));
    bucket.counts[d.action]++;
    if (d.action === 'block') for (const code of d.reasons) bucket.reasons.set(code, (bucket.reasons.get(code) ?? 0) + 1);
    const config = this.config();
    const owned = config.site.owned;
    this.recent[this.nextRecent] = {
      at: now.toISOString(), time: siteTime(now, config.site.siteTimeZone, true), campaign: d.campaign, action: d.action,
      reasons: d.reasons, callerId: maskUnlessOwned(d.callerId ?? d.originalCallerId, owned), callee: maskUnlessOwned(d.callee, owned),
      source: event.request.pbx?.source ?? null,
    };
    this.nextRecent = (this.nextRecent + 1) % DASHBOARD_RECENT;
    this.seen++;
  }

  private bucket(minute: number): MinuteBucket {
    const i = minute % DASHBOARD_MINUTES;
    if (this.minutes[i]!.minute !== minute) this.minutes[i] = emptyBucket(minute);
    return this.minutes[i]!;
  }

  /** The whole picture: the in-memory figures, with today's pool usage and the readiness checks given. */
  snapshot(pool: readonly PoolUse[], readiness: Readiness): DashboardSnapshot {
    const now = this.clock.now();
    const tz = this.config().site.siteTimeZone;
    const current = Math.floor(now.getTime() / MINUTE_MS);
    const perMinute = [];
    const reasons = new Map<string, number>();
    for (let minute = current - DASHBOARD_MINUTES + 1; minute <= current; minute++) {
      const b = this.minutes[minute % DASHBOARD_MINUTES]!;
      const live = b.minute === minute ? b : emptyBucket(minute);
      perMinute.push({ minute: new Date(minute * MINUTE_MS).toISOString(), label: siteTime(new Date(minute * MINUTE_MS), tz, false), ...live.counts });
      for (const [code, n] of live.reasons) reasons.set(code, (reasons.get(code) ?? 0) + n);
    }
    const lastHour = { allow: 0, rewrite: 0, block: 0 };
    for (const m of perMinute) for (const a of ['allow', 'rewrite', 'block'] as const) lastHour[a] += m[a];
    const recent: RecentDecision[] = [];
    for (let k = 1; k <= DASHBOARD_RECENT; k++) {
      const r = this.recent[(this.nextRecent - k + DASHBOARD_RECENT) % DASHBOARD_RECENT];
      if (r) recent.push(r);
    }
    return {
      generatedAt: now.toISOString(), time: siteTime(now, tz, true), timeZone: tz, decisionsSeen: this.seen,
      lastHour: { decided: lastHour.allow + lastHour.rewrite + lastHour.block, ...lastHour }, perMinute,
      blocksByReason: [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([code, count]) => ({ code, text: reasonText(code as ReasonCode) ?? code, count })),
      pool, readiness, recent,
    };
  }
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
