import type { Config } from '../config/compile.js';
import { parsePhone } from '../numbers/phone.js';
import { ASSERTED_BY_DIALER, ON_RECORD } from '../policy/decide.js';
import { EMPTY_HISTORY, type Campaign, type ReasonCode } from '../model/types.js';
import type { Area } from '../numbers/area.js';
import { CONSUMER_COUNTRIES, callRulesFor, callerIdRulesOf, consumerRulesWithCode, strictestProspectingLimits } from '../rules/index.js';
import { inForce, type RuleContext } from '../rules/rule.js';
import type { ConsumerPlace, OffenderQuery, Offenders, PlaceCount, PresentedCount, ReportQueries, ReportScope } from '../store/report-queries.js';
import type { AttemptRow } from '../store/store.js';
import { DAY_MS, localDateKey } from '../time/zoned.js';
import type { OffendingAttempt, Proof, ProofId } from './model.js';

/** The law's prospecting limits the proofs check (France's today: the only country that sets them). */
const { maxAttempts: LEGAL_MAX_ATTEMPTS, windowDays: LEGAL_WINDOW_DAYS, refusalDays: LEGAL_REFUSAL_DAYS } = strictestProspectingLimits()!;

export interface ProofContext {
  readonly queries: ReportQueries;
  readonly config: Config;
  readonly scope: ReportScope;
  /** At most this many offending attempts are listed per proof (all are counted). */
  readonly limit: number;
  readonly show: (row: AttemptRow) => OffendingAttempt;
  /** The consumers' countries the period's prospecting attempts reached: the proofs cite their rules. */
  readonly reached: ReadonlySet<string>;
}

const WINDOW_CODES: readonly ReasonCode[] = ['outside-calling-hours', 'public-holiday'];

/**
 * The rules of these codes protecting the consumers the period reached (every country's that has
 * them when it reached none of those): their sources and first date are the proof's.
 */
function protectingRules(ctx: ProofContext, ...codes: ReasonCode[]): { source: string; since: Date } {
  const reached = codes.flatMap((code) => consumerRulesWithCode(code, ctx.reached));
  return combined(reached.length > 0 ? reached : codes.flatMap((code) => consumerRulesWithCode(code)));
}

/** The consumers' countries whose rules include this code: the database counts only their attempts. */
function protectedBy(code: ReasonCode): string[] {
  return CONSUMER_COUNTRIES.filter((c) => callRulesFor(c).some((r) => r.code === code));
}

interface Tally {
  violations: number; offending: OffendingAttempt[]; exempted: number; exemptedAttempts: OffendingAttempt[];
  asserted: number; assertedAttempts: OffendingAttempt[];
}

const tally = (): Tally => ({ violations: 0, offending: [], exempted: 0, exemptedAttempts: [], asserted: 0, assertedAttempts: [] });

function proof(id: ProofId, title: string, rule: { source: string; since: Date } | null, t: Tally): Proof {
  return {
    id, title, source: rule?.source ?? '—', since: rule?.since.toISOString() ?? '—', applicable: rule !== null,
    violations: t.violations, offending: t.offending, exempted: t.exempted, exemptedAttempts: t.exemptedAttempts,
    asserted: t.asserted, assertedAttempts: t.assertedAttempts,
  };
}

async function count(ctx: ProofContext, rows: AsyncIterable<AttemptRow>, keep: (r: AttemptRow) => boolean, into: Tally): Promise<void> {
  for await (const r of rows) {
    if (!keep(r)) continue;
    into.violations++;
    if (into.offending.length < ctx.limit) into.offending.push(ctx.show(r));
  }
}

/** A proof counted by the database, its first offenders listed. */
async function fromDatabase(ctx: ProofContext, code: ReasonCode, query: (q: OffenderQuery) => Promise<Offenders>): Promise<Tally> {
  const found = await query({ countries: protectedBy(code), limit: ctx.limit });
  return { ...tally(), violations: found.count, offending: found.first.map(ctx.show) };
}

/** A campaign as it was when decided: the configured one, with the dialing recorded on the decision. */
function campaignAsDecided(config: Config, name: string, dialing: string | null): Campaign {
  const configured = config.campaigns.get(name);
  const base: Campaign = configured ?? {
    name, purpose: 'prospecting', dialing: 'manual', basis: 'consent', defaultZone: null, hours: null,
    limits: { maxAttempts: LEGAL_MAX_ATTEMPTS, windowDays: LEGAL_WINDOW_DAYS, refusalDays: LEGAL_REFUSAL_DAYS, minGapMinutes: null },
    pool: [], dailyCapPerNumber: null,
  };
  return dialing === 'automated' || dialing === 'manual' ? { ...base, dialing } : base;
}

