import type { Config } from '../config/compile.js';
import { errorCode, errorMessage } from '../errors.js';
import type { Readiness, ReloadResult } from '../http/plugin.js';
import type { Logger } from '../log.js';
import type { Check, Part, PartContext, PartFactory } from './parts/part.js';

/** How long open sessions may take to finish on SIGTERM before they are cut: one period shared by all parts. */
export const SHUTDOWN_GRACE_MS = 5_000;

export type State = 'starting' | 'serving' | 'reloading' | 'draining' | 'stopped';
export type LifecycleEvent = 'started' | 'start-failed' | 'reload' | 'reload-done' | 'stop' | 'drained';

/**
 * The one table of `cidgate serve`'s lifecycle: the events each state takes and the state each
 * leads to. Any other event is logged (INVALID_TRANSITION) and ignored.
 */
export const TRANSITIONS: Readonly<Record<State, Readonly<Partial<Record<LifecycleEvent, State>>>>> = {
  // A stop during the start abandons it: what is open is closed (no grace: nothing is served yet).
  starting: { started: 'serving', 'start-failed': 'stopped', stop: 'draining' },
  serving: { reload: 'reloading', stop: 'draining' },
  // A reload asked for during another waits its turn (the code before the state machine took both).
  reloading: { reload: 'reloading', 'reload-done': 'serving', stop: 'draining' },
  // The drain waits for a reload under way (it may have bound a listener), then stops every part.
  draining: { 'reload-done': 'draining', drained: 'stopped' },
  stopped: {},
};

/** Thrown by `start` when a stop came before it finished. */
export class StartAbandoned extends Error {}

export interface LifecycleOptions {
  /** In start order; a factory returning null (the config does not ask for it) adds nothing. */
  readonly parts: readonly PartFactory[];
  readonly context: PartContext;
  readonly logger: Logger;
  /** Reads the config again for a reload; throws when it is invalid. */
  load(): Config;
  /** The config's path, for the reload's answer and log lines. */
  readonly configPath: string;
  readonly graceMs?: number;
}

