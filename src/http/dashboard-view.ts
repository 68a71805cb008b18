/**
 * The dashboard's panels as HTML, from one snapshot. Runs on the server (the first page) and in the
 * browser (each update, dashboard-client.ts): it imports nothing but the report's SVG charts, so the
 * compiled module loads as is in a browser.
 */
import { escapeHtml as e, horizontalBars, stackedBars } from '../report/charts.js';

export interface RecentDecision {
  readonly at: string;
  /** Site-local "YYYY-MM-DD HH:MM:SS". */
  readonly time: string;
  readonly campaign: string;
  readonly action: 'allow' | 'rewrite' | 'block';
  readonly reasons: readonly string[];
  /** Presented (or, when blocked, asked for); masked unless it is ours. */
  readonly callerId: string | null;
  /** Masked. */
  readonly callee: string | null;
  readonly source: string | null;
  /** The lead id the dialer gave, if any. */
  readonly lead: string | null;
  /** The node that decided (null: recorded before nodes were). */
  readonly node: string | null;
}

export interface PoolUse { readonly campaign: string; readonly number: string; readonly count: number; readonly cap: number | null }

export interface DashboardSnapshot {
  readonly generatedAt: string;
  readonly time: string;
  readonly timeZone: string;
  /** The node serving this page: the connections are its own. */
  readonly node: string;
  /** Decisions this process made since it started. */
  readonly decisionsSeen: number;
  readonly lastHour: { readonly decided: number; readonly allow: number; readonly rewrite: number; readonly block: number };
  /** Every node's decisions of the last 60 minutes (by the call's instant), oldest first; `label` is the site-local "HH:MM". */
  readonly perMinute: readonly { readonly minute: string; readonly label: string; readonly allow: number; readonly rewrite: number; readonly block: number }[];
  /** Blocks of the last hour; a block with two reasons counts under each. */
  readonly blocksByReason: readonly { readonly code: string; readonly text: string; readonly count: number }[];
  /** Today's presentations per pool number (all nodes), against the campaign's daily cap. */
  readonly pool: readonly PoolUse[];
  /** What this node's /readyz answers: the store and each of its adapters' connections. */
  readonly readiness: { readonly ready: boolean; readonly checks: Record<string, { readonly ok: boolean; readonly detail?: string }> };
  /** Every node's, newest first, at most 50. */
  readonly recent: readonly RecentDecision[];
}

const n = (x: number) => x.toLocaleString('en');

function card(label: string, field: string, value: string, css = ''): string {
  return `<div class="card"><div class="muted">${e(label)}</div><div class="v ${css}" data-field="${field}">${value}</div></div>`;
}

export function dashboardMain(s: DashboardSnapshot): string {
  const h = s.lastHour;
  const minutes = s.perMinute;
  const perMinute = stackedBars('Decisions per minute by action, last hour', minutes.map((m) => m.label),
    [{ name: 'allow', cssClass: 'allow' }, { name: 'rewrite', cssClass: 'rewrite' }, { name: 'block', cssClass: 'block' }],
    [minutes.map((m) => m.allow), minutes.map((m) => m.rewrite), minutes.map((m) => m.block)], (l) => l);
  const reasons = s.blocksByReason.length === 0 ? '<p class="muted">No block in the last hour.</p>'
    : `${horizontalBars('Blocks by reason, last hour', s.blocksByReason.map((b) => ({ label: b.code, value: b.count })))}
<table><thead><tr><th>Reason</th><th>Meaning</th><th class="n">Blocks</th></tr></thead><tbody>
${s.blocksByReason.map((b) => `<tr data-reason="${e(b.code)}"><td><code>${e(b.code)}</code></td><td>${e(b.text)}</td><td class="n">${n(b.count)}</td></tr>`).join('\n')}
</tbody></table>`;
  // The numbers presented today, closest to their cap first; the idle ones are only counted.
  const used = s.pool.filter((p) => p.count > 0).sort((a, b) => (b.cap ? b.count / b.cap : 0) - (a.cap ? a.count / a.cap : 0) || b.count - a.count);
  const idle = s.pool.length - used.length;
  const pool = `${used.length === 0 ? '<p class="muted">No pool number presented today.</p>'
    : `${horizontalBars('Pool numbers presented today against their daily cap', used.map((p) => ({ label: `${p.number} (${p.campaign})`, value: p.count, limit: p.cap })))}
<table><thead><tr><th>Number</th><th>Campaign</th><th class="n">Today</th><th class="n">Daily cap</th></tr></thead><tbody>
${used.map((p) => `<tr data-number="${e(p.number)}" data-campaign="${e(p.campaign)}"><td>${e(p.number)}</td><td>${e(p.campaign)}</td><td class="n" data-field="count">${n(p.count)}</td><td class="n">${p.cap === null ? '—' : n(p.cap)}</td></tr>`).join('\n')}
</tbody></table>`}${idle > 0 ? `<p class="muted" data-field="idle">${n(idle)} other pool number${idle > 1 ? 's' : ''} not presented today.</p>` : ''}`;
  const checks = Object.entries(s.readiness.checks);
  const recent = s.recent.length === 0 ? '<p class="muted">No decision recorded yet.</p>'
    : `<table class="recent"><thead><tr><th>Time</th><th>Node</th><th>Source</th><th>Campaign</th><th>Action</th><th>Reasons</th><th>Caller ID</th><th>Callee</th><th>Lead</th></tr></thead><tbody>
${s.recent.map((r) => `<tr class="${r.action}" data-node="${e(r.node ?? '')}"><td>${e(r.time)}</td><td>${e(r.node ?? '—')}</td><td>${e(r.source ?? '—')}</td><td>${e(r.campaign)}</td><td class="action-${r.action}">${r.action}</td><td>${e(r.reasons.join(', '))}</td><td>${e(r.callerId ?? '—')}</td><td>${e(r.callee ?? '—')}</td><td>${e(r.lead ?? '—')}</td></tr>`).join('\n')}
</tbody></table>`;
  return `<div class="cards">
${card('Decided, last hour', 'decided', n(h.decided))}${card('Allowed', 'allow', n(h.allow))}${card('Rewritten', 'rewrite', n(h.rewrite))}${card('Blocked', 'block', n(h.block), h.block > 0 ? 'bad' : '')}
${card(`This node (${s.node}) since start`, 'seen', n(s.decisionsSeen))}${card(`${s.node} ready`, 'ready', s.readiness.ready ? 'yes' : 'no', s.readiness.ready ? 'ok' : 'bad')}
</div>
<section id="per-minute"><h2>Decisions per minute</h2>${perMinute}</section>
<section id="reasons"><h2>Blocks by reason</h2>${reasons}</section>
<section id="pool"><h2>Pool numbers today</h2>${pool}</section>
<section id="adapters"><h2>Connections of node <span data-field="node">${e(s.node)}</span></h2>
<table><thead><tr><th>Node</th><th>Part</th><th>State</th></tr></thead><tbody>
${checks.map(([name, c]) => `<tr data-check="${e(name)}"><td>${e(s.node)}</td><td>${e(name)}</td><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'up' : `down${c.detail ? `: ${e(c.detail)}` : ''}`}</td></tr>`).join('\n')}
</tbody></table></section>
<section id="recent"><h2>Last ${n(s.recent.length)} decisions</h2>${recent}</section>`;
}
