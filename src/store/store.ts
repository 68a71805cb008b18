import { CidgateError } from '../errors.js';
import type { ReportQueries } from './report-queries.js';
import type { Action, Decision, History, PbxIds, Reading } from '../model/types.js';
import type { AttemptRow } from './attempt-row.js';
import type { DashboardFigures } from './dashboard-figures.js';

/** What the store must look up to decide one call. */
export interface HistoryQuery {
  /** E.164; null when the destination is not a valid number (nothing to look up). */
  readonly callee: string | null;
  readonly campaign: string;
  /**
   * The call's instant: the history is what was on record then. Consents given and not revoked
   * at or before it, refusals, do-not-call entries and attempts dated at or before it; nothing later.
   */
  readonly at: Date;
  /** Attempts are read back to this instant (the longest limit window). */
  readonly since: Date;
  /**
   * `log` (a recording decision): the counted attempts dated after `at` and before `until` are read
   * too, into History.later — the limits hold in the log whatever clock dated the call. `as-of`: none.
   */
  readonly reading: Reading;
  readonly until: Date;
  /** Site-local date (YYYY-MM-DD) of today's pool usage. */
  readonly day: string;
  /** Pool numbers under a daily cap: a shared store serialises their last uses across nodes. */
  readonly cappedNumbers?: readonly string[];
}

export interface Recorded {
  readonly decision: Decision;
  /** The attempt's id in the log (blocked decisions are logged too, but do not count). */
  readonly attemptId: number | null;
  /** True when the PBX retried a unique id already decided: the first decision is returned. */
  readonly replayed: boolean;
}

/**
 * `cancelled-before-dial`: the caller hung up (or the dialer gave up) before the PBX dialled the
 * consumer. An attempt is a call placed to the consumer: this one never was, so it stops counting
 * toward the limits and stays in the audit trail with this outcome.
 */
export type OutcomeStatus = 'answered' | 'busy' | 'no-answer' | 'failed' | 'cancelled' | 'rejected' | 'cancelled-before-dial';

export interface Outcome {
  readonly status: OutcomeStatus;
  readonly hangupCause: number | null;
  readonly durationSeconds: number | null;
  readonly at: Date;
}

/** Which logged decision an outcome belongs to. */
export type AttemptKey = { readonly attemptId: number } | { readonly pbxUniqueId: string };

export type { AttemptRow } from './attempt-row.js';

export interface AttemptFilter {
  readonly callee?: string;
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
  readonly campaign?: string;
  readonly action?: Action;
}

export interface PurgeCutoffs {
  readonly decisionsBefore: Date;
  readonly refusalsBefore: Date;
  /**
   * Per number, consent events before this instant go except the latest one (the consent in force
   * then, or the withdrawal that ended it); events from this instant on stay.
   */
  readonly consentsBefore: Date;
  /** Site-local day, YYYY-MM-DD. */
  readonly usageBefore: string;
}

export interface ConsentRecord {
  readonly number: string;
  readonly at: Date;
  readonly source: string | null;
  readonly anytime: boolean;
}

/** A consent given or revoked, as recorded (privacy export). */
export interface ConsentEvent {
  readonly at: Date;
  readonly kind: 'given' | 'revoked';
  readonly source: string | null;
  readonly anytime: boolean;
}

/** Everything kept about one consumer besides the decisions (those: `attempts({ callee })`). */
export interface ConsumerRecords {
  readonly consents: readonly ConsentEvent[];
  readonly refusals: readonly { readonly at: Date; readonly campaign: string | null }[];
  readonly doNotCall: { readonly addedAt: Date; readonly source: string | null } | null;
}

/** Every pseudonym an erasure puts in place of a number starts with this: no one can be called at it. */
export const PSEUDONYM_PREFIX = 'erased-';

