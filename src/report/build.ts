import type { Config } from '../config/compile.js';
import { reasonText } from '../policy/reasons.js';
import type { Action, ReasonCode } from '../model/types.js';
import type { Clock } from '../clock.js';
import { CONSUMER_COUNTRIES, callRulesFor, callerIdRulesOf } from '../rules/index.js';
import type { PlaceCount, PresentedCount, ReportQueries, ReportScope } from '../store/report-queries.js';
import type { AttemptRow } from '../store/store.js';
import { localDateKey, localTime, zonedInstant } from '../time/zoned.js';
import { areaLabel, consumerTime, maskUnlessOwned } from './display.js';
import type { ActionCounts, CallerIdUse, Heatmap, OffendingAttempt, Report, Summary } from './model.js';
import { computeProofs, dailyCapOf, insideLegalHours, placeArea } from './proofs.js';

export interface ReportOptions {
  readonly scope: ReportScope;
  /** Show every number whole (the officer who needs them asked, and it is logged). */
  readonly unmasked: boolean;
  /** Offending attempts listed per proof (all are counted; default 100, Infinity: all). */
  readonly offendingLimit?: number;
}

const zero = (): ActionCounts => ({ allow: 0, rewrite: 0, block: 0 });

/**
 * Computes the report: every figure comes from an aggregate the database computed (see
 * ReportQueries); only groups and the listed offending attempts are held in memory.
 */
export async function buildReport(queries: ReportQueries, config: Config, clock: Clock, opts: ReportOptions): Promise<Report> {
  const { scope } = opts;
  const siteTz = config.site.siteTimeZone;
  // Our own numbers are not personal data; every other number is partly hidden unless asked for.
  const hide = (n: string | null) => (opts.unmasked ? n : maskUnlessOwned(n, config.site.owned));
  const show = (r: AttemptRow): OffendingAttempt => {
    const area = r.area ? (JSON.parse(r.area) as { timeZone?: string; territory?: string | null; zone?: string | null; country?: string | null }) : null;
    return {
      id: r.id, at: r.at.toISOString(), consumerTime: consumerTime(r.at, area?.timeZone ?? siteTz), campaign: r.campaign,
      callee: hide(r.callee), callerId: hide(r.presentedCallerId), area: areaLabel(area), consentRef: r.consentRef,
      lead: opts.unmasked ? r.lead : null,
    };
  };
  // Read once, used by several sections (each is a scan of the period).
  const placeGroups: PlaceCount[] = [];
  for await (const g of queries.prospectingByQuarter(scope)) placeGroups.push(g);
  const presented: PresentedCount[] = [];
  for await (const g of queries.presented(scope)) presented.push(g);
  const summary = await summarize(queries, config, scope);
  const reached = new Set(placeGroups.flatMap((g) => (g.country === null ? [] : [g.country])));
  const proofs = await computeProofs({ queries, config, scope, limit: opts.offendingLimit ?? 100, show, reached }, placeGroups, presented);
  const callerIds = await callerIdUse(queries, config, scope, presented, hide);
  return {
    generatedAt: clock.now().toISOString(),
    period: { from: scope.from.toISOString(), to: scope.to.toISOString(), campaign: scope.campaign, timeZone: siteTz },
    masked: !opts.unmasked, summary, proofs, callerIds, heatmap: heatmap(config, placeGroups),
  };
}

