import type { Area } from '../numbers/area.js';
import type { Phone } from '../numbers/phone.js';
import type { Campaign, CountryCode, Dialing, Purpose, PoolNumber } from '../model/types.js';
import type { CallRule, CallerIdRule } from './rule.js';

/** The law's ceilings on prospecting a consumer: a campaign may only be stricter. */
export interface LegalLimits {
  readonly maxAttempts: number;
  readonly windowDays: number;
  readonly refusalDays: number;
}

/** A pool number as written in the config, parsed. */
export interface PoolEntry {
  readonly text: string;
  readonly phone: Phone;
}

/** A problem with a campaign's pool: `index` is the pool entry, null the pool as a whole. */
export interface PoolFinding {
  readonly level: 'error' | 'warning';
  readonly index: number | null;
  readonly message: string;
}

/**
 * Everything one country's law says, reached through this one interface. Two sides: the country
 * of the call center (`country` in the config) sets what it may present (caller-ID rules, pool
 * checks); the country of the consumer's number sets how the consumer is protected (consumer
 * rules, prospecting limits, calling window).
 */
export interface CountryRules {
  readonly country: CountryCode;
  /** What a call center of this country may present. */
  readonly callerIdRules: readonly CallerIdRule[];
  /**
   * How well a pool number suits a call this country's centers make, when the original caller ID is
   * not kept: lower is better, null never presented on this call. Runs for every pool number of
   * every rewritten call: it should allocate nothing.
   */
  rankPoolNumber(number: PoolNumber, dialing: Dialing, area: Area, callee: Phone): number | null;
  /** What protects consumers of this country (by the callee's number). */
  readonly consumerRules: readonly CallRule[];
  /** The law's prospecting ceilings for this country's consumers; null when none is modelled. */
  readonly prospectingLimits: LegalLimits | null;
  /** A campaign's pool as this country's regulator lets a call center present it. */
  checkPool(campaign: { purpose: Purpose; dialing: Dialing }, entries: readonly PoolEntry[]): { pool: PoolNumber[]; findings: PoolFinding[] };
  /** Why a prospecting campaign's own hours can never call this country's consumers, or null. */
  hoursProblem(hours: Campaign['hours']): string | null;
}
