import { fixedClock, type Clock } from '../clock.js';
import type { Config } from '../config/compile.js';
import { errorCode } from '../errors.js';
import { withoutRedaction, type Logger } from '../log.js';
import { decide, parseCallNumbers, type CallNumbers } from '../policy/decide.js';
import { nodeName } from './node-name.js';
import { EMPTY_HISTORY, type CallRequest, type Campaign, type Decision, type History, type PbxIds } from '../model/types.js';
import { pendingAttemptId, type AttemptKey, type HistoryQuery, type Outcome, type Recorded, type Store, type StoreHealth } from '../store/store.js';
import { DAY_MS, localDateKey } from '../time/zoned.js';
import type { Journal } from './journal.js';

export interface GatewayStats {
  decisions: number;
  storeErrors: number;
}

/** What the gateway publishes after every decision (metrics and the dashboard subscribe). */
export interface DecisionEvent {
  readonly request: CallRequest;
  readonly result: Recorded;
  /** Wall time of the decision, store included (monotonic clock). */
  readonly seconds: number;
  /** True when the store failed and `onStoreError` decided. */
  readonly storeError: boolean;
}

export type DecisionListener = (event: DecisionEvent) => void;
export type OutcomeListener = (outcome: Outcome, recorded: boolean) => void;

/**
 * The one entry point every adapter (CLI, FastAGI, Event Socket, SIP) calls: resolves the
 * campaign, asks the store for the consumer's history, runs the pure decision on it inside the
 * store's atomic check-and-record, logs one JSON line, and degrades per `onStoreError` when the
 * database fails — a call always gets an answer.
 */
export class Gateway {
  readonly stats: GatewayStats = { decisions: 0, storeErrors: 0 };
  private readonly listeners = new Set<DecisionListener>();
  private replaying = false;
  private readonly outcomeListeners = new Set<OutcomeListener>();
  private readonly decisionLog: () => Logger;

  constructor(
    private current: Config,
    readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Where decisions and outcomes the store could not take wait for it (the service has one, the CLI not). */
    private readonly journal: Journal | null = null,
  ) {
    this.decisionLog = withoutRedaction(log);
  }

  get config(): Config {
    return this.current;
  }

  /** Swaps the config for calls decided from now on; calls in flight finish on the one they started with. */
  reconfigure(config: Config): void {
    this.current = config;
  }

