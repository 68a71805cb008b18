import type { Action } from '../model/types.js';
import { areaLabel } from '../report/display.js';
import type { AttemptRow } from '../store/store.js';
import { formatTableTime } from '../time/display.js';
import { CidgateError } from '../errors.js';
import { csvLine } from './csv.js';
import { openContext, parseInstant, parseNumberArg, type CommonOptions } from './context.js';
import { writeLine } from './output.js';

const COLUMNS = [
  'id', 'at', 'campaign', 'purpose', 'source', 'channel', 'unique_id', 'agent', 'lead', 'original_caller_id',
  'presented_caller_id', 'callee', 'action', 'reasons', 'retry_at', 'counted', 'outcome', 'hangup_cause', 'duration_s',
  'consent_ref', 'consent_anytime', 'area', 'time_zone', 'without_history',
];

const ACTIONS: readonly Action[] = ['allow', 'rewrite', 'block'];

export interface AttemptsOptions extends CommonOptions {
  to?: string; since?: string; until?: string; campaign?: string; action?: string; csv?: boolean; json?: boolean;
}

function values(a: AttemptRow): (string | number | null)[] {
  const area = a.area ? (JSON.parse(a.area) as { timeZone?: string; territory?: string | null; zone?: string | null; country?: string | null }) : null;
  return [
    a.id, a.at.toISOString(), a.campaign, a.purpose, a.source, a.channel, a.pbxUniqueId, a.agent, a.lead,
    a.originalCallerId, a.presentedCallerId, a.callee, a.action, a.reasons, a.retryAt?.toISOString() ?? null,
    a.counted ? 1 : 0, a.outcome, a.hangupCause, a.durationSeconds, a.consentRef, a.consentAnytime ? 1 : 0,
    areaLabel(area), area?.timeZone ?? null, a.withoutHistory ? 1 : 0,
  ];
}

/** The terminal's table: the columns a person scans, times in the site's time zone. */
const TABLE = [
  { title: 'ID', width: 7, right: true }, { title: 'WHEN', width: 16 }, { title: 'CAMPAIGN', width: 12 },
  { title: 'ACTION', width: 7 }, { title: 'CALLEE', width: 14 }, { title: 'AREA', width: 7 }, { title: 'CALLER ID', width: 14 },
  { title: 'REASONS', width: 30 }, { title: 'OUTCOME', width: 10 },
] as const;

function cell(text: string, width: number, right = false): string {
  const t = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return right ? t.padStart(width) : t.padEnd(width);
}

function tableLine(cells: readonly string[]): string {
  return TABLE.map((c, i) => cell(cells[i] ?? '', c.width, 'right' in c)).join('  ').trimEnd();
}

function tableRow(a: AttemptRow, timeZone: string): string {
  const area = a.area ? areaLabel(JSON.parse(a.area) as { territory?: string; zone?: string; country?: string }) : null;
  return tableLine([
    String(a.id), formatTableTime(a.at, timeZone), a.campaign, a.action,
    a.callee ?? '—', area ?? '—', a.presentedCallerId ?? '—', a.reasons.replaceAll(',', ', ') || '—', a.outcome ?? '',
  ]);
}

/**
 * The audit trail: every decision with its outcome — a table on a terminal, JSON lines or CSV
 * (`--csv`) for pipes and files.
 */
export async function attemptsCommand(opts: AttemptsOptions, out: NodeJS.WritableStream): Promise<number> {
  if (opts.action && !ACTIONS.includes(opts.action as Action)) {
    throw new CidgateError('BAD_OPTION', ['--action', `"${opts.action}" is not one of ${ACTIONS.join(', ')}`], { value: opts.action });
  }
  const callee = opts.to ? parseNumberArg(opts.to, '--to') : undefined;
  const { store, loaded } = openContext(opts, { existing: true });
  const mode = opts.csv ? 'csv' : opts.json || !(out as { isTTY?: boolean }).isTTY ? 'json' : 'table';
  const timeZone = loaded.config.site.siteTimeZone;
  try {
    const filter = {
      callee,
      since: opts.since ? parseInstant(opts.since, '--since', timeZone) : undefined,
      until: opts.until ? parseInstant(opts.until, '--until', timeZone) : undefined,
      campaign: opts.campaign,
      action: opts.action as Action | undefined,
    };
    if (mode === 'csv') out.write(`${csvLine(COLUMNS)}\n`);
    if (mode === 'table') out.write(`${tableLine(TABLE.map((c) => c.title))}   (times: ${timeZone})\n`);
    for await (const a of store.attempts(filter)) {
      const v = mode === 'table' ? [] : values(a);
      const line = mode === 'csv' ? csvLine(v)
        : mode === 'json' ? JSON.stringify(Object.fromEntries(COLUMNS.map((c, i) => [c, v[i]])))
          : tableRow(a, timeZone);
      if (!(await writeLine(out, line))) break; // the reader stopped (`| head`)
    }
    return 0;
  } finally {
    await store.close();
  }
}
