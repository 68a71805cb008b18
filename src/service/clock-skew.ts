import { Gauge, type Registry } from 'prom-client';
import type { RawConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** `database.maxClockSkewMs` when the database is given as a bare URL. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 500;
/** How often a node measures its clock against the database's. */
export const SKEW_INTERVAL_MS = 60_000;
/** Readiness fails beyond this many times `database.maxClockSkewMs`. */
export const SKEW_NOT_READY_FACTOR = 10;

/**
 * This node's clock against the shared database's. On PostgreSQL a live decision takes its instant
 * from the server's clock, so skew no longer changes which attempts count; it still moves what this
 * node does on its own clock (timeouts aside: the CLI's and the API's `now` for retryAfter, log
 * timestamps, a journaled decision's instant during an outage). Measured at start and every minute:
 * the gauge, a warning (CLOCK_SKEW) beyond `maxSkewMs`, readiness failing beyond ten times that.
 */
export class ClockSkewMonitor {
  /** This node's clock minus the server's, in ms (positive: this node is ahead); null until measured. */
  private offsetMs: number | null = null;
  private warning = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** The server's clock, epoch ms. */
    private readonly serverTime: () => Promise<number>,
    private readonly maxSkewMs: number,
    private readonly log: Logger,
    registry?: Registry,
    private readonly now: () => number = Date.now,
  ) {
    if (registry) {
      const monitor = this;
      new Gauge({
        name: 'cidgate_clock_skew_seconds',
        help: 'This node\'s clock minus the shared database server\'s (positive: ahead), measured every minute',
        registers: [registry],
        collect() { if (monitor.offsetMs !== null) this.set(monitor.offsetMs / 1000); },
      });
    }
  }

  get offset(): number | null {
    return this.offsetMs;
  }

  /** One measurement: the server's instant against the middle of the round trip on this clock. */
  async measure(): Promise<number | null> {
    try {
      const sent = this.now();
      const server = await this.serverTime();
      const received = this.now();
      this.offsetMs = Math.round((sent + received) / 2 - server);
    } catch (err) {
      // The store's own errors say the database is down; the last measure stands meanwhile.
      this.log.debug({ event: 'clock-skew-unmeasured', err: { message: (err as Error).message } }, 'clock skew not measured');
      return this.offsetMs;
    }
    const beyond = Math.abs(this.offsetMs) > this.maxSkewMs;
    if (beyond && !this.warning) {
      this.log.warn({ event: 'clock-skew', code: 'CLOCK_SKEW', offsetMs: this.offsetMs, maxClockSkewMs: this.maxSkewMs },
        `this node's clock is ${this.offsetMs} ms off the database's (database.maxClockSkewMs ${this.maxSkewMs})`);
    } else if (!beyond && this.warning) {
      this.log.info({ event: 'clock-skew-ended', offsetMs: this.offsetMs }, 'this node\'s clock is back within database.maxClockSkewMs');
    }
    this.warning = beyond;
    return this.offsetMs;
  }

  /** Measures now, then every `intervalMs` (unref'd: never keeps the process alive). */
  start(intervalMs = SKEW_INTERVAL_MS): Promise<number | null> {
    this.timer ??= setInterval(() => void this.measure(), intervalMs).unref();
    return this.measure();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The readiness check: failing beyond ten times the bound. */
  check(): { ok: boolean; detail?: string } {
    if (this.offsetMs === null) return { ok: true, detail: 'not measured yet' };
    const detail = `offset ${this.offsetMs >= 0 ? '+' : ''}${(this.offsetMs / 1000).toFixed(3)} s to the database (warning beyond ${this.maxSkewMs} ms, not ready beyond ${this.maxSkewMs * SKEW_NOT_READY_FACTOR} ms)`;
    return { ok: Math.abs(this.offsetMs) <= this.maxSkewMs * SKEW_NOT_READY_FACTOR, detail };
  }
}

/** The monitor of a store whose server has the clock that decides (PostgreSQL); null otherwise. */
export function clockSkewMonitor(store: Store, raw: RawConfig, log: Logger, registry: Registry): ClockSkewMonitor | null {
  if (!store.serverTime) return null;
  const maxSkewMs = typeof raw.database === 'object' ? raw.database.maxClockSkewMs : DEFAULT_MAX_CLOCK_SKEW_MS;
  return new ClockSkewMonitor(() => store.serverTime!(), maxSkewMs, log, registry);
}