/** What an erasure must keep: what the limits still read (see cli/privacy.ts). */
export interface ErasureCutoffs {
  /** The erasure's instant: a consent in force then is revoked (an erasure request withdraws it). */
  readonly at: Date;
  /** Counted attempts from this instant on keep the number: the attempt limits count them. */
  readonly attemptsBefore: Date;
  /** Refusals from this instant on are kept: the refusal period reads them. */
  readonly refusalsBefore: Date;
  /**
   * Put in place of the number on the decisions, and the consent events, that no longer need it:
   * `PSEUDONYM_PREFIX` then random, never derived from the number.
   */
  readonly pseudonym: string;
}

export interface ErasureCounts {
  /** Decisions whose number (and lead id) was replaced by the pseudonym. */
  readonly pseudonymised: number;
  /** Counted attempts that keep the number (inside the attempt window). */
  readonly attemptsKept: number;
  readonly refusalsDeleted: number;
  readonly refusalsKept: number;
  /** Whether a consent was in force at the erasure's instant (it was revoked). */
  readonly consentRevoked: boolean;
  /** Consent events kept with the number: proof for the attempts kept, and the withdrawal in force. */
  readonly consentEventsKept: number;
  /** Consent events given the pseudonym: the proof of pseudonymised attempts only. */
  readonly consentEventsPseudonymised: number;
  /** Consent events no attempt left relied on. */
  readonly consentEventsDeleted: number;
}

/** A decision made while the store was failing (`onStoreError`), kept in the journal until replayed. */
export interface JournaledDecision {
  /** Unique per entry: replaying an entry twice records it once. */
  readonly journalId: string;
  readonly decision: Decision;
  readonly pbx: PbxIds;
  /** Site-local day of the decision, for pool usage. */
  readonly day: string;
  /**
   * The id under which the store may still have committed this call's row after the PBX was told
   * the journaled decision (see `pendingAttemptId`); null when it cannot have.
   */
  readonly attemptId: number | null;
}

export interface JournaledOutcome {
  readonly journalId: string;
  readonly key: AttemptKey;
  readonly outcome: Outcome;
}

/** The store's state, for readiness, metrics and logs. */
export interface StoreHealth {
  /** False while the store cannot record (disk full, database file replaced…): `reason` says why. */
  readonly ok: boolean;
  readonly reason: string | null;
  /** Size of SQLite's write-ahead log (0 on PostgreSQL, whose server manages its own). */
  readonly walBytes: number;
  /** WAL frames not yet copied back into the database (-1: unknown or not applicable). */
  readonly checkpointLagFrames: number;
}

/**
 * Everything cidgate keeps. Async so that a networked database (PostgreSQL, for sites where
 * several PBXs share one attempt count) can implement it; the engine never sees SQL.
 */
