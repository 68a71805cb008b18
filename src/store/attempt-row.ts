import type { Purpose } from '../model/types.js';

/** One logged decision as the store reads it back: below both the store and the report queries, which return it. */
export interface AttemptRow {
  readonly id: number;
  readonly at: Date;
  readonly campaign: string;
  readonly purpose: Purpose | null;
  readonly source: string | null;
  readonly channel: string | null;
  readonly pbxUniqueId: string | null;
  readonly agent: string | null;
  readonly lead: string | null;
  readonly originalCallerId: string | null;
  readonly presentedCallerId: string | null;
  readonly callee: string | null;
  readonly area: string | null;
  readonly action: string;
  readonly reasons: string;
  readonly retryAt: Date | null;
  readonly counted: boolean;
  /** Decided under `onStoreError`, without the consumer's history, and replayed from the journal. */
  readonly withoutHistory: boolean;
  readonly consentRef: string | null;
  readonly consentAnytime: boolean;
  readonly dialing: string | null;
  readonly basis: string | null;
  readonly outcome: string | null;
  readonly hangupCause: number | null;
  readonly durationSeconds: number | null;
}
