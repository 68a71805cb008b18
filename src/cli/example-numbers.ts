import type { Config } from '../config/compile.js';
import { loadConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import { EXAMPLE_CONFIG } from '../paths.js';

/** How often `serve` repeats the warning while it runs on example numbers. */
export const EXAMPLE_WARNING_EVERY_MS = 3_600_000;

/** Runs `fn` every `ms` until the returned function is called (injected so tests need not wait an hour). */
export type Repeat = (ms: number, fn: () => void) => () => void;

export const repeatWithTimer: Repeat = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

let exampleNumbers: ReadonlySet<string> | undefined;

/**
 * The shipped example config's pool numbers (E.164). They are made up, but some fall in real NPV
 * ranges that belong to somebody. Read from the file itself, so a copy of it (any name, any
 * place, comments dropped) is recognised by its numbers, and a site that replaced them is not.
 */
function examplePoolNumbers(): ReadonlySet<string> {
  if (!exampleNumbers) {
    try {
      const { config } = loadConfig(EXAMPLE_CONFIG);
      exampleNumbers = new Set([...config.campaigns.values()].flatMap((c) => c.pool.map((n) => n.phone.e164)));
    } catch {
      exampleNumbers = new Set(); // an example edited beyond loading is nobody's pool to recognise
    }
  }
  return exampleNumbers;
}

/** The pool numbers of `config` that are the example's, per campaign. */
export function exampleNumbersIn(config: Config): { campaign: string; numbers: string[] }[] {
  const example = examplePoolNumbers();
  return [...config.campaigns.values()]
    .map((c) => ({ campaign: c.name, numbers: c.pool.map((n) => n.phone.e164).filter((n) => example.has(n)) }))
    .filter((c) => c.numbers.length > 0);
}

/**
 * While the running config presents the example's numbers, says so loudly (an error line) at once
 * and every hour: a call presenting them shows someone else's number. Reads the config at each
 * turn, so a reload with real numbers silences it. Returns the function that stops it.
 */
export function warnWhileExampleNumbers(config: () => Config, logger: Logger, repeat: Repeat = repeatWithTimer): () => void {
  const warn = () => {
    const found = exampleNumbersIn(config());
    if (found.length === 0) return;
    const count = found.reduce((n, c) => n + c.numbers.length, 0);
    logger.error(
      { event: 'example-numbers', campaigns: found.map((c) => c.campaign), count, numbers: found.flatMap((c) => c.numbers) },
      `EXAMPLE POOL NUMBERS: ${count} caller IDs come from the example config (campaigns: ${found.map((c) => c.campaign).join(', ')}); `
        + 'they are not yours and some fall in real NPV ranges that belong to somebody: replace them with the numbers your operator assigned you before any real call',
    );
  };
  warn();
  return repeat(EXAMPLE_WARNING_EVERY_MS, warn);
}
