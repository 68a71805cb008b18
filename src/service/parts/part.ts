import type { Config } from '../../config/compile.js';
import type { ServiceHooks } from '../../http/plugin.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/store.js';
import type { Gateway } from '../gateway.js';
import type { Journal } from '../journal.js';

/** A readiness check's answer, as /readyz shows it. */
export interface Check {
  readonly ok: boolean;
  readonly detail?: string;
}

/** What a part's reload changed: listeners re-bound, settings that take a restart. */
export interface PartReload {
  readonly rebound?: readonly string[];
  readonly needsRestart?: readonly string[];
}

/**
 * One running piece of `cidgate serve` (the store, a listener, a PBX connection, a timer), all with
 * the same shape so the lifecycle starts, reloads and stops them alike.
 */
export interface Part {
  readonly name: string;
  /**
   * The others stand on it (the store, the journal file): it is stopped only once every other part
   * has stopped, in the reverse of the start order.
   */
  readonly underlying?: boolean;
  /** Starts it; `signal` aborts a long start (the warm-up) when a stop comes meanwhile. */
  open(signal: AbortSignal): Promise<void> | void;
  /** Stops accepting at once, then lets its sessions finish for up to `graceMs`. */
  stop(graceMs: number): Promise<void> | void;
  /** Its /readyz check, under its name. */
  ready?(): Promise<Check> | Check;
  /** Takes a new config (SIGHUP, POST /v1/admin/reload). */
  reload?(config: Config): Promise<PartReload> | PartReload;
  /** A listener's port, once bound (the `started` and `reloaded` log lines). */
  port?(): number | undefined;
  /** Sessions open now (cidgate_sessions_in_flight); undefined while not listening. */
  sessions?(): number | undefined;
  /** A connection cidgate holds (cidgate_adapter_connected). */
  connected?(): boolean;
  /** Connections or requests refused because the peer is not a configured source. */
  untrustedRefused?(): number;
}

/** What every part is built from. */
export interface PartContext {
  /** The config the service starts on. */
  readonly config: Config;
  readonly gateway: Gateway;
  readonly store: Store;
  readonly journal: Journal;
  readonly logger: Logger;
  /** `serve --no-migrate` clears it: the store's schema must then be in place already. */
  readonly migrate: boolean;
  /** The database, as the log names it (no password). */
  readonly database: string;
  /** What the HTTP API asks of the running service (readiness, reload, metrics). */
  readonly service: ServiceHooks;
}

/** Builds a part, or null when the config does not ask for it (a connection without its secret). */
export type PartFactory = (ctx: PartContext) => Part | null;
