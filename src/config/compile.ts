import { parsePhone, type NumberFormat, type Phone } from '../numbers/phone.js';
import { countryRules, strictestProspectingLimits } from '../rules/index.js';
import { parseCidr, sourcesOf, type SipSource } from '../sip/sources.js';
import { isValidTimeZone } from '../time/zoned.js';
import type { Campaign, Limits, Purpose, SiteSettings, Slot } from '../model/types.js';
import type { RawCampaign, RawConfig } from './schema.js';

/** A problem found in a config: errors stop the service, warnings are explained by `config check`. */
export interface Problem {
  readonly level: 'error' | 'warning';
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What runs: the decision's inputs and what the adapters read per call. `raw` is the file as
 * validated, for start-up wiring (listeners, connections, the database) and for reload's diff.
 */
export interface Config {
  readonly raw: RawConfig;
  readonly site: SiteSettings;
  readonly campaigns: ReadonlyMap<string, Campaign>;
  /** The campaign of calls that name none. */
  readonly defaultCampaign: string | null;
  /** How caller IDs are written back to the PBX. */
  readonly callerIdFormat: NumberFormat;
  /** Whether a decision made without the history (store down) lets the call through, per purpose. */
  readonly onStoreError: Readonly<Record<Purpose, 'block' | 'allow'>>;
  readonly http: RawConfig['http'];
  /** The SIP B2BUA's settings, its PBX sources as a list whatever the config's spelling. */
  readonly sip: Omit<RawConfig['sip'], 'sources'> & { readonly sources: readonly SipSource[] };
}

const WEEKDAY_NUMBER = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 } as const;

/** Turns a schema-valid config into what the engine uses, and lists what is wrong with it. */
export function compileConfig(raw: RawConfig): { config: Config; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isValidTimeZone(raw.siteTimeZone)) {
    problems.push({ level: 'error', path: ['siteTimeZone'], message: `unknown time zone "${raw.siteTimeZone}"` });
  }
  const campaigns = new Map<string, Campaign>();
  for (const [name, c] of Object.entries(raw.campaigns)) {
    campaigns.set(name, compileCampaign(name, c, raw.country, problems));
  }
  reportRepeatedNumbers(raw, problems);
  const owned = new Set<string>();
  for (const c of campaigns.values()) for (const n of c.pool) owned.add(n.phone.e164);
  raw.ownedNumbers.forEach((text, i) => {
    const phone = parseOrProblem(text, ['ownedNumbers', i], problems);
    if (phone) owned.add(phone.e164);
  });
  if (raw.defaultCampaign !== null && !campaigns.has(raw.defaultCampaign)) {
    problems.push({ level: 'error', path: ['defaultCampaign'], message: `unknown campaign "${raw.defaultCampaign}" (campaigns: ${[...campaigns.keys()].join(', ')})` });
  }
  for (const [trunk, name] of Object.entries(raw.asterisk.trunkCampaigns)) {
    if (!campaigns.has(name)) problems.push({ level: 'error', path: ['asterisk', 'trunkCampaigns', trunk], message: `unknown campaign "${name}"` });
  }
  const sipSources = checkSipSources(raw, campaigns, problems);
  const site: SiteSettings = {
    country: raw.country, owned, requireOwnedCallerId: raw.callerId.requireOwned,
    keepCompliantCallerId: raw.callerId.keepCompliant, localHolidays: raw.localHolidays,
    siteTimeZone: raw.siteTimeZone, unknownRegionHolidays: raw.unknownRegionHolidays,
  };
  const config: Config = {
    raw, site, campaigns, defaultCampaign: raw.defaultCampaign, callerIdFormat: raw.callerId.format,
    onStoreError: raw.onStoreError, http: raw.http, sip: { ...raw.sip, sources: sipSources },
  };
  return { config, problems };
}

function checkSipSources(raw: RawConfig, campaigns: ReadonlyMap<string, Campaign>, problems: Problem[]): SipSource[] {
  const { sources, oldShape } = sourcesOf(raw.sip.sources);
  sources.forEach((source, i) => {
    const path = oldShape ? ['sip', 'sources', source.address] : ['sip', 'sources', i];
    if (!parseCidr(source.address)) problems.push({ level: 'error', path: oldShape ? path : [...path, 'address'], message: `"${source.address}" is not an IP address or a CIDR block (10.0.0.5, 10.0.0.0/24, 2001:db8::/32)` });
    if (source.campaign !== null && !campaigns.has(source.campaign)) problems.push({ level: 'error', path: oldShape ? path : [...path, 'campaign'], message: `unknown campaign "${source.campaign}"` });
  });
  if (oldShape) {
    problems.push({ level: 'warning', path: ['sip', 'sources'], message: 'the "address: campaign" form is read as sources that may not assert consent: X-Cidgate-Consent from them is ignored. Write a list to allow it: [{ address: 10.0.0.5, campaign: customer, assertsConsent: true }]' });
  }
  return sources;
}