async function summarize(queries: ReportQueries, config: Config, scope: ReportScope): Promise<Summary> {
  const siteTz = config.site.siteTimeZone;
  const total = zero();
  const byCampaign = new Map<string, ActionCounts>();
  const byDay = new Map<string, ActionCounts>();
  for await (const g of queries.decisionsByQuarter(scope)) {
    const action = g.action as Action;
    total[action] += g.count;
    const c = byCampaign.get(g.campaign) ?? zero();
    c[action] += g.count;
    byCampaign.set(g.campaign, c);
    const day = localDateKey(new Date(g.quarter), siteTz);
    const d = byDay.get(day) ?? zero();
    d[action] += g.count;
    byDay.set(day, d);
  }
  const reasons = new Map<string, number>();
  for await (const g of queries.blockedReasons(scope)) {
    for (const code of g.reasons.split(',').filter(Boolean)) reasons.set(code, (reasons.get(code) ?? 0) + g.count);
  }
  // A block's reason may come from any consumer's country (each list holds the company's own do-not-call list too).
  const rules = [...callerIdRulesOf(config.site.country), ...CONSUMER_COUNTRIES.flatMap((c) => callRulesFor(c))];
  const byStatus: { status: string; count: number }[] = [];
  let attempts = 0;
  let answered = 0;
  let answeredSeconds = 0;
  for await (const o of queries.outcomes(scope)) {
    attempts += o.count;
    if (o.outcome === null) continue;
    byStatus.push({ status: o.outcome, count: o.count });
    if (o.outcome === 'answered') { answered = o.count; answeredSeconds = o.durationSeconds; }
  }
  const withOutcome = byStatus.reduce((s, o) => s + o.count, 0);
  return {
    decided: total.allow + total.rewrite + total.block, allowed: total.allow, rewritten: total.rewrite, blocked: total.block,
    byCampaign: [...byCampaign].sort(([a], [b]) => a.localeCompare(b)).map(([campaign, c]) => ({ campaign, ...c })),
    byDay: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, c]) => ({ day, ...c })),
    blocksByReason: [...reasons].sort((a, b) => b[1] - a[1]).map(([code, count]) => ({
      code, text: reasonText(code as ReasonCode) ?? code, source: rules.find((r) => r.code === code)?.source ?? null, count,
    })),
    outcomes: {
      attempts, withOutcome, answered,
      answerRate: withOutcome > 0 ? answered / withOutcome : null,
      meanAnsweredSeconds: answered > 0 ? answeredSeconds / answered : null,
      byStatus: byStatus.sort((a, b) => b.count - a.count),
    },
  };
}

async function callerIdUse(queries: ReportQueries, config: Config, scope: ReportScope, presented: readonly PresentedCount[],
  hide: (n: string | null) => string | null): Promise<CallerIdUse[]> {
  const uses = new Map<string, { count: number; campaigns: Set<string>; areas: Map<string, number>; days: Map<string, number> }>();
  const use = (n: string) => {
    let u = uses.get(n);
    if (!u) uses.set(n, (u = { count: 0, campaigns: new Set(), areas: new Map(), days: new Map() }));
    return u;
  };
  for (const g of presented) {
    const u = use(g.number);
    u.count += g.count;
    u.campaigns.add(g.campaign);
  }
  for await (const g of queries.presentedByArea(scope)) {
    const u = use(g.number);
    const area = g.area === null ? '—' : /^[1-5]$/.test(g.area) ? `zone ${g.area}` : g.area;
    u.areas.set(area, (u.areas.get(area) ?? 0) + g.count);
  }
  for await (const g of queries.presentedByQuarter(scope)) {
    const u = use(g.number);
    const day = localDateKey(new Date(g.quarter), config.site.siteTimeZone);
    u.days.set(day, (u.days.get(day) ?? 0) + g.count);
  }
  return [...uses].sort((a, b) => b[1].count - a[1].count).map(([number, u]) => {
    const [busiestDay, busiestDayCount] = [...u.days].reduce((best, d) => (d[1] > best[1] ? d : best), ['—', 0] as [string, number]);
    return {
      number: hide(number)!, owned: config.site.owned.has(number), campaigns: [...u.campaigns].sort(), count: u.count,
      areas: [...u.areas].sort((a, b) => b[1] - a[1]).map(([area, count]) => ({ area, count })),
      busiestDay, busiestDayCount, dailyCap: dailyCapOf(config, number),
    };
  });
}

/** A Monday with no public holiday, to draw the legal window from the rules themselves. */
const REFERENCE_MONDAY = { year: 2026, month: 11, day: 30 };

function heatmap(config: Config, groups: readonly PlaceCount[]): Heatmap {
  const counts = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const g of groups) {
    const l = localTime(new Date(g.quarter), g.timeZone ?? config.site.siteTimeZone);
    counts[l.weekday - 1]![l.hour]! += g.count;
  }
  // The legal window in local hours, for a consumer of the site's own country.
  const { country, siteTimeZone } = config.site;
  const site = placeArea({ country, timeZone: siteTimeZone, holidayRegion: null, consentAnytime: false }, siteTimeZone);
  const legal = Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => [0, 15, 30, 45].every((m) => {
    const t = zonedInstant(REFERENCE_MONDAY.year, REFERENCE_MONDAY.month, REFERENCE_MONDAY.day + d, h * 60 + m, siteTimeZone);
    return insideLegalHours(config, site, t);
  })));
  return { counts, legal };
}