export interface Store {
  /**
   * Reads the consumer's history, runs `decide` on it and, when `record` is given, logs the
   * decision — as one atomic step: two deciders can never both take the last slot. `query` is
   * called inside that step, so a call decided "now" is decided at the instant it is serialised
   * and sees every attempt committed before it, whichever process made it. A store with a clock
   * all its users share passes its instant to `query` (PostgreSQL: the server's, once the consumer's
   * lock is held); without one the caller takes its own.
   */
  checkAndRecord(query: (storeNow?: Date) => HistoryQuery, decide: (history: History, query: HistoryQuery) => Decision, record: PbxIds | null): Promise<Recorded>;
  /** Records an attempt's outcome once; later reports of the same attempt are ignored (returns false). `cancelled-before-dial` un-counts it. */
  recordOutcome(key: AttemptKey, outcome: Outcome): Promise<boolean>;
  /** The logged decision with this id or PBX unique id, or null. */
  findAttempt(key: AttemptKey): Promise<AttemptRow | null>;
  addRefusal(number: string, at: Date, campaign: string | null): Promise<void>;
  /**
   * Consents and revocations are kept as dated events (recording one again is a no-op; given twice
   * at one instant, the last one's source and `anytime` stand): the consent in force at an instant
   * is the latest event at or before it, a revocation winning a tie. A large import is written in
   * chunks, each its own short transaction, so live decisions never wait long behind it.
   */
  addConsents(consents: readonly ConsentRecord[]): Promise<void>;
  /** Records a revocation at `at` when a consent was in force then; false when none was. */
  revokeConsent(number: string, at: Date): Promise<boolean>;
  /**
   * Returns how many numbers were not on the list; one already listed keeps the earlier of its two
   * dates. Written in chunks, as consents are.
   */
  addDoNotCall(numbers: readonly string[], at: Date, source: string | null): Promise<number>;
  removeDoNotCall(number: string): Promise<boolean>;
  attempts(filter: AttemptFilter): AsyncIterable<AttemptRow>;
  /** Consents, refusals and do-not-call entry of one number (E.164), oldest first. */
  consumerRecords(number: string): Promise<ConsumerRecords>;
  /**
   * In one transaction: the consent in force at `at` is revoked; every blocked decision about the
   * number, and every attempt logged before `attemptsBefore`, get the pseudonym instead of the
   * number and lose their lead id; refusals recorded before `refusalsBefore` are deleted; consent
   * events follow the attempts that relied on them (see store/consent-erasure.ts). The do-not-call
   * entry is untouched.
   */
  eraseConsumer(number: string, cutoffs: ErasureCutoffs): Promise<ErasureCounts>;
  /** Presentations per pool number on a site-local day (YYYY-MM-DD), as the daily caps count them. */
  poolUsage(day: string): Promise<ReadonlyMap<string, number>>;
  /** The compliance report's aggregation queries, run by the database. */
  reportQueries(): ReportQueries;
  /**
   * The live dashboard's figures, every node's: decisions dated from `since` on, per minute and
   * action, and blocks per reasons; the last `recent` decisions recorded, newest first.
   */
  dashboard(since: Date, recent: number): Promise<DashboardFigures>;
  /**
   * Deletes, a batch at a time, decisions logged before `decisionsBefore`, refusals recorded before
   * `refusalsBefore`, pool usage counters of days before `usageBefore`, consent events superseded
   * before `consentsBefore` (see PurgeCutoffs) and the consent events of a pseudonym no attempt
   * carries any more. Returns rows deleted. The caller guarantees the limits' windows are never cut
   * (see service/retention.ts).
   */
  purge(cutoffs: PurgeCutoffs): Promise<number>;
  /**
   * Records what the journal kept during an outage, in one transaction, idempotently (by journal
   * id for decisions; an outcome is recorded once anyway): decisions first, flagged as made
   * without history, then outcomes. A decision whose `attemptId` row was committed after the PBX
   * was told the journaled one takes that row over (the trail shows what the PBX was told), unless
   * a PBX retry was answered from the row meanwhile: the PBX then had the row's decision, which stays.
   */
  recordJournaled(decisions: readonly JournaledDecision[], outcomes: readonly JournaledOutcome[]): Promise<void>;
  /**
   * Brings the schema to this code's version (`migrate`) or only checks it; returns the database's
   * version. A database without the schema, or with an older one, is STORE_SCHEMA_OUTDATED; a newer
   * one is accepted (migrations only add, so a node not yet upgraded keeps working).
   */
  ensureSchema(migrate: boolean): Promise<number>;
  /** Cheap, synchronous: read by readiness checks and metrics. */
  health(): StoreHealth;
  /**
   * The clock live decisions take their instant from, when it is the server's all nodes share
   * (PostgreSQL), in epoch ms: what a node measures its own clock against. Absent: the host decides.
   */
  serverTime?(): Promise<number>;
  close(): Promise<void>;
}

/** The version check `ensureSchema` makes: `latest` is the last migration this code knows. */
export function schemaChecked(database: string, version: number, latest: number): number {
  if (version < latest) {
    throw new CidgateError('STORE_SCHEMA_OUTDATED', [database, version, latest], { database, version, needs: latest });
  }
  return version;
}

/**
 * The id a failed check-and-record may still be committed under: on PostgreSQL a call is answered
 * by `onStoreError` when its wait runs out, or when the connection drops during its batch's COMMIT,
 * and the batch may commit its row all the same. The journal keeps the id with the decision.
 */
export function pendingAttemptId(err: unknown): number | null {
  const id = err instanceof CidgateError ? err.context.attemptId : undefined;
  return typeof id === 'number' ? id : null;
}
