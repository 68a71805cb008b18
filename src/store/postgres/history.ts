import type { Decision, History } from '../../model/types.js';
import { toHistory } from '../consumer-rows.js';
import { splitAt, untilOf } from '../history-reading.js';
import type { HistoryQuery } from '../store.js';
import { ms, ts } from './sql.js';

export interface HistoryRow {
  attempts: [number, string, string | null][];
  refused_at: number | null;
  /** The latest consent event at or before the call: [kind, at, source, anytime]. */
  consent: ['given' | 'revoked', number, string | null, boolean] | null;
  dnc: boolean;
  last_presented: string | null;
}

/**
 * Each call's history as of its own instant: the attempts a limit may count (every prospecting
 * attempt, and the campaign's own) in (since, at] — and, for a recording decision, after it until
 * `until` (History.later) —, the last refusal, the consent in force (the
 * latest event at or before it, a revocation winning a tie), a do-not-call entry added by then.
 * Exact: the whole window is read, whatever else the consumer received. $1..$4: one array per
 * column (callee, since, at, campaign, until), a row per call in their order.
 */
export const HISTORY_SQL = `
  SELECT
    (SELECT coalesce(json_agg(json_build_array(${ms('d.at')}, d.campaign, d.purpose) ORDER BY d.at DESC), '[]'::json)
       FROM decisions d WHERE d.callee = q.callee AND d.counted AND d.at > ${ts('q.since')}
         AND (d.at <= ${ts('q.at')} OR d.at < ${ts('q.until')}) AND (d.purpose = 'prospecting' OR d.campaign = q.campaign)) AS attempts,
    (SELECT ${ms('max(r.at)')} FROM refusals r WHERE r.number = q.callee AND r.at <= ${ts('q.at')}) AS refused_at,
    (SELECT json_build_array(e.kind, ${ms('e.at')}, e.source, e.anytime) FROM consent_events e
       WHERE e.number = q.callee AND e.at <= ${ts('q.at')} ORDER BY e.at DESC, e.kind = 'revoked' DESC, e.id DESC LIMIT 1) AS consent,
    EXISTS (SELECT 1 FROM do_not_call n WHERE n.number = q.callee AND n.added_at <= ${ts('q.at')}) AS dnc,
    (SELECT d.presented_caller_id FROM decisions d
       WHERE d.callee = q.callee AND d.counted AND d.campaign = q.campaign AND d.at <= ${ts('q.at')}
       ORDER BY d.at DESC LIMIT 1) AS last_presented
  FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::float8[]) WITH ORDINALITY AS q(callee, since, at, campaign, until, o)
  ORDER BY q.o`;

/** HISTORY_SQL's parameters for these calls. */
export function historyParams(queries: readonly HistoryQuery[]): [(string | null)[], number[], number[], string[], number[]] {
  return [queries.map((q) => q.callee), queries.map((q) => q.since.getTime()), queries.map((q) => q.at.getTime()), queries.map((q) => q.campaign), queries.map(untilOf)];
}

export function historyOf(r: HistoryRow, usageToday: ReadonlyMap<string, number>, q: HistoryQuery): History {
  return toHistory({
    attempts: r.attempts.map(([at, campaign, purpose]) => ({ at, campaign, purpose })),
    refusedAt: r.refused_at,
    consent: r.consent === null ? null : { kind: r.consent[0], at: r.consent[1], source: r.consent[2], anytime: r.consent[3] },
    doNotCall: r.dnc,
    lastPresented: r.last_presented,
  }, usageToday, q.at.getTime());
}

/** Attempts and last presented numbers decided earlier in the same batch, on top of what was read. */
export class BatchHistory {
  private readonly byCallee = new Map<string, Decision[]>();

  add(d: Decision): void {
    if (d.callee === null) return;
    const list = this.byCallee.get(d.callee) ?? [];
    list.push(d);
    this.byCallee.set(d.callee, list);
  }

  over(h: History, q: HistoryQuery): History {
    const mine = this.byCallee.get(q.callee ?? '');
    if (!mine) return h;
    const at = q.at.getTime();
    const read = mine.filter((d) => d.at.getTime() > q.since.getTime() && (d.at.getTime() <= at || d.at.getTime() < untilOf(q)));
    if (read.length === 0) return h;
    const limited = read.filter((d) => d.purpose === 'prospecting' || d.campaign === q.campaign); // as HISTORY_SQL reads them
    const both = splitAt(limited.map((d) => ({ at: d.at, campaign: d.campaign, purpose: d.purpose ?? 'prospecting' })), at);
    const attempts = [...h.attempts, ...both.attempts].sort((a, b) => b.at.getTime() - a.at.getTime());
    const later = [...h.later ?? [], ...both.later].sort((a, b) => a.at.getTime() - b.at.getTime());
    const own = read.filter((d) => d.campaign === q.campaign && d.at.getTime() <= at).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return { ...h, attempts, later, lastPresented: own ? own.callerId : h.lastPresented };
  }
}