/**
 * Caller-ID proofs, from the numbers presented (grouped by the database): each distinct number is
 * judged by the caller-ID rules themselves, and only a rejected one has its attempts read.
 */
async function presentedProof(ctx: ProofContext, groups: readonly PresentedCount[], id: ProofId, title: string, codes: readonly ReasonCode[]): Promise<Proof> {
  const rules = callerIdRulesOf(ctx.config.site.country).filter((r) => codes.includes(r.code));
  const t = tally();
  if (rules.length === 0) return proof(id, title, null, t);
  // Ownership is always checked here, even where the site lets non-owned numbers through.
  const site = { ...ctx.config.site, requireOwnedCallerId: true };
  for (const g of groups) {
    const campaign = campaignAsDecided(ctx.config, g.campaign, g.dialing);
    const phone = parsePhone(g.number);
    const rejecting = rules.filter((r) => r.rejects(phone, { campaign, site }));
    if (rejecting.length === 0) continue;
    const since = new Date(Math.min(...rejecting.map((r) => r.since.getTime())));
    const rows = ctx.queries.presentedAttempts(ctx.scope, g.number, g.campaign, g.dialing, since);
    await count(ctx, rows, (r) => rejecting.some((rule) => inForce(rule, r.at)), t);
  }
  t.offending.sort((a, b) => a.id - b.id);
  return proof(id, title, combined(rules), t);
}

function combined(rules: readonly { source: string; since: Date }[]): { source: string; since: Date } {
  return {
    source: rules.map((r) => r.source).join('; '),
    since: new Date(Math.min(...rules.map((r) => r.since.getTime()))),
  };
}

/** The window and holiday rules' context for a place: they read only the area, the campaign and the exemption. */
function placeContext(config: Config, area: Area): RuleContext {
  const legal = campaignAsDecided(config, '(law)', null);
  return {
    campaign: { ...legal, hours: null }, site: config.site, area, history: EMPTY_HISTORY,
    consentAnytime: false, hasConsent: true, request: { campaign: legal.name, from: null, to: null },
    callee: null as never,
  };
}

export function placeArea(place: ConsumerPlace, siteTimeZone: string): Area {
  return {
    country: place.country, zone: null, territory: null, timeZone: place.timeZone ?? siteTimeZone,
    holidayRegion: place.holidayRegion, npvArea: 'non-geographic',
  };
}

/** Whether the legal window and holidays let a prospecting call go at `t` in this place (exemptions aside). */
export function insideLegalHours(config: Config, area: Area, t: Date): boolean {
  const ctx = placeContext(config, area);
  return callRulesFor(area.country)
    .filter((r) => WINDOW_CODES.includes(r.code) && inForce(r, t) && r.applies(ctx))
    .every((r) => r.nextAllowed(ctx, t)?.getTime() === t.getTime());
}

/**
 * Every counted prospecting attempt inside the legal window and off holidays where the consumer
 * is. The database groups attempts by quarter hour and place; each group is judged by the rules.
 */
async function callingWindowProof(ctx: ProofContext, groups: readonly PlaceCount[]): Promise<Proof> {
  const t = tally();
  const outside = groups.filter((g) => !insideLegalHours(ctx.config, placeArea(g, ctx.config.site.siteTimeZone), new Date(g.quarter)))
    .sort((a, b) => a.quarter - b.quarter);
  for (const g of outside) {
    const list = g.consentAnytime ? t.exemptedAttempts : t.offending;
    if (g.consentAnytime) t.exempted += g.count;
    else t.violations += g.count;
    if (list.length >= ctx.limit) continue;
    for await (const r of ctx.queries.prospectingIn(ctx.scope, g.quarter, g)) {
      if (list.length < ctx.limit) list.push(ctx.show(r));
    }
  }
  return proof('calling-window', 'Every prospecting attempt inside the legal calling hours in the consumer\'s time zone (the rules\' sources state them), not on a public holiday there',
    protectingRules(ctx, 'outside-calling-hours', 'public-holiday'), t);
}

/** The daily cap a pool number is under: the strictest of the campaigns whose pool holds it, or null. */
export function dailyCapOf(config: Config, number: string): number | null {
  const caps = [...config.campaigns.values()]
    .filter((c) => c.dailyCapPerNumber !== null && c.pool.some((p) => p.phone.e164 === number))
    .map((c) => c.dailyCapPerNumber!);
  return caps.length > 0 ? Math.min(...caps) : null;
}

