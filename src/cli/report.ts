import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { CidgateError } from '../errors.js';
import { createLogger } from '../log.js';
import { buildReport } from '../report/build.js';
import { reportCsv } from '../report/csv.js';
import { reportHtml } from '../report/html.js';
import { renderPdf } from '../report/pdf.js';
import { zonedInstant } from '../time/zoned.js';
import { checkCampaign, openContext, parseInstant, type CommonOptions } from './context.js';
import { loadConfig } from '../config/load.js';

const FORMATS = ['html', 'csv', 'json', 'pdf'] as const;
type Format = (typeof FORMATS)[number];

export interface ReportOptions extends CommonOptions {
  from: string;
  to: string;
  campaign?: string;
  format?: string;
  out?: string;
  unmasked?: boolean;
  offending?: string;
}

/** `--offending`: how many offending attempts each proof lists (all are counted); `all` lists every one. */
function offendingLimit(text: string | undefined): number {
  if (text === undefined) return 100;
  if (text.trim() === 'all') return Infinity;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || text.trim() === '') throw new CidgateError('BAD_OPTION', ['--offending', `"${text}" is not a whole number (0 or more) or all`], { value: text });
  return n;
}

/**
 * A date alone is a whole site-local day: `--from 2026-11-01 --to 2026-11-30` covers November
 * in the site's time zone, the 30th included. An instant is read like --at (`--to` exclusive).
 */
function periodBound(text: string, what: string, timeZone: string, end: boolean): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!day) return parseInstant(text, what, timeZone);
  const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) throw new CidgateError('BAD_OPTION', [what, `"${text}" is not a date`], { value: text });
  return zonedInstant(y, m, d + (end ? 1 : 0), 0, timeZone);
}

/** `cidgate report`: the compliance report for a period, from the database's aggregates. */
export async function reportCommand(opts: ReportOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const format = (opts.format ?? 'html') as Format;
  const limit = offendingLimit(opts.offending);
  if (!FORMATS.includes(format)) throw new CidgateError('BAD_OPTION', ['--format', `"${opts.format}" is not one of ${FORMATS.join(', ')}`]);
  if (format === 'pdf' && !opts.out) throw new CidgateError('BAD_OPTION', ['--out', '--format pdf needs a file to write']);
  const { config } = loadConfig(opts.config);
  const tz = config.site.siteTimeZone;
  const from = periodBound(opts.from, '--from', tz, false);
  const to = periodBound(opts.to, '--to', tz, true);
  if (to.getTime() <= from.getTime()) throw new CidgateError('BAD_OPTION', ['--to', 'must be after --from']);
  if (opts.campaign !== undefined) checkCampaign(opts.campaign, config);
  // A report never creates a database: a mistyped path is an error, not an empty report.
  const ctx = openContext(opts, { existing: true });
  try {
    const scope = { from, to, campaign: opts.campaign ?? null };
    if (opts.unmasked) {
      // Phone numbers are personal data: who asked for them in full, and when, is kept.
      const log = createLogger('info', err);
      log.warn({ event: 'report-unmasked', user: userInfo().username, from: from.toISOString(), to: to.toISOString(), campaign: scope.campaign, out: opts.out ?? 'stdout' }, 'report with numbers unmasked');
    }
    const report = await buildReport(ctx.store.reportQueries(), config, ctx.clock, { scope, unmasked: opts.unmasked === true, offendingLimit: limit });
    if (format === 'pdf') {
      await renderPdf(reportHtml(report), opts.out!);
      return 0;
    }
    const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'csv' ? reportCsv(report) : reportHtml(report);
    if (opts.out) writeFileSync(opts.out, text);
    else out.write(text);
    return 0;
  } finally {
    await ctx.store.close();
  }
}

