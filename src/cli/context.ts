import { fixedClock, systemClock, type Clock } from '../clock.js';
import { campaignProblem } from '../config/campaigns.js';
import type { Config } from '../config/compile.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { CidgateError } from '../errors.js';
import { parsePhone } from '../numbers/phone.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { formatInstant } from '../time/display.js';
import { zonedInstant } from '../time/zoned.js';

export interface CommonOptions {
  config?: string;
  db?: string;
  at?: string;
}

export interface CliContext {
  readonly loaded: LoadedConfig;
  readonly store: Store;
  readonly clock: Clock;
}

export interface OpenOptions {
  /** For the commands that only read (attempts, report): a database that is not there is an error, never created empty. */
  readonly existing?: boolean;
  /** For the commands that record what happened: `--at` may not be in the future. */
  readonly past?: boolean;
}

export function openContext(opts: CommonOptions, { existing = false, past = false }: OpenOptions = {}): CliContext {
  const loaded = loadConfig(opts.config);
  const at = opts.at ? parseInstant(opts.at, '--at', loaded.config.site.siteTimeZone) : null;
  if (at && past) notInFuture(at, '--at', loaded.config.site.siteTimeZone);
  // A command waits longer than the service for another process's lock; warnings go to stderr.
  const { store } = openStore(loaded.config.raw, opts.db, createLogger('warn', 2), { busyTimeoutMs: 5_000, waitMs: 30_000, mustExist: existing });
  return { loaded, store, clock: at ? fixedClock(at) : systemClock };
}

/**
 * A record is dated when it happened, never later than now: decisions read what was on record at
 * the call's instant, so a consent dated tomorrow would be honoured before it was given.
 */
export function notInFuture(at: Date, what: string, timeZone: string): Date {
  if (at.getTime() > systemClock.now().getTime()) {
    throw new CidgateError('BAD_OPTION', [what, `${formatInstant(at, timeZone)} is in the future; a record is dated when it happened`], { at: at.toISOString() });
  }
  return at;
}

/** How `--at` and the other instants are read, for --help. */
export const INSTANT_HELP = 'ISO 8601; without an offset (Z, +01:00) it is the wall clock of the config\'s siteTimeZone';

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO-8601 date or instant. Without an offset it is read in `timeZone` (the site's), never in the
 * machine's: the same command decides the same way on any host. Impossible dates (30 February,
 * 24:30) are refused rather than rolled over.
 */
export function parseInstant(text: string, what: string, timeZone: string): Date {
  // ISO 8601 only: Date.parse accepts far too much ("1", "March 7").
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) throw new CidgateError('BAD_OPTION', [what, `"${text}" is not an ISO-8601 date or instant`], { value: text });
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const ms = Math.round(Number(m[7] ?? 0) * 1000);
  const impossible = (why: string) => new CidgateError('BAD_OPTION', [what, `"${text}" is not a real instant (${why})`], { value: text });
  if (month < 1 || month > 12) throw impossible(`there is no month ${month}`);
  const monthDays = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > monthDays) throw impossible(`${year}-${String(month).padStart(2, '0')} has ${monthDays} days`);
  if (hour > 23 || minute > 59 || second > 59) throw impossible('hours run 00–23, minutes and seconds 00–59');
  const offset = m[8];
  if (offset === undefined) {
    return new Date(zonedInstant(year, month, day, hour * 60 + minute, timeZone).getTime() + second * 1000 + ms);
  }
  let offsetMinutes = 0;
  if (offset.toUpperCase() !== 'Z') {
    const [oh, om] = [Number(offset.slice(1, 3)), Number(offset.slice(-2))];
    if (oh > 23 || om > 59) throw impossible(`no time zone is ${offset} from UTC`);
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
}

export function parseNumberArg(text: string, what = 'number'): string {
  const phone = parsePhone(text);
  if (!phone) throw new CidgateError('BAD_NUMBER', [what, text], { value: text });
  return phone.e164;
}

/** A campaign the config does not define, or none where no defaultCampaign stands in, names the ones it does. */
export function checkCampaign(name: string | undefined, config: Config): void {
  const problem = campaignProblem(name, config);
  if (problem) throw new CidgateError('UNKNOWN_CAMPAIGN', problem, { campaign: name ?? null });
}