/**
 * No capped pool number presented more often on a site-local day than its cap, all campaigns
 * together (as the gateway counts a number's uses): the presentations beyond the cap are the
 * violations. Counted from the database's groups per number and quarter hour; none listed (the
 * caller-ID table shows each number's busiest day).
 */
async function dailyCapProof(ctx: ProofContext): Promise<Proof> {
  const perDay = new Map<string, { number: string; count: number }>();
  for await (const g of ctx.queries.presentedByQuarter(ctx.scope)) {
    const key = `${g.number} ${localDateKey(new Date(g.quarter), ctx.config.site.siteTimeZone)}`;
    const d = perDay.get(key) ?? { number: g.number, count: 0 };
    d.count += g.count;
    perDay.set(key, d);
  }
  const t = tally();
  for (const { number, count } of perDay.values()) {
    const cap = dailyCapOf(ctx.config, number);
    if (cap !== null && count > cap) t.violations += count - cap;
  }
  return proof('daily-cap', 'No capped pool number presented more times in a site-local day than its campaign\'s dailyCapPerNumber (all campaigns together)',
    { source: 'Campaign setting dailyCapPerNumber (the carriers\' and the site\'s own limit on a number\'s use)', since: new Date(0) }, t);
}

/** No two counted attempts to a consumer closer than a campaign's minGapMinutes, as the min-gap rule counts them. */
async function minGapProof(ctx: ProofContext): Promise<Proof> {
  const gapsMs = Object.fromEntries([...ctx.config.campaigns.values()]
    .filter((c) => c.limits.minGapMinutes !== null).map((c) => [c.name, c.limits.minGapMinutes! * 60_000]));
  const t = Object.keys(gapsMs).length === 0 ? tally() : await fromDatabase(ctx, 'min-gap', (q) => ctx.queries.insideGap(ctx.scope, gapsMs, q));
  return proof('min-gap', 'No counted attempt closer to the consumer\'s previous one than its campaign\'s minGapMinutes', protectingRules(ctx, 'min-gap'), t);
}

/**
 * The eight proofs. Each counts the attempts breaking a rule, with the rule's own definition and
 * legal constants, as the decisions read the records (at or before the call).
 */
export async function computeProofs(ctx: ProofContext, placeGroups: readonly PlaceCount[], presented: readonly PresentedCount[]): Promise<Proof[]> {
  const proofs: Proof[] = [];
  proofs.push(await presentedProof(ctx, presented, 'caller-id', 'No mobile number and no number we do not own presented', ['mobile-caller-id', 'caller-id-not-owned']));
  proofs.push(await callingWindowProof(ctx, placeGroups));

  const limit = protectingRules(ctx, 'attempt-limit');
  const overLimit = await fromDatabase(ctx, 'attempt-limit', (q) => ctx.queries.overLimit(ctx.scope, LEGAL_MAX_ATTEMPTS, LEGAL_WINDOW_DAYS * DAY_MS, limit.since, q));
  proofs.push(proof('attempt-limit', `No consumer above ${LEGAL_MAX_ATTEMPTS} counted attempts in any rolling ${LEGAL_WINDOW_DAYS} days (all prospecting campaigns)`, limit, overLimit));

  const refusal = protectingRules(ctx, 'refused-recently');
  const afterRefusal = await fromDatabase(ctx, 'refused-recently', (q) => ctx.queries.afterRefusal(ctx.scope, LEGAL_REFUSAL_DAYS * DAY_MS, refusal.since, q));
  proofs.push(proof('refusal', `No attempt within ${LEGAL_REFUSAL_DAYS} days after the consumer refused`, refusal, afterRefusal));

  const consent = protectingRules(ctx, 'no-consent');
  const existingContract = [...ctx.config.campaigns.values()].filter((c) => c.basis === 'existing-contract').map((c) => c.name);
  const noConsent = await fromDatabase(ctx, 'no-consent', (q) => ctx.queries.withoutConsent(ctx.scope, consent.since, existingContract, q));
  // Shown apart, not violations: consent the company asserted without a proof reference.
  const asserted = await fromDatabase(ctx, 'no-consent', (q) => ctx.queries.withConsentRef(ctx.scope, consent.since, existingContract, [ASSERTED_BY_DIALER, ON_RECORD], q));
  proofs.push(proof('consent', 'Every prospecting attempt relied on a recorded consent (or the existing-contract basis)', consent,
    { ...noConsent, asserted: asserted.violations, assertedAttempts: asserted.offending }));

  proofs.push(await presentedProof(ctx, presented, 'npv', 'Automated campaigns presented verified multi-purpose numbers (NPV) only', ['npv-required']));
  proofs.push(await dailyCapProof(ctx));
  proofs.push(await minGapProof(ctx));
  return proofs;
}
