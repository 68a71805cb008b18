import type { Phone } from '../numbers/phone.js';
import type { Area } from '../numbers/area.js';
import type { NpvArea } from '../numbers/france.js';

export type Purpose = 'prospecting' | 'service';
export type Dialing = 'automated' | 'manual';
export type Action = 'allow' | 'rewrite' | 'block';
/** The countries whose rules are modelled (src/rules/<country>/). */
export type CountryCode = 'FR' | 'ES';

/** Why a caller ID was replaced, or why a call was blocked. Stable strings: the PBX and logs rely on them. */
export type ReasonCode =
  // caller ID replaced
  | 'mobile-caller-id'
  | 'caller-id-not-owned'
  | 'npv-required'
  | 'geographic-required'
  | 'pool-number'
  // call blocked
  | 'invalid-number'
  | 'unknown-campaign'
  | 'outside-calling-hours'
  | 'public-holiday'
  | 'attempt-limit'
  | 'refused-recently'
  | 'min-gap'
  | 'no-consent'
  | 'do-not-call'
  | 'no-substitute'
  | 'store-unavailable';

/** A window slot in minutes of the local day, [from, to). */
export interface Slot {
  readonly from: number;
  readonly to: number;
}

export interface Limits {
  readonly maxAttempts: number | null;
  readonly windowDays: number;
  readonly refusalDays: number | null;
  readonly minGapMinutes: number | null;
}

export interface PoolNumber {
  readonly phone: Phone;
  /** The NPV area it serves, or null when it is not in an NPV range. */
  readonly npv: NpvArea | null;
}

/** A campaign as the engine sees it: validated, numbers parsed, defaults applied. */
export interface Campaign {
  readonly name: string;
  readonly purpose: Purpose;
  readonly dialing: Dialing;
  /** `existing-contract`: calls a campaign's own customers about their contract; exempt from the consent rule. */
  readonly basis: 'consent' | 'existing-contract';
  readonly defaultZone: Area['zone'];
  /** Narrower hours than the law's, per ISO weekday (1–7); null = the law's window. */
  readonly hours: ReadonlyMap<number, readonly Slot[]> | null;
  readonly limits: Limits;
  readonly pool: readonly PoolNumber[];
  readonly dailyCapPerNumber: number | null;
}

/** Site-wide settings the decision needs. */
export interface SiteSettings {
  /** The call center's regulatory country: selects the caller-ID rules. */
  readonly country: CountryCode;
  readonly owned: ReadonlySet<string>;
  readonly requireOwnedCallerId: boolean;
  readonly keepCompliantCallerId: boolean;
  readonly localHolidays: boolean;
  /** Time zone of "today" for rotation counters and daily caps. */
  readonly siteTimeZone: string;
  /** Spain: the holidays of a callee whose number names no community (default every community's). */
  readonly unknownRegionHolidays?: 'every-region' | 'national';
}

/** One call as the PBX asks about it. Raw strings: parsing is part of deciding. */
export interface CallRequest {
  readonly campaign: string;
  readonly from: string | null;
  readonly to: string | null;
  /** Per-call hints from the dialer: zone ('1'–'5', a département or a territory) and time zone. */
  readonly zone?: string | null;
  readonly timeZone?: string | null;
  /** Consent asserted by the dialer for this call (true, or a proof reference). */
  readonly consent?: string | boolean | null;
  readonly consentAnytime?: boolean;
  readonly pbx?: PbxIds;
}

export interface PbxIds {
  readonly source?: string;
  readonly channel?: string | null;
  readonly uniqueId?: string | null;
  readonly agent?: string | null;
  readonly lead?: string | null;
  /** The cidgate node that decided (config `nodeName`, default the host's name): the center-wide dashboard says which. */
  readonly node?: string | null;
}

export interface PastAttempt {
  readonly at: Date;
  readonly campaign: string;
  readonly purpose: Purpose;
}

/**
 * Which history a decision read: `as-of`, what was on record at its instant (a what-if check, an
 * audit replay); `log`, a recording decision's, which also counts the attempts logged after its instant.
 */
export type Reading = 'as-of' | 'log';

/** What was on record about this consumer at the call's instant (and today's pool usage). */
export interface History {
  /**
   * Attempts to this consumer that a limit may count — every prospecting attempt and this
   * campaign's own, all of them, whatever else the consumer received — most recent first, as far
   * back as the longest limit window.
   */
  readonly attempts: readonly PastAttempt[];
  /**
   * A recording decision's reading of the log (`reading: 'log'`): the counted attempts dated after
   * the call's instant, within the longest limit window after it, oldest first. The limits must hold
   * in the log whatever the clocks say, so a call recorded at an instant earlier than attempts already
   * logged (a clock stepped back, a node behind the others, a backdated record) counts them too.
   * Absent or empty: the as-of reading of a what-if check (what was on record then).
   */
  readonly later?: readonly PastAttempt[];
  readonly lastRefusalAt: Date | null;
  readonly consent: { readonly at: Date; readonly source: string | null; readonly anytime: boolean } | null;
  readonly doNotCall: boolean;
  /** E.164 last presented to this consumer by this campaign. */
  readonly lastPresented: string | null;
  /** Today's (site time zone) presentations per pool number, E.164 → count. */
  readonly usageToday: ReadonlyMap<string, number>;
}

export const EMPTY_HISTORY: History = {
  attempts: [], later: [], lastRefusalAt: null, consent: null, doNotCall: false, lastPresented: null, usageToday: new Map(),
};

export interface Decision {
  readonly action: Action;
  /** E.164 to present; null when blocked. */
  readonly callerId: string | null;
  readonly originalCallerId: string | null;
  readonly callee: string | null;
  readonly campaign: string;
  readonly purpose: Purpose | null;
  readonly area: Area | null;
  readonly reasons: readonly ReasonCode[];
  readonly retryAt: Date | null;
  readonly at: Date;
  /** The consent reference this call relied on, if any. */
  readonly consentRef: string | null;
  /** The campaign's dialing and legal basis when decided: the report's proofs read them back. */
  readonly dialing: Dialing | null;
  readonly basis: Campaign['basis'] | null;
  /** Express consent to calls outside the legal window: the exemption the report shows as such. */
  readonly consentAnytime: boolean;
}
