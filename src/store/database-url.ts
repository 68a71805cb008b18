import { CidgateError } from '../errors.js';
import type { Logger } from '../log.js';
import { readSecret } from '../service/secrets.js';

/** Where the store lives: a SQLite file, or a PostgreSQL server shared by several nodes. */
export type StoreTarget =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** The config's `database`: a path or URL, or a URL with its password in a file. */
export type DatabaseSetting = string | { readonly url: string; readonly passwordFile: string | null };

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** A URL's scheme and user part (to its last `@`), then its hosts: `db1:5432,db2:5432` in libpq's multi-host form. */
const HOSTS = /^([a-z]+:\/\/(?:[^/?#]*@)?)([^/?#@]*)/i;

/**
 * Which database a command or the service uses: `--db`, else CIDGATE_DATABASE_URL, else the
 * config's `database`. A PostgreSQL URL without a password takes the one in
 * `database.passwordFile` (or CIDGATE_DATABASE_PASSWORD); the URL's own password wins.
 */
export function storeTarget(setting: DatabaseSetting, cliDb: string | undefined, log: Logger, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  const configured = typeof setting === 'string' ? setting : setting.url;
  const text = cliDb ?? (env.CIDGATE_DATABASE_URL || configured);
  if (!isPostgresUrl(text)) return { kind: 'sqlite', file: text };
  const { url, hosts } = parseUrl(text);
  if (!url.password) {
    const password = readSecret('CIDGATE_DATABASE_PASSWORD', typeof setting === 'string' ? null : setting.passwordFile, log);
    if (password) url.password = encodeURIComponent(password);
  }
  return { kind: 'postgres', url: hosts.includes(',') ? url.toString().replace(HOSTS, (_, start: string) => start + hosts) : url.toString() };
}

/** The URL as it may appear in logs and messages: the password replaced by `***`. */
export function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return text.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

export function describeTarget(t: StoreTarget): string {
  return t.kind === 'sqlite' ? t.file : maskUrl(t.url);
}

/**
 * The URL, and its hosts as written: libpq's multi-host form (`db1:5432,db2:5432`), which the driver
 * takes, is parsed with its first host only, as a URL has one.
 */
function parseUrl(text: string): { url: URL; hosts: string } {
  const hosts = HOSTS.exec(text)?.[2] ?? '';
  try {
    return { url: new URL(text.replace(HOSTS, (_, start: string) => start + hosts.split(',')[0])), hosts };
  } catch {
    throw new CidgateError('CONFIG_INVALID', ['database', `"${maskUrl(text)}" is not a valid postgres:// URL`], { url: maskUrl(text) });
  }
}
