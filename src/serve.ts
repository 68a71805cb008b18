import { AmiOutcomes } from './asterisk/ami-client.js';
import { warnWhileExampleNumbers } from './cli/example-numbers.js';
import { FastAgiServer } from './asterisk/fastagi-server.js';
import { systemClock } from './clock.js';
import type { Config } from './config/compile.js';
import { loadConfig } from './config/load.js';
import type { RawConfig } from './config/schema.js';
import { CidgateError, errorCode } from './errors.js';
import { EslOutcomes } from './freeswitch/esl-outcomes.js';
import { EslOutboundServer } from './freeswitch/outbound-server.js';
import type { Readiness, ReloadResult } from './http/plugin.js';
import { buildHttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { clockSkewMonitor, type ClockSkewMonitor } from './service/clock-skew.js';
import { Gateway } from './service/gateway.js';
import { Journal, journalPath } from './service/journal.js';
import { EvapiEngine } from './kamailio/evapi-engine.js';
import { Metrics } from './service/metrics.js';
import type { SessionServer } from './service/listener.js';
import { purgeCutoffs } from './service/retention.js';
import { readSecret } from './service/secrets.js';
import { SipB2bua } from './sip/b2bua.js';
import { SipSources } from './sip/sources.js';
import { describeTarget } from './store/database-url.js';
import { openStore } from './store/open.js';

/** How long open sessions may take to finish on SIGTERM before they are cut: one period shared by all listeners. */
export const SHUTDOWN_GRACE_MS = 5_000;
/** Past the grace, the stop itself gets this long before the process exits anyway. */
const STOP_WATCHDOG_MS = 5_000;
const READY_CHECK_TIMEOUT_MS = 1_000;

export interface Service {
  stop(): Promise<void>;
  reload(trigger: string): Promise<ReloadResult>;
}

/** A running part of the service: a listener or a connection. */
interface Part {
  readonly name: string;
  /** Stops accepting at once, then lets its sessions finish for up to `graceMs`. */
  stop(graceMs: number): Promise<void> | void;
  sessions?(): number;
  connected?(): boolean;
  /** Connections or requests refused because the peer is not a configured source. */
  untrustedRefused?(): number;
}

/** A listener's identity: its address. A changed address is re-bound on reload. */
interface ListenerSpec {
  readonly name: string;
  readonly address: string;
  open(): Promise<Part & { port: number }>;
}

/** Runs every stop at once (one shared grace); each failure is logged, none skips the others. */
async function stopAll(parts: readonly Part[], graceMs: number, log: Logger): Promise<void> {
  const results = await Promise.allSettled(parts.map(async (p) => p.stop(graceMs)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      log.error({ event: 'stop-failed', code: errorCode(r.reason), part: parts[i]!.name, err: { message: (r.reason as Error)?.message ?? String(r.reason) } }, `${parts[i]!.name}: stop failed`);
    }
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

class Aborted extends Error {}

/**
 * Starts every configured adapter around one gateway and one store, all or nothing: if any part
 * fails to start (or `signal` asks to stop meanwhile), everything opened so far is closed and the
 * error is thrown.
 */
export async function startService(opts: { config?: string; db?: string; migrate?: boolean }, signal?: AbortSignal): Promise<Service> {
  const loaded = loadConfig(opts.config);
  const raw = loaded.config.raw;
  const logger = createLogger(raw.log.level);
  for (const p of loaded.problems) logger.warn({ event: 'config-warning', key: p.key, line: p.line }, p.message);
  const { store, target } = openStore(raw, opts.db, logger, {
    busyTimeoutMs: raw.store.busyTimeoutMs, waitMs: raw.store.waitMs, backgroundCheckpoint: true, migrate: opts.migrate !== false,
  });
  // What the store could not take during an outage: next to a SQLite file, in the working directory for PostgreSQL.
  const journal = new Journal(journalPath(raw.store.journal, target), logger);
  const gateway = new Gateway(loaded.config, store, systemClock, logger, journal);
  const listeners = new Map<string, { spec: ListenerSpec; part: Part & { port: number } }>();
  const others: Part[] = [];
  /** Old listeners still draining after a reload re-bound them. */
  const draining = new Set<Promise<void>>();
  let stopping = false;
  let ready = false;
  const parts = () => [...[...listeners.values()].map((l) => l.part), ...others];
  const checkAbort = () => { if (signal?.aborted) throw new Aborted('stopped during start'); };

  const metrics = new Metrics(gateway, {
    sessions: () => Object.fromEntries(parts().filter((p) => p.sessions).map((p) => [p.name, p.sessions!()])),
    connections: () => Object.fromEntries(others.filter((p) => p.connected).map((p) => [p.name, p.connected!()])),
    untrustedRefused: () => Object.fromEntries(others.filter((p) => p.untrustedRefused).map((p) => [p.name, p.untrustedRefused!()])),
    ready: async (): Promise<boolean> => (await hooks.ready()).ready,
  });
  let skew: ClockSkewMonitor | null = null;
  const hooks = {
    registry: metrics.registry,
    reload: (trigger: string) => reload(trigger),
    async ready(): Promise<Readiness> {
      const checks: Record<string, { ok: boolean; detail?: string }> = {};
      try {
        await withTimeout(store.findAttempt({ attemptId: 0 }), READY_CHECK_TIMEOUT_MS, 'store');
        // Readable is not enough: a full disk or a replaced database file cannot record.
        const health = gateway.health();
        checks.store = health.ok ? { ok: true } : { ok: false, detail: health.reason ?? 'store cannot record' };
      } catch (err) {
        checks.store = { ok: false, detail: (err as Error).message };
      }
      for (const p of others) if (p.connected) checks[p.name] = p.connected() ? { ok: true } : { ok: false, detail: 'not connected' };
      if (skew) checks.clock = skew.check();
      checks.service = stopping ? { ok: false, detail: 'stopping' } : ready ? { ok: true } : { ok: false, detail: 'starting' };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
  };

  /** A PBX-facing listener (FastAGI, FreeSWITCH outbound): made and bound when opened. */
  const sessionSpec = (name: string, o: { host: string; port: number }, make: () => SessionServer): ListenerSpec => ({
    name, address: `${o.host}:${o.port}`,
    async open() {
      const s = make();
      const { port } = await s.listen();
      return { name, port, stop: (g) => s.close(g), sessions: () => s.sessions };
    },
  });

  const specsOf = (r: RawConfig): ListenerSpec[] => {
    const specs: ListenerSpec[] = [];
    const { fastagi } = r.asterisk;
    if (fastagi.enabled) specs.push(sessionSpec('fastagi', fastagi, () => new FastAgiServer({ name: 'fastagi', ...fastagi }, gateway, logger)));
    const { outbound } = r.freeswitch;
    if (outbound.enabled) specs.push(sessionSpec('freeswitch', outbound, () => new EslOutboundServer({ name: 'freeswitch', ...outbound }, gateway, logger)));
    if (r.http.enabled) {
      const o = r.http;
      specs.push({
        name: 'http', address: `${o.host}:${o.port}`,
        async open() {
          const token = readSecret('CIDGATE_HTTP_TOKEN', o.tokenFile, logger);
          const { app, inFlight } = await buildHttpServer({ gateway, log: logger, token, service: hooks });
          try {
            await app.listen({ host: o.host, port: o.port, listenTextResolver: () => '' });
          } catch (err) {
            await app.close();
            throw new CidgateError('LISTEN_FAILED', ['http', `${o.host}:${o.port}`, (err as Error).message], { name: 'http', host: o.host, port: o.port });
          }
          return {
            name: 'http', port: (app.server.address() as { port: number }).port, sessions: inFlight,
            async stop(graceMs) {
              // fastify waits for requests in flight; past the grace they are cut.
              const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
              try {
                await app.close();
              } finally {
                clearTimeout(timer);
              }
            },
          };
        },
      });
    }
    return specs;
  };

  async function reload(trigger: string): Promise<ReloadResult> {
    const path = loaded.path;
    let next: Config;
    try {
      next = loadConfig(opts.config).config;
    } catch (err) {
      const error = (err as Error).message;
      logger.error({ event: 'reload-failed', code: errorCode(err), trigger, config: path, error }, 'config not reloaded: still running on the previous one');
      return { ok: false, config: path, error };
    }
    const before = gateway.config.raw;
    const needsRestart: string[] = [];
    if (JSON.stringify(next.raw.database) !== JSON.stringify(before.database)) needsRestart.push('database');
    for (const key of ['asterisk.ami', 'freeswitch.inbound', 'sip', 'store', 'kamailio'] as const) {
      const pick = (r: RawConfig) => JSON.stringify(key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], r));
      if (pick(next.raw) !== pick(before)) needsRestart.push(key);
    }
    gateway.reconfigure(next);
    logger.level = next.raw.log.level;
    const rebound: string[] = [];
    const wanted = new Map(specsOf(next.raw).map((s) => [s.name, s]));
    for (const [name, current] of [...listeners]) {
      const spec = wanted.get(name);
      if (spec && spec.address === current.spec.address) continue;
      if (spec) {
        // The new address first, then the old one drains: nothing is refused meanwhile.
        try {
          listeners.set(name, { spec, part: await spec.open() });
        } catch (err) {
          logger.error({ event: 'rebind-failed', code: errorCode(err), listener: name, address: spec.address, err: { message: (err as Error).message } }, `${name}: kept on ${current.spec.address}`);
          needsRestart.push(name);
          continue;
        }
      } else {
        listeners.delete(name);
      }
      rebound.push(name);
      const closing = Promise.resolve(current.part.stop(SHUTDOWN_GRACE_MS)).catch((err: Error) =>
        logger.error({ event: 'stop-failed', code: errorCode(err), part: name, err: { message: err.message } }, `${name}: stop failed`));
      draining.add(closing);
      void closing.finally(() => draining.delete(closing));
    }
    for (const [name, spec] of wanted) {
      if (listeners.has(name)) continue;
      try {
        listeners.set(name, { spec, part: await spec.open() });
        rebound.push(name);
      } catch (err) {
        logger.error({ event: 'rebind-failed', code: errorCode(err), listener: name, address: spec.address, err: { message: (err as Error).message } }, `${name}: not started`);
        needsRestart.push(name);
      }
    }
    const ports = Object.fromEntries([...listeners].map(([n, l]) => [n, l.part.port]));
    logger.info({ event: 'reloaded', trigger, config: path, rebound, ports, needsRestart }, 'config reloaded');
    return { ok: true, config: path, rebound, needsRestart };
  }

  try {
    // Before anything listens: a node never answers calls on a schema it cannot use.
    await store.ensureSchema(opts.migrate !== false);
    checkAbort();
    logger.info({ event: 'warming-up', campaigns: loaded.config.campaigns.size }, 'warming up');
    await gateway.warmUp(signal);
    checkAbort();
    for (const spec of specsOf(raw)) {
      listeners.set(spec.name, { spec, part: await spec.open() });
      checkAbort();
    }

    const amiSecret = readSecret('CIDGATE_AMI_SECRET', raw.asterisk.ami.secretFile, logger);
    if (amiSecret) {
      const ami = new AmiOutcomes({ ...raw.asterisk.ami, secret: amiSecret }, gateway, logger);
      ami.start();
      others.push({ name: 'ami', stop: () => ami.stop(), connected: () => ami.connected });
    }
    const eslPassword = readSecret('CIDGATE_ESL_PASSWORD', raw.freeswitch.inbound.passwordFile, logger);
    if (eslPassword) {
      const esl = new EslOutcomes({ ...raw.freeswitch.inbound, password: eslPassword }, gateway, logger);
      esl.start();
      others.push({ name: 'eslInbound', stop: () => esl.stop(), connected: () => esl.connected });
    }
    const drachtioSecret = readSecret('CIDGATE_DRACHTIO_SECRET', raw.sip.drachtio.secretFile, logger);
    if (drachtioSecret) {
      const { drachtio, carrierUri, blockStatus, keepDisplayName, sources } = loaded.config.sip;
      const sip = new SipB2bua({
        ...drachtio, secret: drachtioSecret, carrierUri, blockStatus, keepDisplayName, sources: new SipSources(sources),
      }, gateway, logger);
      await sip.start();
      others.push({ name: 'drachtio', stop: () => sip.stop(), connected: () => sip.connected, untrustedRefused: () => sip.untrustedRefused });
    }
    if (raw.kamailio.evapi.enabled) {
      const evapi = new EvapiEngine(raw.kamailio.evapi, gateway, logger);
      await evapi.open();
      others.push({ name: 'kamailio-evapi', stop: (g) => evapi.stop(g), connected: () => evapi.connected() });
    }
    if (raw.retentionDays !== null) others.push(retention(raw.retentionDays, gateway, logger));
    others.push(journalReplay(gateway));
    // PostgreSQL: this node's clock against the server's, the one that decides (gauge, warning, readiness).
    skew = clockSkewMonitor(store, raw, logger, metrics.registry);
    if (skew) { const s = skew; await s.start(); others.push({ name: 'clock-skew', stop: () => s.stop() }); }
    others.push({ name: 'example-numbers', stop: warnWhileExampleNumbers(() => gateway.config, logger) });
    checkAbort();
  } catch (err) {
    await stopAll(parts(), 0, logger);
    await store.close();
    journal.close();
    if (err instanceof Aborted) logger.info({ event: 'stopped', during: 'start' }, 'cidgate stopped before it finished starting');
    logger.flush();
    throw err;
  }

  ready = true;
  const ports = Object.fromEntries([...listeners].map(([n, l]) => [n, l.part.port]));
  logger.info({ event: 'started', config: loaded.path, database: describeTarget(target), ports, connections: others.map((p) => p.name) }, 'cidgate serving');
  return {
    reload,
    async stop() {
      stopping = true;
      await stopAll(parts(), SHUTDOWN_GRACE_MS, logger);
      await Promise.allSettled([...draining]);
      try {
        await store.close();
      } catch (err) {
        logger.error({ event: 'stop-failed', code: errorCode(err, 'STORE_ERROR'), part: 'store', err: { message: (err as Error).message } }, 'store: close failed');
      }
      journal.close();
      logger.info({ event: 'stopped', decisions: gateway.stats.decisions }, 'cidgate stopped');
      logger.flush();
    },
  };
}

/** Puts what the journal kept during a store outage back into the store: at start, then every second. */
function journalReplay(gateway: Gateway): Part {
  const timer = setInterval(() => void gateway.replayJournal(), 1_000);
  timer.unref();
  void gateway.replayJournal();
  return { name: 'journal', stop: () => { clearInterval(timer); return gateway.replayJournal().then(() => undefined); } };
}

/** The hourly retention purge. */
function retention(days: number, gateway: Gateway, logger: Logger): Part {
  const purge = async () => {
    try {
      const { cutoffs } = purgeCutoffs(gateway.config, days, new Date());
      const deleted = await gateway.store.purge(cutoffs);
      logger.info({ event: 'purged', deleted, before: cutoffs.decisionsBefore.toISOString() }, 'retention purge');
    } catch (err) {
      logger.error({ event: 'purge-failed', code: errorCode(err, 'STORE_ERROR'), err: { message: (err as Error).message } }, 'retention purge failed');
    }
  };
  const timer = setInterval(() => void purge(), 3_600_000);
  timer.unref();
  void purge();
  return { name: 'retention', stop: () => clearInterval(timer) };
}

/**
 * `cidgate serve`: SIGTERM/SIGINT drain and stop (also during the start), SIGHUP reloads the
 * config. A stop that overruns its grace is cut (bin/cidgate.js then exits even if a library left a
 * handle open).
 */
export async function serveCommand(opts: { config?: string; db?: string; migrate?: boolean }): Promise<number> {
  const stop = new AbortController();
  const onStop = () => stop.abort();
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  let service: Service | undefined;
  // Before the start completes there is nothing to reload, but SIGHUP must not kill the process.
  process.on('SIGHUP', () => void service?.reload('SIGHUP'));
  try {
    service = await startService(opts, stop.signal);
  } catch (err) {
    if (err instanceof Aborted) return 0;
    throw err; // main() prints the one-line error and returns 2
  }
  if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  const watchdog = setTimeout(() => {
    process.stderr.write(`cidgate: stop did not finish within ${SHUTDOWN_GRACE_MS + STOP_WATCHDOG_MS} ms, exiting\n`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS + STOP_WATCHDOG_MS);
  watchdog.unref();
  await service.stop();
  clearTimeout(watchdog);
  return 0;
}
