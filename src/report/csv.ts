import { csvLine } from '../cli/csv.js';
import type { OffendingAttempt, Report } from './model.js';

export const REPORT_CSV_COLUMNS = [
  'section', 'key', 'detail', 'count', 'attempt_id', 'at', 'consumer_time', 'campaign', 'callee', 'caller_id', 'area',
  'consent_ref', 'lead', 'text',
] as const;

type Cell = string | number | null;

/**
 * The report as one CSV table a spreadsheet can filter by `section`: summary, campaign, day,
 * block-reason, outcome, proof, offending, exempted, asserted, caller-id, caller-id-area, caller-id-day.
 */
export function reportCsv(r: Report): string {
  const lines: Cell[][] = [];
  const row = (section: string, key: string, detail: string | null, count: number | null, text: string | null = null) =>
    lines.push([section, key, detail, count, null, null, null, null, null, null, null, null, null, text]);
  const attempt = (section: string, proof: string, a: OffendingAttempt) =>
    lines.push([section, proof, null, null, a.id, a.at, a.consumerTime, a.campaign, a.callee, a.callerId, a.area, a.consentRef, a.lead, null]);
  const s = r.summary;
  row('summary', 'decided', null, s.decided);
  row('summary', 'allowed', null, s.allowed);
  row('summary', 'rewritten', null, s.rewritten);
  row('summary', 'blocked', null, s.blocked);
  for (const c of s.byCampaign) for (const a of ['allow', 'rewrite', 'block'] as const) row('campaign', c.campaign, a, c[a]);
  for (const d of s.byDay) for (const a of ['allow', 'rewrite', 'block'] as const) row('day', d.day, a, d[a]);
  for (const b of s.blocksByReason) row('block-reason', b.code, b.source, b.count, b.text);
  row('outcome', 'attempts', null, s.outcomes.attempts);
  for (const o of s.outcomes.byStatus) row('outcome', o.status, null, o.count);
  row('outcome', 'answer-rate', s.outcomes.answerRate === null ? null : s.outcomes.answerRate.toFixed(4), null);
  row('outcome', 'mean-answered-seconds', s.outcomes.meanAnsweredSeconds === null ? null : s.outcomes.meanAnsweredSeconds.toFixed(1), null);
  for (const p of r.proofs) {
    row('proof', p.id, p.applicable ? 'violations' : 'not applicable', p.violations, p.title);
    if (p.exempted > 0) row('proof', p.id, 'exempted', p.exempted, p.title);
    if (p.asserted > 0) row('proof', p.id, 'asserted', p.asserted, p.title);
  }
  for (const p of r.proofs) {
    for (const a of p.offending) attempt('offending', p.id, a);
    for (const a of p.exemptedAttempts) attempt('exempted', p.id, a);
    for (const a of p.assertedAttempts) attempt('asserted', p.id, a);
  }
  for (const c of r.callerIds) {
    row('caller-id', c.number, 'total', c.count, c.campaigns.join(' '));
    for (const a of c.areas) row('caller-id-area', c.number, a.area, a.count);
    row('caller-id-day', c.number, c.busiestDay, c.busiestDayCount, c.dailyCap === null ? 'no cap' : `cap ${c.dailyCap}`);
  }
  return [csvLine(REPORT_CSV_COLUMNS), ...lines.map((l) => csvLine(l))].join('\n') + '\n';
}