/** Starts every part all or nothing, swaps the config into them on reload, drains them on stop. */
export class Lifecycle {
  private current: State = 'starting';
  private readonly opened: Part[] = [];
  private readonly abandon = new AbortController();
  /** The reloads asked for, one after the other. */
  private reloads: Promise<void> = Promise.resolve();
  private pendingReloads = 0;
  private markStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => { this.markStopped = resolve; });

  constructor(private readonly o: LifecycleOptions) {}

  get state(): State {
    return this.current;
  }

  /** The parts opened so far, in start order. */
  parts(): readonly Part[] {
    return this.opened;
  }

  /** Takes `event` if the table allows it from the current state; otherwise logs it and returns false. */
  private fire(event: LifecycleEvent, detail: Record<string, unknown> = {}): boolean {
    const next = TRANSITIONS[this.current][event];
    if (next === undefined) {
      this.o.logger.warn({ event: 'invalid-transition', code: 'INVALID_TRANSITION', state: this.current, transition: event, ...detail },
        errorMessage('INVALID_TRANSITION', [event, this.current]));
      return false;
    }
    this.current = next;
    if (next === 'stopped') this.markStopped();
    return true;
  }

  /** Opens the parts in order; if one fails (or a stop comes meanwhile), the opened ones are stopped and the error thrown. */
  async start(): Promise<void> {
    try {
      for (const factory of this.o.parts) {
        const part = factory(this.o.context);
        if (part === null) continue;
        await part.open(this.abandon.signal);
        this.opened.push(part);
        if (this.abandon.signal.aborted) throw new StartAbandoned('stopped during start');
      }
    } catch (err) {
      await this.stopOpened(0);
      this.fire(this.current === 'starting' ? 'start-failed' : 'drained');
      throw err;
    }
    this.fire('started');
  }

  /** Drains every part with one shared grace; resolves once stopped. A second stop is logged and waits for the first. */
  stop(): Promise<void> {
    const from = this.current;
    if (this.fire('stop')) {
      if (from === 'starting') this.abandon.abort(); // start() unwinds and stops what it opened
      else void this.drain();
    }
    return this.stopped;
  }

  private async drain(): Promise<void> {
    await this.reloads;
    await this.stopOpened(this.o.graceMs ?? SHUTDOWN_GRACE_MS);
    this.fire('drained');
  }

  /** Re-reads the config and hands it to every part that reloads, in start order. */
  reload(trigger: string): Promise<ReloadResult> {
    const state = this.current;
    if (!this.fire('reload', { trigger })) {
      return Promise.resolve({ ok: false, config: this.o.configPath, error: errorMessage('INVALID_TRANSITION', ['reload', state]) });
    }
    this.pendingReloads++;
    const result = this.reloads.then(() => this.swap(trigger)).finally(() => {
      if (--this.pendingReloads === 0) this.fire('reload-done', { trigger });
    });
    this.reloads = result.then(() => undefined, () => undefined);
    return result;
  }

  private async swap(trigger: string): Promise<ReloadResult> {
    const { configPath: config, logger } = this.o;
    // Queued behind a reload a stop then overtook: the service is going away.
    if (this.current === 'draining') return { ok: false, config, error: errorMessage('INVALID_TRANSITION', ['reload', 'draining']) };
    let next: Config;
    try {
      next = this.o.load();
    } catch (err) {
      const error = (err as Error).message;
      logger.error({ event: 'reload-failed', code: errorCode(err), trigger, config, error }, 'config not reloaded: still running on the previous one');
      return { ok: false, config, error };
    }
    const rebound: string[] = [];
    const needsRestart: string[] = [];
    for (const part of this.opened) {
      if (!part.reload) continue;
      const changed = await part.reload(next);
      rebound.push(...(changed.rebound ?? []));
      needsRestart.push(...(changed.needsRestart ?? []));
    }
    logger.info({ event: 'reloaded', trigger, config, rebound, ports: this.ports(), needsRestart }, 'config reloaded');
    return { ok: true, config, rebound, needsRestart };
  }

  /** Every part's readiness check, and the service's own: ready only while serving or reloading. */
  async readiness(): Promise<Readiness> {
    const checks: Record<string, Check> = {};
    for (const part of this.opened) {
      // A connection cidgate holds is ready when connected.
      if (part.connected && !part.ready) checks[part.name] = part.connected() ? { ok: true } : { ok: false, detail: 'not connected' };
      if (!part.ready) continue;
      try {
        checks[part.name] = await part.ready();
      } catch (err) {
        checks[part.name] = { ok: false, detail: (err as Error).message };
      }
    }
    const state = this.current;
    checks.service = state === 'serving' || state === 'reloading' ? { ok: true } : { ok: false, detail: state === 'starting' ? 'starting' : 'stopping' };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  /** The bound listeners' ports, by name. */
  ports(): Record<string, number> {
    return Object.fromEntries(this.opened.flatMap((p) => {
      const port = p.port?.();
      return port === undefined ? [] : [[p.name, port]];
    }));
  }

  /**
   * Stops every opened part at once with one shared grace (each failure logged, none skipping the
   * others), then the underlying ones, last opened first.
   */
  private async stopOpened(graceMs: number): Promise<void> {
    const stopping = async (parts: readonly Part[]) => {
      const results = await Promise.allSettled(parts.map(async (p) => p.stop(graceMs)));
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        const name = parts[i]!.name;
        this.o.logger.error({ event: 'stop-failed', code: errorCode(r.reason), part: name, err: { message: (r.reason as Error)?.message ?? String(r.reason) } }, `${name}: stop failed`);
      });
    };
    await stopping(this.opened.filter((p) => !p.underlying));
    for (const p of this.opened.filter((q) => q.underlying).reverse()) await stopping([p]);
  }
}
