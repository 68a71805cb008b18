/** The timer functions a reconnection uses: the real ones by default, a fake in tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ReconnectOptions {
  readonly minMs?: number;
  readonly maxMs?: number;
  readonly timers?: Timers;
  /** Uniform in [0, 1): the jitter's source. */
  readonly random?: () => number;
}

/**
 * Reconnect-with-backoff for a client that must stay connected (AMI, the Event Socket outcome
 * client): after each loss, one retry after a delay doubling from `minMs` to `maxMs`, with ±25 %
 * jitter so a PBX restart is not stampeded; a success resets the delay; `stop` cancels for good.
 */
export class Reconnector {
  private attempt = 0;
  private timer: unknown = null;
  private stoppedFlag = false;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly timers: Timers;
  private readonly random: () => number;

  /** `connect` opens a new connection; `onRetry` is told each delay (for the log line). */
  constructor(private readonly connect: () => void, private readonly onRetry: (delayMs: number) => void, opts: ReconnectOptions = {}) {
    this.minMs = opts.minMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    this.timers = opts.timers ?? REAL_TIMERS;
    this.random = opts.random ?? Math.random;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** The connection was lost or refused: one retry is scheduled, however often this is called meanwhile. */
  lost(): void {
    if (this.stoppedFlag || this.timer !== null) return;
    const base = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const delay = Math.round(base * (0.75 + this.random() * 0.5));
    this.onRetry(delay);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (!this.stoppedFlag) this.connect();
    }, delay);
  }

  /** Connected: the next loss starts again from the shortest delay. */
  succeeded(): void {
    this.attempt = 0;
  }

  stop(): void {
    this.stoppedFlag = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
