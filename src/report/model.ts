/** The compliance report, as computed once and rendered as JSON, CSV, HTML or PDF. */
export interface Report {
  readonly generatedAt: string;
  readonly period: { readonly from: string; readonly to: string; readonly campaign: string | null; readonly timeZone: string };
  /** Numbers not ours are shown partly hidden unless the officer asked for them (`--unmasked`). */
  readonly masked: boolean;
  readonly summary: Summary;
  readonly proofs: readonly Proof[];
  readonly callerIds: readonly CallerIdUse[];
  readonly heatmap: Heatmap;
}

export interface ActionCounts { allow: number; rewrite: number; block: number }

export interface Summary {
  readonly decided: number;
  readonly allowed: number;
  readonly rewritten: number;
  readonly blocked: number;
  readonly byCampaign: readonly ({ readonly campaign: string } & ActionCounts)[];
  /** Site-local days. */
  readonly byDay: readonly ({ readonly day: string } & ActionCounts)[];
  /** A block with two reasons counts under each. */
  readonly blocksByReason: readonly { readonly code: string; readonly text: string; readonly source: string | null; readonly count: number }[];
  readonly outcomes: {
    readonly attempts: number;
    readonly withOutcome: number;
    readonly answered: number;
    /** Answered / attempts with a known outcome; null when none is known. */
    readonly answerRate: number | null;
    readonly meanAnsweredSeconds: number | null;
    readonly byStatus: readonly { readonly status: string; readonly count: number }[];
  };
}

export type ProofId = 'caller-id' | 'calling-window' | 'attempt-limit' | 'refusal' | 'consent' | 'npv' | 'daily-cap' | 'min-gap';

export interface OffendingAttempt {
  readonly id: number;
  readonly at: string;
  /** The call's time where the consumer was, e.g. "Mon 2026-11-30 20:05 (Indian/Reunion)". */
  readonly consumerTime: string;
  readonly campaign: string;
  readonly callee: string | null;
  readonly callerId: string | null;
  readonly area: string | null;
  readonly consentRef: string | null;
  /** The dialer's lead id (VICIdial's, or a `lead` hint); like the consumers' numbers, only in an unmasked report. */
  readonly lead: string | null;
}

export interface Proof {
  readonly id: ProofId;
  /** What must hold, in one sentence. */
  readonly title: string;
  readonly source: string;
  /** When the rule took effect: attempts before it are not checked. */
  readonly since: string;
  /** False when the rule does not exist for this site (e.g. NPV outside France). */
  readonly applicable: boolean;
  /** Attempts breaking it (expected 0). */
  readonly violations: number;
  /** The first offending attempts (at most the report's `--offending`). */
  readonly offending: readonly OffendingAttempt[];
  /** Attempts that would break it but carry a recorded exemption (consent to calls at any hour). */
  readonly exempted: number;
  readonly exemptedAttempts: readonly OffendingAttempt[];
  /**
   * Consent proof only: attempts whose consent rests on the company's word alone, no proof reference —
   * the dialer said there was consent (`asserted-by-dialer`) or the consent was recorded without a
   * source (`on-record`). Not violations; 0 on the other proofs.
   */
  readonly asserted: number;
  readonly assertedAttempts: readonly OffendingAttempt[];
}

export interface CallerIdUse {
  readonly number: string;
  readonly owned: boolean;
  readonly campaigns: readonly string[];
  readonly count: number;
  readonly areas: readonly { readonly area: string; readonly count: number }[];
  /** The busiest site-local day and its presentations, against the campaign's daily cap. */
  readonly busiestDay: string;
  readonly busiestDayCount: number;
  readonly dailyCap: number | null;
}

/** Counted prospecting attempts by weekday (0 = Monday) and hour, in the consumer's local time. */
export interface Heatmap {
  readonly counts: readonly (readonly number[])[];
  /** True where the whole hour is inside the legal window. */
  readonly legal: readonly (readonly boolean[])[];
}
