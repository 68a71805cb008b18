import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../log.js';

/**
 * A secret from the environment, else from a file named in the config; null when neither is
 * given (the feature stays off). The value never reaches a log line; a file others can read is
 * reported.
 */
export function readSecret(envName: string, file: string | null, log: Logger): string | null {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  if (!file) return null;
  try {
    if ((statSync(file).mode & 0o004) !== 0) {
      log.warn({ event: 'secret-world-readable', file }, `secret file ${file} is world-readable: chmod 600 it`);
    }
    return readFileSync(file, 'utf8').trim() || null;
  } catch (err) {
    log.error({ event: 'secret-unreadable', code: 'CONFIG_UNREADABLE', file, err: { message: (err as Error).message } }, `cannot read secret file ${file}`);
    return null;
  }
}
