import { fixedClock, systemClock, type Clock } from '../clock.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { CidgateError } from '../errors.js';
import { parsePhone } from '../numbers/phone.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

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

export function openContext(opts: CommonOptions): CliContext {
  const loaded = loadConfig(opts.config);
  // A command waits longer than the service for another process's lock; warnings go to stderr.
  const { store } = openStore(loaded.config.raw, opts.db, createLogger('warn', 2), { busyTimeoutMs: 5_000, waitMs: 30_000 });
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
