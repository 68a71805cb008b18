import type { Decision, PbxIds, Purpose, ReasonCode } from '../model/types.js';
import type { Area } from '../numbers/area.js';
import type { AttemptRow } from './store.js';

/** A `decisions` row as SQLite returns it (and PostgreSQL's store selects it: instants in ms, flags 0/1). */
export interface DecisionRow {
  id: number; at: number; campaign: string; purpose: string | null; source: string | null;
  channel: string | null; pbx_unique_id: string | null; agent: string | null; lead: string | null;
  original_caller_id: string | null; presented_caller_id: string | null; callee: string | null;
  area: string | null; action: string; reasons: string; retry_at: number | null; counted: number;
  consent_ref: string | null; dialing: string | null; basis: string | null; consent_anytime: number;
  without_history: number; node: string | null;
  outcome: string | null; hangup_cause: number | null; duration_s: number | null;
}

export function toAttemptRow(r: DecisionRow): AttemptRow {
  return {
    id: r.id, at: new Date(r.at), campaign: r.campaign, purpose: r.purpose as Purpose | null, source: r.source,
    channel: r.channel, pbxUniqueId: r.pbx_unique_id, agent: r.agent, lead: r.lead,
    originalCallerId: r.original_caller_id, presentedCallerId: r.presented_caller_id, callee: r.callee,
    area: r.area, action: r.action, reasons: r.reasons, retryAt: r.retry_at === null ? null : new Date(r.retry_at),
    counted: r.counted === 1, withoutHistory: r.without_history === 1, consentRef: r.consent_ref, consentAnytime: r.consent_anytime === 1, dialing: r.dialing,
    basis: r.basis, outcome: r.outcome, hangupCause: r.hangup_cause, durationSeconds: r.duration_s,
  };
}

export function rowToDecision(r: DecisionRow): Decision {
  return {
    action: r.action as Decision['action'], callerId: r.presented_caller_id, originalCallerId: r.original_caller_id,
    callee: r.callee, campaign: r.campaign, purpose: r.purpose as Purpose | null,
    area: r.area ? (JSON.parse(r.area) as Area) : null,
    reasons: r.reasons ? (r.reasons.split(',') as ReasonCode[]) : [],
    retryAt: r.retry_at === null ? null : new Date(r.retry_at), at: new Date(r.at), consentRef: r.consent_ref,
    dialing: r.dialing as Decision['dialing'], basis: r.basis as Decision['basis'], consentAnytime: r.consent_anytime === 1,
  };
}

/**
 * A decision's columns in the order both stores insert them (after the id): at, campaign, purpose,
 * the PBX's ids, the numbers, the area, the verdict, how it was reached, then the node. Positional: binding
 * an object costs a lookup per column.
 */
export function decisionColumnValues(d: Decision, record: PbxIds, counted: boolean) {
  return [
    d.at.getTime(), d.campaign, d.purpose,
    record.source ?? null, record.channel ?? null, record.uniqueId ?? null, record.agent ?? null, record.lead ?? null,
    d.originalCallerId, d.callerId, d.callee, d.area ? JSON.stringify(d.area) : null,
    d.action, d.reasons.join(','), d.retryAt?.getTime() ?? null, counted ? 1 : 0, d.consentRef,
    d.dialing, d.basis, d.consentAnytime ? 1 : 0, record.node ?? null,
  ] as const;
}
