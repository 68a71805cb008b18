import type { History, Purpose } from '../model/types.js';
import { splitAt } from './history-reading.js';
import type { ConsentErasurePlan } from './consent-erasure.js';
import type { ConsumerRecords, ErasureCounts } from './store.js';

/** The consent event in force, as both stores read it (instants in ms). */
export interface ConsentRead {
  readonly kind: 'given' | 'revoked';
  readonly at: number;
  readonly source: string | null;
  readonly anytime: boolean;
}

/** What a store read about a consumer as of a call's instant, before it becomes the decision's History. */
export interface ConsumerRead {
  readonly attempts: readonly { readonly at: number; readonly campaign: string; readonly purpose: string | null }[];
  readonly refusedAt: number | null;
  readonly consent: ConsentRead | null;
  readonly doNotCall: boolean;
  readonly lastPresented: string | null;
}

/**
 * The decision's History from what was read: a revoked consent is none; an attempt of no purpose was
 * prospecting; attempts after the call's instant `at` (ms; read by a recording decision) are `later`.
 */
export function toHistory(r: ConsumerRead, usageToday: ReadonlyMap<string, number>, at: number): History {
  return {
    ...splitAt(r.attempts.map((a) => ({ at: new Date(a.at), campaign: a.campaign, purpose: (a.purpose ?? 'prospecting') as Purpose })), at),
    lastRefusalAt: r.refusedAt === null ? null : new Date(r.refusedAt),
    consent: r.consent?.kind !== 'given' ? null : { at: new Date(r.consent.at), source: r.consent.source, anytime: r.consent.anytime },
    doNotCall: r.doNotCall,
    lastPresented: r.lastPresented,
    usageToday,
  };
}

/** A consumer's records (`cidgate privacy show`) from the rows of either store (instants in ms). */
export function toConsumerRecords(
  consents: readonly ConsentRead[],
  refusals: readonly { readonly at: number; readonly campaign: string | null }[],
  dnc: { readonly added_at: number; readonly source: string | null } | undefined,
): ConsumerRecords {
  return {
    consents: consents.map((c) => ({ at: new Date(c.at), kind: c.kind, source: c.source, anytime: c.anytime })),
    refusals: refusals.map((r) => ({ at: new Date(r.at), campaign: r.campaign })),
    doNotCall: dnc ? { addedAt: new Date(dnc.added_at), source: dnc.source } : null,
  };
}

/** An erasure's counts: what the store changed and kept, with the consent plan it applied. */
export function erasureCounts(
  plan: ConsentErasurePlan,
  done: Pick<ErasureCounts, 'pseudonymised' | 'attemptsKept' | 'refusalsDeleted' | 'refusalsKept' | 'consentRevoked'>,
): ErasureCounts {
  return {
    ...done,
    consentEventsKept: plan.keep.length, consentEventsPseudonymised: plan.pseudonymise.length, consentEventsDeleted: plan.remove.length,
  };
}
