import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Clock } from '../clock.js';
import { campaignProblem } from '../config/campaigns.js';
import { CidgateError, errorCode, errorMessage, type ErrorCode } from '../errors.js';
import { silentLogger } from '../log.js';
import type { CallRequest, Decision } from '../model/types.js';
import { callInputSchema, firstIssue, toCallRequest } from '../service/call-input.js';
import { Gateway } from '../service/gateway.js';
import type { Recorded } from '../store/store.js';
import { formatInstant } from '../time/display.js';
import { checkCampaign, openContext, parseInstant, type CommonOptions } from './context.js';
import { outputClosed, writeLine } from './output.js';

export interface CheckOptions extends CommonOptions {
  from?: string;
  to?: string;
  campaign?: string;
  consent?: boolean | string;
  consentAnytime?: boolean;
  zone?: string;
  tz?: string;
  record?: boolean;
  json?: boolean;
  batch?: string;
}

/** A clock the batch mode moves line by line; otherwise fixed at --at or following the system. */
class SettableClock implements Clock {
  constructor(private readonly base: Clock, private at: Date | null = null) {}
  set(at: Date | null): void { this.at = at; }
  now(): Date { return this.at ? new Date(this.at) : this.base.now(); }
  get live(): boolean { return this.at === null && this.base.live === true; }
}

export async function checkCommand(opts: CheckOptions, out: NodeJS.WritableStream): Promise<number> {
  const ctx = openContext(opts);
  const clock = new SettableClock(ctx.clock);
  const gateway = new Gateway(ctx.loaded.config, ctx.store, clock, silentLogger);
  try {
    if (opts.batch) {
      // Before the first line: a mistyped --campaign is one error, not a batch of refused lines.
      if (opts.campaign !== undefined) checkCampaign(opts.campaign, gateway.config);
      return await batch(gateway, clock, opts, out);
    }
    if (!opts.to) throw new CidgateError('BAD_OPTION', ['--to', 'check needs the number to call (or --batch FILE)']);
    checkCampaign(opts.campaign, gateway.config);
    const result = await gateway.check(requestOf(opts), { record: opts.record === true });
    out.write(opts.json ? `${JSON.stringify(toJson(result, opts.record === true))}\n` : `${human(result.decision, gateway.config.site.siteTimeZone)}\n`);
    return 0;
  } finally {
    await ctx.store.close();
  }
}

function requestOf(o: {
  from?: unknown; to?: unknown; campaign?: unknown; consent?: unknown; consentAnytime?: unknown; zone?: unknown; tz?: unknown;
}): CallRequest {
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
  return {
    campaign: str(o.campaign) ?? '',
    from: str(o.from), to: str(o.to), zone: str(o.zone), timeZone: str(o.tz),
    consent: typeof o.consent === 'boolean' ? o.consent : str(o.consent),
    consentAnytime: o.consentAnytime === true,
    pbx: { source: 'cli' },
  };
}

/** The batch file, opened before the first line so a missing file is one clear error. */
async function openBatch(file: string): Promise<NodeJS.ReadableStream> {
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new CidgateError('BAD_INPUT', ['--batch', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : err.message}`], { file })));
  });
  return stream;
}

/** JSON lines in, one decision per line out; a bad line gets an error object, never stops the batch. */
async function batch(gateway: Gateway, clock: SettableClock, opts: CheckOptions, out: NodeJS.WritableStream): Promise<number> {
  const input = opts.batch === '-' ? process.stdin : await openBatch(opts.batch!);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (outputClosed(out)) break; // the reader stopped (`| head`): decide (and record) no more lines
    if (line.trim() === '') continue;
    const lineError = (code: ErrorCode, error: string, field?: string) => writeLine(out, JSON.stringify({ line: lineNo, code, error, field }));
    try {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        await lineError('BAD_INPUT', `not JSON: ${(err as Error).message}`);
        continue;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        await lineError('BAD_INPUT', 'expected a JSON object');
        continue;
      }
      // The HTTP API's schema: a misspelled key or a wrong type is an error naming the field.
      const parsed = callInputSchema.safeParse(obj);
      if (!parsed.success) {
        const { field, message } = firstIssue(parsed.error);
        await lineError('BAD_INPUT', message, field);
        continue;
      }
      const fields = parsed.data;
      const problem = campaignProblem(fields.campaign ?? opts.campaign, gateway.config);
      if (problem) {
        await lineError('UNKNOWN_CAMPAIGN', errorMessage('UNKNOWN_CAMPAIGN', problem), 'campaign');
        continue;
      }
      let at: Date | null = null;
      try {
        if (fields.at !== undefined) at = parseInstant(fields.at, 'at', gateway.config.site.siteTimeZone);
      } catch (err) {
        await lineError('BAD_INPUT', (err as Error).message, 'at'); // a line's field, not the command's option
        continue;
      }
      clock.set(at);
      const request = toCallRequest({ campaign: opts.campaign, ...fields }, 'cli');
      const result = await gateway.check(request, { record: opts.record === true });
      await writeLine(out, JSON.stringify({ line: lineNo, ...toJson(result, opts.record === true) }));
    } catch (err) {
      await lineError(errorCode(err), (err as Error).message);
    }
  }
  return 0;
}

/** `recorded`: the decision read the log on both sides of its instant (`reading: 'log'`), else as of it. */
export function toJson(r: Recorded, recorded: boolean): Record<string, unknown> {
  const d = r.decision;
  return {
    action: d.action, callerId: d.callerId, reasons: d.reasons, retryAt: d.retryAt?.toISOString() ?? null,
    callee: d.callee, originalCallerId: d.originalCallerId, campaign: d.campaign,
    area: d.area ? { country: d.area.country, zone: d.area.zone, territory: d.area.territory, timeZone: d.area.timeZone } : null,
    attemptId: r.attemptId, at: d.at.toISOString(), reading: recorded ? 'log' : 'as-of',
  };
}

/**
 * One line for a person. The retry time is on the site's clock, where the agents and the supervisor
 * work, with the callee's own clock in brackets when it differs (an overseas callee).
 */
function human(d: Decision, siteTimeZone: string): string {
  if (d.action === 'block') {
    const retry = d.retryAt ? `; allowed from ${formatInstant(d.retryAt, siteTimeZone, { near: d.at, alsoIn: d.area?.timeZone })}` : '';
    return `block: ${d.reasons.join(', ')}${retry}`;
  }
  const why = d.reasons.length ? ` (${d.reasons.join(', ')})` : '';
  return `${d.action}: present ${d.callerId}${why}`;
}