function compileCampaign(name: string, c: RawCampaign, country: RawConfig['country'], problems: Problem[]): Campaign {
  const at = ['campaigns', name];
  const entries: { text: string; phone: Phone; index: number }[] = [];
  const seen = new Set<string>();
  c.pool.forEach((text, index) => {
    const phone = parseOrProblem(text, [...at, 'pool', index], problems);
    if (!phone || seen.has(phone.e164)) return; // a repeated number is reported by reportRepeatedNumbers
    seen.add(phone.e164);
    entries.push({ text, phone, index });
  });
  // The call center's regulator decides what its pools may hold (ARCEP's NPV rules bind French centers only).
  const { pool, findings } = countryRules(country).checkPool(c, entries);
  for (const f of findings) {
    problems.push({ level: f.level, path: f.index === null ? [...at, 'pool'] : [...at, 'pool', entries[f.index]!.index], message: f.message });
  }
  const hours = compileHours(c, at, problems);
  if (c.purpose === 'prospecting') {
    const message = countryRules(country).hoursProblem(hours);
    if (message !== null) problems.push({ level: 'warning', path: [...at, 'hours'], message });
  }
  return {
    name, purpose: c.purpose, dialing: c.dialing, basis: c.basis,
    defaultZone: (c.defaultZone ?? null) as Campaign['defaultZone'],
    hours, limits: compileLimits(c, at, problems), pool,
    dailyCapPerNumber: c.dailyCapPerNumber,
  };
}

/**
 * A number listed twice — in one pool (perhaps spelled differently), in two campaigns' pools, or
 * in a pool and `ownedNumbers` — is a warning naming both places: the second listing does nothing,
 * or two campaigns present the same number and a callback cannot tell them apart.
 */
function reportRepeatedNumbers(raw: RawConfig, problems: Problem[]): void {
  const first = new Map<string, { key: string; text: string; campaign: string | null }>();
  const listings: { path: (string | number)[]; text: string; campaign: string | null }[] = [
    ...Object.entries(raw.campaigns).flatMap(([name, c]) => c.pool.map((text, i) => ({ path: ['campaigns', name, 'pool', i], text, campaign: name }))),
    ...raw.ownedNumbers.map((text, i) => ({ path: ['ownedNumbers', i], text, campaign: null })),
  ];
  for (const { path, text, campaign } of listings) {
    const e164 = parsePhone(text)?.e164;
    if (!e164) continue;
    const earlier = first.get(e164);
    if (!earlier) {
      first.set(e164, { key: path.join('.'), text, campaign });
      continue;
    }
    const why = campaign === null ? (earlier.campaign === null ? 'listed twice in ownedNumbers' : 'pool numbers are owned already')
      : earlier.campaign === campaign ? 'listed twice in this pool'
        : `campaigns ${earlier.campaign} and ${campaign} both present it, so a callback cannot tell them apart`;
    problems.push({ level: 'warning', path, message: `"${text}" is ${e164}, also at ${earlier.key} ("${earlier.text}"): ${why}` });
  }
}

/** How far back a campaign's own limit counts when neither it nor the law says. */
const DEFAULT_WINDOW_DAYS = 30;

function compileLimits(c: RawCampaign, at: (string | number)[], problems: Problem[]): Limits {
  const l = c.limits;
  const law = c.purpose === 'prospecting' ? strictestProspectingLimits() : null;
  if (law === null) {
    return {
      maxAttempts: l.maxAttempts ?? null, windowDays: l.windowDays ?? DEFAULT_WINDOW_DAYS,
      refusalDays: l.refusalDays ?? null, minGapMinutes: l.minGapMinutes ?? null,
    };
  }
  const stricter = (key: string, ok: boolean, limit: string) => {
    if (!ok) problems.push({ level: 'error', path: [...at, 'limits', key], message: `may only be stricter than the law (${limit})` });
  };
  stricter('maxAttempts', l.maxAttempts === undefined || (l.maxAttempts !== null && l.maxAttempts <= law.maxAttempts), `at most ${law.maxAttempts}`);
  stricter('windowDays', l.windowDays === undefined || l.windowDays >= law.windowDays, `at least ${law.windowDays} days`);
  stricter('refusalDays', l.refusalDays === undefined || (l.refusalDays !== null && l.refusalDays >= law.refusalDays), `at least ${law.refusalDays} days`);
  return {
    maxAttempts: Math.min(l.maxAttempts ?? law.maxAttempts, law.maxAttempts),
    windowDays: Math.max(l.windowDays ?? law.windowDays, law.windowDays),
    refusalDays: Math.max(l.refusalDays ?? law.refusalDays, law.refusalDays),
    minGapMinutes: l.minGapMinutes ?? null,
  };
}

function compileHours(c: RawCampaign, at: (string | number)[], problems: Problem[]): Map<number, Slot[]> | null {
  if (c.hours === null) return null;
  const byDay = new Map<number, Slot[]>();
  c.hours.forEach((h, i) => {
    const from = minutes(h.from);
    const to = minutes(h.to);
    if (from >= to) {
      problems.push({ level: 'error', path: [...at, 'hours', i], message: `"from" (${h.from}) must be before "to" (${h.to})` });
      return;
    }
    for (const d of h.days) {
      const day = WEEKDAY_NUMBER[d];
      byDay.set(day, [...(byDay.get(day) ?? []), { from, to }]);
    }
  });
  return byDay;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function parseOrProblem(text: string, path: (string | number)[], problems: Problem[]): Phone | null {
  const phone = parsePhone(text);
  if (!phone) problems.push({ level: 'error', path, message: `"${text}" is not a valid telephone number` });
  return phone;
}
