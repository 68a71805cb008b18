import { escapeHtml as e, horizontalBars, stackedBars, weekHeatmap } from './charts.js';
import { ASSERTED_BY_DIALER, ON_RECORD } from '../policy/decide.js';
import { formatInstant } from '../time/display.js';
import { localDateKey } from '../time/zoned.js';
import type { OffendingAttempt, Proof, Report } from './model.js';

/** Shared by the report and the dashboard: readable on screen, sober in print. */
export const BASE_CSS = `
:root { --allow: #2e7d32; --rewrite: #1565c0; --block: #c62828; --ink: #1d2430; --muted: #5b6675; --line: #d8dde4; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1040px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); } table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; } .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.card .v { font-size: 24px; font-weight: 600; } .ok { color: var(--allow); } .bad { color: var(--block); font-weight: 600; }
svg.chart { font-size: 11px; fill: var(--ink); } svg .axis { stroke: var(--muted); } svg .tick { fill: var(--muted); }
svg .allow { fill: var(--allow); } svg .rewrite { fill: var(--rewrite); } svg .block { fill: var(--block); }
svg .hbar { fill: var(--rewrite); } svg .hbar.at-cap { fill: var(--block); } svg .limit { stroke: var(--ink); stroke-width: 2; }
svg .cell { fill: var(--rewrite); stroke: none; } svg .cell.legal { stroke: var(--allow); stroke-width: 2; } svg .cell.outside { fill: var(--block); }
`;

const PRINT_CSS = `
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; } section, .proof, svg { break-inside: avoid; }
  .card { border-color: #999; } a { color: inherit; text-decoration: none; }
}
`;

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
const n = (x: number) => x.toLocaleString('en');

