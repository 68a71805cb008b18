import { isFrenchMobile, npvArea, npvPrefixes, type NpvArea } from '../numbers/france.js';
import { parsePhone, type Phone } from '../numbers/phone.js';
import { LEGAL_MAX_ATTEMPTS, LEGAL_REFUSAL_DAYS, LEGAL_WINDOW_DAYS } from '../rules/fr/attempt-limits.js';
import { isValidTimeZone } from '../time/zoned.js';
import type { Campaign, Limits, PoolNumber, Rules, Slot } from '../policy/types.js';
import type { RawCampaign, RawConfig } from './schema.js';

/** A problem found in a config: errors stop the service, warnings are explained by `config check`. */
export interface Problem {
  readonly level: 'error' | 'warning';
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface Config {
  readonly raw: RawConfig;
  readonly rules: Rules;
  readonly campaigns: ReadonlyMap<string, Campaign>;
}

const WEEKDAY_NUMBER = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 } as const;
const NPV_AREAS: readonly NpvArea[] = ['1', '2', '3', '4', '5', 'GP', 'GF', 'MQ', 'RE-YT'];

/** Turns a schema-valid config into what the engine uses, and lists what is wrong with it. */
export function compileConfig(raw: RawConfig): { config: Config; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isValidTimeZone(raw.siteTimeZone)) {
    problems.push({ level: 'error', path: ['siteTimeZone'], message: `unknown time zone "${raw.siteTimeZone}"` });
  }
  const campaigns = new Map<string, Campaign>();
  for (const [name, c] of Object.entries(raw.campaigns)) {
    campaigns.set(name, compileCampaign(name, c, problems));
  }
  const owned = new Set<string>();
  for (const c of campaigns.values()) for (const n of c.pool) owned.add(n.phone.e164);
  raw.ownedNumbers.forEach((text, i) => {
    const phone = parseOrProblem(text, ['ownedNumbers', i], problems);
    if (phone) owned.add(phone.e164);
  });
  if (raw.defaultCampaign !== null && !campaigns.has(raw.defaultCampaign)) {
    problems.push({ level: 'error', path: ['defaultCampaign'], message: `unknown campaign "${raw.defaultCampaign}" (campaigns: ${[...campaigns.keys()].join(', ')})` });
  }
  for (const [address, campaign] of Object.entries(raw.sip.sources)) {
    if (!campaigns.has(campaign)) problems.push({ level: 'error', path: ['sip', 'sources', address], message: `unknown campaign "${campaign}"` });
  }
  const rules: Rules = {
    country: raw.country, owned, requireOwnedCallerId: raw.callerId.requireOwned,
    keepCompliantCallerId: raw.callerId.keepCompliant, localHolidays: raw.localHolidays,
    siteTimeZone: raw.siteTimeZone,
  };
  return { config: { raw, rules, campaigns }, problems };
}

function compileCampaign(name: string, c: RawCampaign, problems: Problem[]): Campaign {
  const at = ['campaigns', name];
  const pool: PoolNumber[] = [];
  const seen = new Set<string>();
  c.pool.forEach((text, i) => {
    const phone = parseOrProblem(text, [...at, 'pool', i], problems);
    if (!phone || seen.has(phone.e164)) return;
    seen.add(phone.e164);
    const path = [...at, 'pool', i];
    if (phone.national !== null && isFrenchMobile(phone.national)) {
      problems.push({ level: 'error', path, message: `${text} is a mobile number: ARCEP forbids presenting mobiles (décision 2022-1583)` });
      return;
    }
    const npv = phone.national !== null ? npvArea(phone.national) : null;
    if (c.dialing === 'automated' && npv === null) {
      problems.push({ level: 'error', path, message: `${text} is not in an NPV range; automated campaigns present only 0162/0163, 0270/0271, 0377/0378, 0424/0425, 0568/0569, 0948/0949, 09475–09479` });
      return;
    }
    pool.push({ phone, npv });
  });
  if (c.dialing === 'automated') {
    const served = new Set(pool.map((n) => n.npv));
    if (!served.has('non-geographic')) {
      const missing = NPV_AREAS.filter((a) => !served.has(a));
      if (missing.length > 0) {
        problems.push({ level: 'warning', path: [...at, 'pool'], message: `no number for ${missing.map((a) => `${a} (${npvPrefixes(a).join('/')})`).join(', ')} and no non-geographic 0948/0949 fallback: calls there will be blocked (no-substitute)` });
      }
    }
  } else if (!pool.some((n) => n.npv === null)) {
    problems.push({ level: 'warning', path: [...at, 'pool'], message: 'a manual campaign with only NPV numbers: no geographic number can be local to the callee' });
  }
  return {
    name, purpose: c.purpose, dialing: c.dialing, basis: c.basis,
    defaultZone: (c.defaultZone ?? null) as Campaign['defaultZone'],
    hours: compileHours(c, at, problems), limits: compileLimits(c, at, problems), pool,
    dailyCapPerNumber: c.dailyCapPerNumber,
  };
}

function compileLimits(c: RawCampaign, at: (string | number)[], problems: Problem[]): Limits {
  const l = c.limits;
  if (c.purpose === 'service') {
    return {
      maxAttempts: l.maxAttempts ?? null, windowDays: l.windowDays ?? LEGAL_WINDOW_DAYS,
      refusalDays: l.refusalDays ?? null, minGapMinutes: l.minGapMinutes ?? null,
    };
  }
  const stricter = (key: string, ok: boolean, law: string) => {
    if (!ok) problems.push({ level: 'error', path: [...at, 'limits', key], message: `may only be stricter than the law (${law})` });
  };
  stricter('maxAttempts', l.maxAttempts === undefined || (l.maxAttempts !== null && l.maxAttempts <= LEGAL_MAX_ATTEMPTS), `at most ${LEGAL_MAX_ATTEMPTS}`);
  stricter('windowDays', l.windowDays === undefined || l.windowDays >= LEGAL_WINDOW_DAYS, `at least ${LEGAL_WINDOW_DAYS} days`);
  stricter('refusalDays', l.refusalDays === undefined || (l.refusalDays !== null && l.refusalDays >= LEGAL_REFUSAL_DAYS), `at least ${LEGAL_REFUSAL_DAYS} days`);
  return {
    maxAttempts: Math.min(l.maxAttempts ?? LEGAL_MAX_ATTEMPTS, LEGAL_MAX_ATTEMPTS),
    windowDays: Math.max(l.windowDays ?? LEGAL_WINDOW_DAYS, LEGAL_WINDOW_DAYS),
    refusalDays: Math.max(l.refusalDays ?? LEGAL_REFUSAL_DAYS, LEGAL_REFUSAL_DAYS),
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
