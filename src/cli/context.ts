import { existsSync } from 'node:fs';
import { fixedClock, systemClock, type Clock } from '../clock.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { CidgateError } from '../errors.js';
import { parsePhone } from '../numbers/phone.js';
import { SqliteStore } from '../store/sqlite.js';

export interface CommonOptions {
  config?: string;
  db?: string;
  at?: string;
}

export interface CliContext {
  readonly loaded: LoadedConfig;
  readonly store: SqliteStore;
  readonly clock: Clock;
}

/** `existing`: for the commands that only read (attempts, report), a database that is not there is an error, never created empty. */
export function openContext(opts: CommonOptions, { existing = false } = {}): CliContext {
  const loaded = loadConfig(opts.config);
  const file = opts.db ?? loaded.config.raw.database;
  if (existing && !existsSync(file)) throw new CidgateError('BAD_OPTION', `no database at ${file}`, { file });
  const store = new SqliteStore(file, { busyTimeoutMs: 5_000 });
  return { loaded, store, clock: opts.at ? fixedClock(parseInstant(opts.at, '--at')) : systemClock };
}

export function parseInstant(text: string, what: string): Date {
  // ISO 8601 only: Date.parse accepts far too much ("1", "March 7").
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    throw new CidgateError('BAD_OPTION', `${what}: "${text}" is not an ISO-8601 date or instant`, { value: text });
  }
  const d = new Date(text.trim());
  if (Number.isNaN(d.getTime())) throw new CidgateError('BAD_OPTION', `${what}: "${text}" is not a valid instant`, { value: text });
  return d;
}

export function parseNumberArg(text: string, what = 'number'): string {
  const phone = parsePhone(text);
  if (!phone) throw new CidgateError('BAD_NUMBER', `${what}: "${text}" is not a valid telephone number`, { value: text });
  return phone.e164;
}