  onOutcome(listener: OutcomeListener): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  /** Subscribes to every decision; returns the unsubscribe function. A throwing listener is logged, never fatal. */
  onDecision(listener: DecisionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The store's health, with the journal's backlog. */
  health(): StoreHealth & { journalPending: number; journalDropped: number } {
    const store = this.store.health();
    return { ...store, journalPending: this.journal?.pending ?? 0, journalDropped: this.journal?.dropped ?? 0 };
  }

  /**
   * Replays the journal into the store (the service calls it at start and every second): once,
   * idempotently, decisions first. Leaves everything in place when the store is still failing.
   */
  async replayJournal(): Promise<number> {
    const journal = this.journal;
    if (!journal || journal.pending === 0 || this.replaying) return 0;
    this.replaying = true;
    try {
      const { decisions, outcomes, length } = journal.read();
      await this.store.recordJournaled(decisions, outcomes);
      journal.clear(length);
      this.log.warn({ event: 'journal-replayed', decisions: decisions.length, outcomes: outcomes.length }, 'journal replayed into the store');
      return length;
    } catch (err) {
      this.log.debug({ event: 'journal-replay-deferred', err: { message: (err as Error).message } }, 'journal not replayed yet');
      return 0;
    } finally {
      this.replaying = false;
    }
  }

  /** `at` decides as of another instant (tests, audit replays); default: the gateway's clock. */
  async check(call: CallRequest, opts: { record: boolean; at?: Date }): Promise<Recorded> {
    const started = performance.now();
    const clock = opts.at ? fixedClock(opts.at) : this.clock;
    const config = this.current;
    const name = call.campaign || config.defaultCampaign || '';
    const named = name === call.campaign ? call : { ...call, campaign: name };
    const request = { ...named, pbx: { ...named.pbx, node: nodeName(config.raw) } };
    const campaign = config.campaigns.get(name);
    // Parsed once, in the site's numbering plan: the history lookup and the decision read the same numbers.
    const numbers = parseCallNumbers(request, config.site);
    // One instant per call, taken when the store decides (from the store's clock when it has one):
    // the rules apply at it; a recording decision counts the log on both sides of it.
    const queryNow = (storeNow?: Date) =>
      this.query(config, request, numbers, campaign, (clock.live === true ? storeNow : undefined) ?? clock.now(), opts.record);
    const decideOn = (history: History, at: Date): Decision =>
      decide(request, history, config.site, campaign, fixedClock(at), numbers);
    let result: Recorded;
    let storeError = false;
    try {
      result = await this.store.checkAndRecord(queryNow, (history, q) => decideOn(history, q.at), opts.record ? request.pbx ?? {} : null);
    } catch (err) {
      storeError = true;
      const at = clock.now();
      result = { decision: this.onStoreError(config, decideOn(EMPTY_HISTORY, at), campaign, err as Error), attemptId: null, replayed: false };
      // Kept for the audit trail (and the attempt limits) until the store takes it back.
      if (opts.record) this.journal?.appendDecision(result.decision, request.pbx ?? {}, localDateKey(at, config.site.siteTimeZone), pendingAttemptId(err));
    }
    this.stats.decisions++;
    const ms = performance.now() - started;
    this.logDecision(result, request.pbx, ms);
    this.publish({ request, result, seconds: ms / 1000, storeError });
    return result;
  }

  private publish(event: DecisionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ event: 'decision-listener-failed', code: errorCode(err), err: { message: (err as Error).message } }, 'decision listener failed');
      }
    }
  }

  /**
   * Decides (without the store) a call to every kind of area, so that the first real calls after
   * a start do not pay for loading number metadata, computing holiday calendars and compiling the
   * hot path (measured: ~100 ms of event-loop stalls in the first second otherwise).
   */
  async warmUp(signal?: AbortSignal): Promise<void> {
    const sample = ['0145678901', '0299000000', '0388123456', '0472123456', '0556123456', '0262123456', '0269612345',
      '0590123456', '0594123456', '0596123456', '0508412345', '0612345678', '0912345678', '+34912345678', '+34928123456'];
    const now = this.clock.now();
    for (const campaign of this.config.campaigns.values()) {
      // One campaign at a time, so that a stop asked for during a long warm-up is heard.
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) return;
      for (const to of sample) {
        for (const days of [0, 1, 2, 3, 4, 5, 6]) {
          const at = { now: () => new Date(now.getTime() + days * DAY_MS) };
          decide({ campaign: campaign.name, from: '0612345678', to, consent: true }, EMPTY_HISTORY, this.config.site, campaign, at);
        }
      }
    }
  }

  async recordOutcome(key: AttemptKey, outcome: Outcome): Promise<boolean> {
    let recorded = false;
    try {
      recorded = await this.store.recordOutcome(key, outcome);
    } catch (err) {
      this.stats.storeErrors++;
      const journaled = this.journal?.appendOutcome(key, outcome) ?? false;
      this.log.error({ code: errorCode(err, 'STORE_ERROR'), err: { message: (err as Error).message }, key, outcome, journaled }, journaled ? 'outcome journaled until the store recovers' : 'outcome not recorded');
    }
    for (const listener of this.outcomeListeners) listener(outcome, recorded);
    return recorded;
  }

  private query(config: Config, call: CallRequest, numbers: CallNumbers, campaign: Campaign | undefined, at: Date, recording: boolean): HistoryQuery {
    const limits = campaign?.limits;
    const lookbackMs = Math.max((limits?.windowDays ?? 30) * DAY_MS, (limits?.minGapMinutes ?? 0) * 60_000);
    return {
      callee: numbers.callee?.e164 ?? null,
      campaign: call.campaign,
      at,
      since: new Date(at.getTime() - lookbackMs),
      reading: recording ? 'log' : 'as-of',
      until: new Date(at.getTime() + (recording ? lookbackMs : 0)),
      day: localDateKey(at, config.site.siteTimeZone),
      cappedNumbers: campaign?.dailyCapPerNumber != null ? campaign.pool.map((n) => n.phone.e164) : undefined,
    };
  }

  /** Without history the limits cannot be checked: prospecting is blocked, service allowed (configurable). */
  private onStoreError(config: Config, decision: Decision, campaign: Campaign | undefined, err: Error): Decision {
    this.stats.storeErrors++;
    // `code` is the catalogue's (a driver's error is a STORE_ERROR); the driver's own (SQLITE_BUSY) stays under err.
    this.log.error({ code: errorCode(err, 'STORE_ERROR'), err: { message: err.message, code: (err as { code?: string }).code }, storeErrors: this.stats.storeErrors }, 'store unavailable, deciding without history');
    if (decision.action === 'block' || !campaign) return decision;
    if (config.onStoreError[campaign.purpose] === 'allow') return decision;
    return { ...decision, action: 'block', callerId: null, reasons: ['store-unavailable'], retryAt: null };
  }

  /** `ms`: the time to decide, store included, as the decision's metric counts it. */
  private logDecision(r: Recorded, pbx: PbxIds | undefined, ms: number): void {
    const d = r.decision;
    // Its fields are the decision's and the PBX's ids, never a secret: no redaction pass.
    this.decisionLog().info({
      event: 'decision', campaign: d.campaign, action: d.action, callerId: d.callerId, original: d.originalCallerId,
      callee: d.callee, reasons: d.reasons, retryAt: d.retryAt?.toISOString() ?? null, attemptId: r.attemptId,
      replayed: r.replayed || undefined, source: pbx?.source, channel: pbx?.channel, uniqueId: pbx?.uniqueId,
      agent: pbx?.agent, ms: Math.round(ms * 1000) / 1000,
    }, 'decision');
  }
}
