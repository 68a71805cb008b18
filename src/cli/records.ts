import { readFileSync } from 'node:fs';
import type { Config } from '../config/compile.js';
import type { LoadedConfig } from '../config/load.js';
import { CidgateError } from '../errors.js';
import { parsePhone } from '../numbers/phone.js';
import { formatInstant } from '../time/display.js';
import { parseCsv } from './csv.js';
import { checkCampaign, notInFuture, openContext, parseInstant, parseNumberArg, type CommonOptions } from './context.js';

type Out = NodeJS.WritableStream;

const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

async function withStore<T>(opts: CommonOptions, fn: (ctx: ReturnType<typeof openContext>) => Promise<T>): Promise<T> {
  const ctx = openContext(opts, { past: true });
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

export async function refuseCommand(number: string, opts: CommonOptions & { campaign?: string }, out: Out): Promise<number> {
  const e164 = parseNumberArg(number);
  return withStore(opts, async ({ store, clock, loaded }) => {
    if (opts.campaign !== undefined) checkCampaign(opts.campaign, loaded.config);
    await store.addRefusal(e164, clock.now(), opts.campaign ?? null);
    out.write(`refusal recorded for ${e164} on ${shown(clock.now(), loaded)}: ${refusalPeriods(loaded.config)}\n`);
    return 0;
  });
}

/** A recorded instant, on the site's clock. */
function shown(at: Date, loaded: LoadedConfig): string {
  return formatInstant(at, loaded.config.site.siteTimeZone);
}

/** The refusal period each campaign configures (limits.refusalDays), as the refusal will be read. */
export function refusalPeriods(config: Config): string {
  const periods = [...config.campaigns.values()].filter((c) => c.limits.refusalDays !== null).map((c) => `${c.limits.refusalDays} days for ${c.name}`);
  return periods.length > 0 ? `no prospecting call for ${periods.join(', ')}` : 'no campaign sets a refusal period (limits.refusalDays)';
}

export async function consentAddCommand(number: string, opts: CommonOptions & { source?: string; anytime?: boolean }, out: Out): Promise<number> {
  const e164 = parseNumberArg(number);
  return withStore(opts, async ({ store, clock, loaded }) => {
    await store.addConsents([{ number: e164, at: clock.now(), source: opts.source ?? null, anytime: opts.anytime === true }]);
    out.write(`consent recorded for ${e164}, given ${shown(clock.now(), loaded)}\n`);
    return 0;
  });
}

export async function consentRevokeCommand(number: string, opts: CommonOptions, out: Out): Promise<number> {
  const e164 = parseNumberArg(number);
  return withStore(opts, async ({ store, clock, loaded }) => {
    const revoked = await store.revokeConsent(e164, clock.now());
    out.write(revoked ? `consent revoked for ${e164} from ${shown(clock.now(), loaded)}\n` : `no consent on record for ${e164}\n`);
    return 0;
  });
}

/** CSV `number,at,source,anytime` (header optional); every bad row is reported, none is half-imported. */
export async function consentImportCommand(file: string, opts: CommonOptions, out: Out): Promise<number> {
  const rows = readCsv(file);
  return withStore(opts, async ({ store, clock, loaded }) => {
    const records: { number: string; at: Date | null; source: string | null; anytime: boolean }[] = [];
    const errors: string[] = [];
    rows.forEach((row, i) => {
      if (i === 0 && row[0]?.toLowerCase() === 'number') return;
      const phone = parsePhone(row[0]);
      if (!phone) return void errors.push(`line ${i + 1}: "${row[0] ?? ''}" is not a valid number`);
      let at: Date | null = null;
      try {
        const timeZone = loaded.config.site.siteTimeZone;
        at = row[1] ? notInFuture(parseInstant(row[1], 'at', timeZone), 'at', timeZone) : null;
      } catch (err) {
        return void errors.push(`line ${i + 1}: ${(err as Error).message}`);
      }
      records.push({ number: phone.e164, at, source: row[2] || null, anytime: /^(1|true|yes)$/i.test(row[3] ?? '') });
    });
    if (errors.length > 0) throw new CidgateError('BAD_INPUT', [file, `nothing imported:\n${errors.slice(0, 20).join('\n')}`], { file });
    await store.addConsents(records.map((r) => ({ ...r, at: r.at ?? clock.now() })));
    out.write(`${records.length} consents imported\n`);
    return 0;
  });
}

export async function dncAddCommand(numbers: string[], opts: CommonOptions & { source?: string }, out: Out): Promise<number> {
  const e164s = numbers.map((n) => parseNumberArg(n));
  return withStore(opts, async ({ store, clock }) => {
    const added = await store.addDoNotCall(e164s, clock.now(), opts.source ?? 'cli');
    out.write(`${added} added to the do-not-call list\n`);
    return 0;
  });
}

export async function dncRemoveCommand(number: string, opts: CommonOptions, out: Out): Promise<number> {
  const e164 = parseNumberArg(number);
  return withStore(opts, async ({ store }) => {
    const removed = await store.removeDoNotCall(e164);
    out.write(removed ? `${e164} removed from the do-not-call list\n` : `${e164} was not on the do-not-call list\n`);
    return 0;
  });
}

/** A CSV whose first column is the number (a header row is skipped); all-or-nothing. */
export async function dncImportCommand(file: string, opts: CommonOptions & { source?: string }, out: Out): Promise<number> {
  const rows = readCsv(file);
  const numbers: string[] = [];
  const errors: string[] = [];
  rows.forEach((row, i) => {
    const phone = parsePhone(row[0]);
    if (phone) numbers.push(phone.e164);
    else if (i > 0 || /\d{6}/.test(row[0] ?? '')) errors.push(`line ${i + 1}: "${row[0] ?? ''}" is not a valid number`);
  });
  if (errors.length > 0) throw new CidgateError('BAD_INPUT', [file, `nothing imported:\n${errors.slice(0, 20).join('\n')}`], { file });
  return withStore(opts, async ({ store, clock }) => {
    const added = await store.addDoNotCall(numbers, clock.now(), opts.source ?? file);
    out.write(`${numbers.length} numbers read, ${added} added to the do-not-call list\n`);
    return 0;
  });
}

function readCsv(file: string): string[][] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CidgateError('BAD_INPUT', [file, `cannot read it: ${(err as Error).message}`], { file });
  }
  if (text.length > MAX_IMPORT_BYTES) throw new CidgateError('BAD_INPUT', [file, `larger than ${MAX_IMPORT_BYTES} bytes`], { file });
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) throw new CidgateError('BAD_INPUT', [file, 'empty file'], { file });
  return rows;
}