function attemptsTable(rows: readonly OffendingAttempt[], total: number, what: string): string {
  if (rows.length === 0) return '';
  const more = total > rows.length ? `<p class="muted">${n(rows.length)} of ${n(total)} ${what} listed.</p>` : '';
  return `<table class="attempts"><thead><tr><th>Attempt</th><th>Consumer's time</th><th>Campaign</th><th>Callee</th><th>Area</th><th>Caller ID</th><th>Consent</th><th>Lead</th></tr></thead><tbody>
${rows.map((a) => `<tr data-attempt="${a.id}"><td>#${a.id}</td><td>${e(a.consumerTime)}</td><td>${e(a.campaign)}</td><td>${e(a.callee)}</td><td>${e(a.area)}</td><td>${e(a.callerId)}</td><td>${e(a.consentRef ?? '—')}</td><td>${e(a.lead ?? '—')}</td></tr>`).join('\n')}
</tbody></table>${more}`;
}

/** The site-local day of an ISO instant (a legal date or a period bound is a day in the site's time zone). */
const dayOf = (iso: string, timeZone: string, offsetMs = 0) => localDateKey(new Date(new Date(iso).getTime() + offsetMs), timeZone);

function proofBlock(p: Proof, timeZone: string): string {
  const status = !p.applicable ? '<span class="muted">not applicable</span>'
    : p.violations === 0 ? '<span class="ok">0 violations</span>' : `<span class="bad">${n(p.violations)} violation${p.violations > 1 ? 's' : ''}</span>`;
  const exempt = p.exempted > 0
    ? `<p>${n(p.exempted)} attempt${p.exempted > 1 ? 's' : ''} outside the window with a recorded exemption (consent to calls at any hour):</p>${attemptsTable(p.exemptedAttempts, p.exempted, 'exempted attempts')}` : '';
  const asserted = p.asserted > 0
    ? `<div class="asserted"><p>${n(p.asserted)} attempt${p.asserted > 1 ? 's' : ''} relied on a consent with no proof reference — the dialer's word (<code>${ASSERTED_BY_DIALER}</code>) or a consent recorded without a source (<code>${ON_RECORD}</code>). Not violations, but only the company's assertion: back them with your own records.</p>${attemptsTable(p.assertedAttempts, p.asserted, 'attempts on asserted consent')}</div>` : '';
  return `<div class="proof" data-proof="${p.id}" data-violations="${p.violations}" data-exempted="${p.exempted}" data-asserted="${p.asserted}">
<h3>${e(p.title)} — ${status}</h3>
<p class="muted">${e(p.source)}. In force since ${p.applicable ? e(dayOf(p.since, timeZone)) : '—'}.</p>
${attemptsTable(p.offending, p.violations, 'offending attempts')}${exempt}${asserted}</div>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched. */
export function reportHtml(r: Report): string {
  const s = r.summary;
  const days = s.byDay.map((d) => d.day);
  const perDay = stackedBars('Decisions per day by action', days,
    [{ name: 'allow', cssClass: 'allow' }, { name: 'rewrite', cssClass: 'rewrite' }, { name: 'block', cssClass: 'block' }],
    [s.byDay.map((d) => d.allow), s.byDay.map((d) => d.rewrite), s.byDay.map((d) => d.block)]);
  const reasons = horizontalBars('Blocks by reason', s.blocksByReason.map((b) => ({ label: b.code, value: b.count })));
  const pool = horizontalBars('Busiest day per caller ID against its daily cap',
    r.callerIds.map((c) => ({ label: c.number, value: c.busiestDayCount, limit: c.dailyCap })));
  // `to` is exclusive: the period's last day is the one before it.
  // For people: the site's clock, with its zone (the JSON and CSV keep ISO instants).
  const siteTime = (iso: string) => formatInstant(new Date(iso), r.period.timeZone);
  const period = `${dayOf(r.period.from, r.period.timeZone)} – ${dayOf(r.period.to, r.period.timeZone, -1)}${r.period.campaign ? `, campaign ${r.period.campaign}` : ', all campaigns'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cidgate compliance report ${e(period)}</title>
<style>${BASE_CSS}${PRINT_CSS}</style></head>
<body>
<header><h1>Compliance report</h1>
<p class="muted">${e(period)} (from ${e(siteTime(r.period.from))} to ${e(siteTime(r.period.to))}). Generated ${e(siteTime(r.generatedAt))} by cidgate.
${r.masked ? 'Consumers\' numbers are partly hidden.' : '<strong>Numbers shown in full.</strong>'}</p></header>

<section id="proofs"><h2>Proofs</h2>
<p>Each proof is computed over every attempt of the period with the rule's own definition; the expected count is 0.</p>
<table class="proof-summary"><thead><tr><th>Proof</th><th class="n">Violations</th><th class="n">Exempted</th><th class="n">Consent asserted only</th></tr></thead><tbody>
${r.proofs.map((p) => `<tr data-proof="${p.id}"><td>${e(p.title)}</td><td class="n ${p.violations === 0 ? 'ok' : 'bad'}" data-field="violations">${p.applicable ? n(p.violations) : 'n/a'}</td><td class="n" data-field="exempted">${n(p.exempted)}</td><td class="n" data-field="asserted">${p.id === 'consent' ? n(p.asserted) : ''}</td></tr>`).join('\n')}
</tbody></table>
${r.proofs.map((p) => proofBlock(p, r.period.timeZone)).join('\n')}
</section>

<section id="summary"><h2>Summary</h2>
<div class="cards">
<div class="card"><div class="muted">Decided</div><div class="v" data-field="decided">${n(s.decided)}</div></div>
<div class="card"><div class="muted">Allowed</div><div class="v" data-field="allowed">${n(s.allowed)}</div></div>
<div class="card"><div class="muted">Rewritten</div><div class="v" data-field="rewritten">${n(s.rewritten)}</div></div>
<div class="card"><div class="muted">Blocked</div><div class="v" data-field="blocked">${n(s.blocked)}</div></div>
<div class="card"><div class="muted">Answer rate</div><div class="v" data-field="answer-rate">${pct(s.outcomes.answerRate)}</div></div>
<div class="card"><div class="muted">Mean answered call</div><div class="v" data-field="mean-duration">${s.outcomes.meanAnsweredSeconds === null ? '—' : `${s.outcomes.meanAnsweredSeconds.toFixed(0)} s`}</div></div>
</div>
<h3>Decisions per day</h3>${perDay}
<table><thead><tr><th>Campaign</th><th class="n">Allowed</th><th class="n">Rewritten</th><th class="n">Blocked</th></tr></thead><tbody>
${s.byCampaign.map((c) => `<tr data-campaign="${e(c.campaign)}"><td>${e(c.campaign)}</td><td class="n">${n(c.allow)}</td><td class="n">${n(c.rewrite)}</td><td class="n">${n(c.block)}</td></tr>`).join('\n')}
</tbody></table>
<h3>Blocks by reason</h3>
<p class="muted">Blocked calls are kept for audit and are not attempts. A block with two reasons counts under each.</p>
${reasons}
<table><thead><tr><th>Reason</th><th>Meaning and legal source</th><th class="n">Blocks</th></tr></thead><tbody>
${s.blocksByReason.map((b) => `<tr data-reason="${e(b.code)}"><td><code>${e(b.code)}</code></td><td>${e(b.text)}${b.source ? `<br><span class="muted">${e(b.source)}</span>` : ''}</td><td class="n">${n(b.count)}</td></tr>`).join('\n')}
</tbody></table>
<h3>Outcomes</h3>
<table><thead><tr><th>Outcome</th><th class="n">Attempts</th></tr></thead><tbody>
<tr><td>all counted attempts</td><td class="n" data-field="attempts">${n(s.outcomes.attempts)}</td></tr>
${s.outcomes.byStatus.map((o) => `<tr><td>${e(o.status)}</td><td class="n">${n(o.count)}</td></tr>`).join('\n')}
</tbody></table>
</section>

<section id="hours"><h2>When prospecting calls reached consumers</h2>
<p class="muted">Counted prospecting attempts by weekday and hour in the consumer's own time zone; the legal window is outlined, attempts outside it are red.</p>
${weekHeatmap('Prospecting attempts by hour of the week', r.heatmap.counts, r.heatmap.legal)}
</section>

<section id="caller-ids"><h2>Caller IDs presented</h2>
${pool}
<table><thead><tr><th>Number</th><th>Campaigns</th><th class="n">Presented</th><th>Areas reached</th><th>Busiest day</th><th class="n">Daily cap</th></tr></thead><tbody>
${r.callerIds.map((c) => `<tr data-number="${e(c.number)}"><td>${e(c.number)}${c.owned ? '' : ' <span class="bad">not ours</span>'}</td><td>${e(c.campaigns.join(', '))}</td><td class="n" data-field="count">${n(c.count)}</td><td>${c.areas.map((a) => `${e(a.area)}: ${n(a.count)}`).join(', ')}</td><td>${e(c.busiestDay)}: ${n(c.busiestDayCount)}</td><td class="n">${c.dailyCap === null ? '—' : n(c.dailyCap)}</td></tr>`).join('\n')}
</tbody></table>
</section>
</body></html>
`;
}
