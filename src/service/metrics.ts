import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { localDateKey } from '../time/zoned.js';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from './clock-skew.js';
import type { Gateway } from './gateway.js';

/** Where decisions come from: a closed set, so that a free-text `source` never grows a label. */
const SOURCES = new Set(['asterisk', 'freeswitch', 'sip', 'http', 'kamailio', 'cli']);
const ACTIONS = ['allow', 'rewrite', 'block'] as const;

export interface MetricsSources {
  /** Sessions open now, per adapter. */
  sessions(): Record<string, number>;
  /** Connection state of each enabled adapter that keeps one (AMI, Event Socket inbound, drachtio). */
  connections(): Record<string, boolean>;
  /** Running count of requests refused because the peer is not a configured source, per adapter. */
  untrustedRefused?(): Record<string, number>;
  /** What /readyz answers (true: 200). */
  ready?(): Promise<boolean>;
}

/**
 * The Prometheus metrics (prom-client, one registry per service). Every label is bounded: campaign
 * names come from the config (anything else is "unknown"), actions and reasons are closed sets,
 * and no telephone number ever becomes a label.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly usage = { day: '', counts: new Map<string, number>() };

  constructor(private readonly gateway: Gateway, sources: MetricsSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    const decisions = new Counter({ name: 'cidgate_decisions_total', help: 'Decisions by campaign and action', labelNames: ['campaign', 'action'], registers: [r] });
    const reasons = new Counter({ name: 'cidgate_decision_reasons_total', help: 'Reasons given, by campaign, action and reason code', labelNames: ['campaign', 'action', 'reason'], registers: [r] });
    const latency = new Histogram({
      name: 'cidgate_decision_duration_seconds', help: 'Time to decide a call, store included', labelNames: ['source'], registers: [r],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    });
    const storeErrorDecisions = new Counter({
      name: 'cidgate_store_error_decisions_total', help: 'Decisions taken without history because the store failed (onStoreError)', labelNames: ['campaign', 'action'], registers: [r],
      // Every campaign's series exported from the start at 0: increase() over a series that first
      // appears at 1 is 0, and the first outage would not alert.
      collect() { for (const campaign of gateway.config.campaigns.keys()) for (const action of ACTIONS) this.inc({ campaign, action }, 0); },
    });
    let storeErrorsSeen = 0;
    new Counter({
      name: 'cidgate_store_errors_total', help: 'Store operations that failed (decisions and outcomes)', registers: [r],
      collect() {
        this.inc(gateway.stats.storeErrors - storeErrorsSeen);
        storeErrorsSeen = gateway.stats.storeErrors;
      },
    });
    const outcomes = new Counter({ name: 'cidgate_outcomes_total', help: 'Call outcomes reported, by status and whether they were recorded', labelNames: ['status', 'recorded'], registers: [r] });
    new Gauge({
      name: 'cidgate_sessions_in_flight', help: 'PBX and HTTP sessions open now, per adapter', labelNames: ['adapter'], registers: [r],
      collect() { for (const [adapter, n] of Object.entries(sources.sessions())) this.set({ adapter }, n); },
    });
    new Gauge({
      name: 'cidgate_adapter_connected', help: '1 when the adapter\'s connection is up (AMI, Event Socket inbound, drachtio, Kamailio evapi)', labelNames: ['adapter'], registers: [r],
      collect() { for (const [adapter, up] of Object.entries(sources.connections())) this.set({ adapter }, up ? 1 : 0); },
    });
    const refusedSeen = new Map<string, number>();
    new Counter({
      name: 'cidgate_untrusted_refused_total', help: 'Requests refused without a decision because the peer is not a configured source (sip.sources)', labelNames: ['adapter'], registers: [r],
      collect() {
        for (const [adapter, n] of Object.entries(sources.untrustedRefused?.() ?? {})) {
          this.inc({ adapter }, n - (refusedSeen.get(adapter) ?? 0));
          refusedSeen.set(adapter, n);
        }
      },
    });
    const metrics = this;
    new Gauge({
      name: 'cidgate_store_wal_bytes', help: 'Size of SQLite\'s write-ahead log', registers: [r],
      collect() { this.set(gateway.health().walBytes); },
    });
    new Gauge({
      name: 'cidgate_store_checkpoint_lag_frames', help: 'WAL frames not yet copied back into the database (-1: unknown)', registers: [r],
      collect() { this.set(gateway.health().checkpointLagFrames); },
    });
    new Gauge({
      name: 'cidgate_store_ok', help: '1 when the store can record (0: disk full, database file replaced…)', registers: [r],
      collect() { this.set(gateway.health().ok ? 1 : 0); },
    });
    new Gauge({
      name: 'cidgate_journal_pending', help: 'Decisions and outcomes kept in the journal until the store takes them back', registers: [r],
      collect() { this.set(gateway.health().journalPending); },
    });
    new Gauge({
      name: 'cidgate_pool_cap_use_ratio', help: 'Busiest pool number\'s presentations today (since start) over the campaign\'s dailyCapPerNumber', labelNames: ['campaign'], registers: [r],
      collect() {
        this.reset();
        for (const [campaign, ratio] of metrics.capUse()) this.set({ campaign }, ratio);
      },
    });
    new Gauge({
      name: 'cidgate_pool_presentations_today', help: 'Pool numbers presented today (site time zone, since start), per campaign', labelNames: ['campaign'], registers: [r],
      collect() {
        this.reset();
        for (const [campaign, n] of metrics.presentedToday()) this.set({ campaign }, n);
      },
    });
    new Gauge({
      name: 'cidgate_ready', help: '1 when /readyz answers 200 (store, connections, clock and service all ready)', registers: [r],
      async collect() { if (sources.ready) this.set((await sources.ready()) ? 1 : 0); },
    });
    new Gauge({
      name: 'cidgate_pool_number_cap_use_ratio', help: 'Each capped pool number\'s presentations today (site time zone, every node: read from the store) over its campaign\'s dailyCapPerNumber', labelNames: ['campaign', 'number'], registers: [r],
      async collect() {
        this.reset();
        for (const { campaign, number, ratio } of await metrics.numberCapUse()) this.set({ campaign, number }, ratio);
      },
    });
    if (gateway.store.serverTime) {
      new Gauge({
        name: 'cidgate_clock_skew_max_seconds', help: 'database.maxClockSkewMs in seconds: beyond it, cidgate_clock_skew_seconds is a warning', registers: [r],
        collect() { const db = gateway.config.raw.database; this.set((typeof db === 'object' ? db.maxClockSkewMs : DEFAULT_MAX_CLOCK_SKEW_MS) / 1000); },
      });
    }

    gateway.onDecision(({ request, result, seconds, storeError }) => {
      const d = result.decision;
      const campaign = gateway.config.campaigns.has(d.campaign) ? d.campaign : 'unknown';
      decisions.inc({ campaign, action: d.action });
      for (const reason of d.reasons) reasons.inc({ campaign, action: d.action, reason });
      const source = request.pbx?.source ?? 'other';
      latency.observe({ source: SOURCES.has(source) ? source : 'other' }, seconds);
      if (storeError) storeErrorDecisions.inc({ campaign, action: d.action });
      if (result.attemptId !== null && !result.replayed && d.action !== 'block' && d.callerId) this.countPresentation(campaign, d.callerId, d.at);
    });
    gateway.onOutcome((o, recorded) => outcomes.inc({ status: o.status, recorded: String(recorded) }));
  }

  private countPresentation(campaign: string, e164: string, at: Date): void {
    const day = localDateKey(at, this.gateway.config.site.siteTimeZone);
    if (day < this.usage.day) return;
    if (day > this.usage.day) {
      this.usage.day = day;
      this.usage.counts.clear();
    }
    const key = `${campaign}\u0000${e164}`;
    this.usage.counts.set(key, (this.usage.counts.get(key) ?? 0) + 1);
  }

  private *presentedToday(): Iterable<[string, number]> {
    const sums = new Map<string, number>();
    for (const [key, n] of this.current()) {
      const campaign = key.split('\u0000')[0]!;
      sums.set(campaign, (sums.get(campaign) ?? 0) + n);
    }
    yield* sums;
  }

  private *capUse(): Iterable<[string, number]> {
    const max = new Map<string, number>();
    for (const [key, n] of this.current()) {
      const campaign = key.split('\u0000')[0]!;
      max.set(campaign, Math.max(max.get(campaign) ?? 0, n));
    }
    for (const [campaign, n] of max) {
      const cap = this.gateway.config.campaigns.get(campaign)?.dailyCapPerNumber;
      if (cap) yield [campaign, n / cap];
    }
  }

  /**
   * Pool numbers are ours (from the config), never a consumer's: bounded labels. Read from the store,
   * so every node of a shared database reports the same figure; a store that fails leaves it empty
   * (cidgate_store_errors_total and cidgate_ready say so).
   */
  private async numberCapUse(): Promise<{ campaign: string; number: string; ratio: number }[]> {
    const config = this.gateway.config;
    let usage: ReadonlyMap<string, number>;
    try {
      usage = await this.gateway.store.poolUsage(localDateKey(new Date(), config.site.siteTimeZone));
    } catch {
      return [];
    }
    const out = [];
    for (const c of config.campaigns.values()) {
      if (!c.dailyCapPerNumber) continue;
      for (const n of c.pool) out.push({ campaign: c.name, number: n.phone.e164, ratio: (usage.get(n.phone.e164) ?? 0) / c.dailyCapPerNumber });
    }
    return out;
  }

  /** Today's counts, empty once the day has turned. */
  private current(): Map<string, number> {
    return this.usage.day === localDateKey(new Date(), this.gateway.config.site.siteTimeZone) ? this.usage.counts : new Map();
  }
}
