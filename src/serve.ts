import { systemClock } from './clock.js';
import { loadConfig } from './config/load.js';
import type { ReloadResult, ServiceHooks } from './http/plugin.js';
import { createLogger } from './log.js';
import { Gateway } from './service/gateway.js';
import { Journal, journalPath } from './service/journal.js';
import { Lifecycle, SHUTDOWN_GRACE_MS, StartAbandoned } from './service/lifecycle.js';
import { Metrics } from './service/metrics.js';
import { PARTS } from './service/parts/index.js';
import type { Part } from './service/parts/part.js';
import { describeTarget } from './store/database-url.js';
import { openStore } from './store/open.js';

export { SHUTDOWN_GRACE_MS };
/** Past the grace, the stop itself gets this long before the process exits anyway. */
const STOP_WATCHDOG_MS = 5_000;

export interface Service {
  /** Opens every part, all or nothing; throws StartAbandoned if a stop came meanwhile. */
  start(): Promise<void>;
  stop(): Promise<void>;
  reload(trigger: string): Promise<ReloadResult>;
}

/** What each part reports, by part name, for the metrics. */
function byPart<T>(parts: readonly Part[], read: (p: Part) => T | undefined): Record<string, T> {
  return Object.fromEntries(parts.flatMap((p) => {
    const value = read(p);
    return value === undefined ? [] : [[p.name, value]];
  }));
}

/**
 * Loads the config and opens the store (both may throw: bad config, unreachable database), and
 * builds the lifecycle around one gateway: nothing listens until `start`.
 */
export function prepareService(opts: { config?: string; db?: string; migrate?: boolean }): Service {
  const loaded = loadConfig(opts.config);
  const raw = loaded.config.raw;
  const logger = createLogger(raw.log.level);
  for (const p of loaded.problems) logger.warn({ event: 'config-warning', key: p.key, line: p.line }, p.message);
  const migrate = opts.migrate !== false;
  const { store, target } = openStore(raw, opts.db, logger, {
    busyTimeoutMs: raw.store.busyTimeoutMs, waitMs: raw.store.waitMs, backgroundCheckpoint: true, migrate,
  });
  // What the store could not take during an outage: next to a SQLite file, in the working directory for PostgreSQL.
  const journal = new Journal(journalPath(raw.store.journal, target), logger);
  const gateway = new Gateway(loaded.config, store, systemClock, logger, journal);
  const parts = () => lifecycle.parts();
  const metrics = new Metrics(gateway, {
    sessions: () => byPart(parts(), (p) => p.sessions?.()),
    connections: () => byPart(parts(), (p) => p.connected?.()),
    untrustedRefused: () => byPart(parts(), (p) => p.untrustedRefused?.()),
    ready: async () => (await lifecycle.readiness()).ready,
  });
  const service: ServiceHooks = { registry: metrics.registry, reload: (t) => lifecycle.reload(t), ready: () => lifecycle.readiness() };
  const database = describeTarget(target);
  const lifecycle = new Lifecycle({
    parts: PARTS, logger, configPath: loaded.path, load: () => loadConfig(opts.config).config,
    context: { config: loaded.config, gateway, store, journal, logger, migrate, database, service },
  });
  let started = false;
  let stopped: Promise<void> | undefined;

  return {
    reload: (trigger) => lifecycle.reload(trigger),
    async start() {
      try {
        await lifecycle.start();
      } catch (err) {
        if (err instanceof StartAbandoned) logger.info({ event: 'stopped', during: 'start' }, 'cidgate stopped before it finished starting');
        logger.flush();
        throw err;
      }
      started = true;
      const connections = parts().filter((p) => p.connected).map((p) => p.name);
      logger.info({ event: 'started', config: loaded.path, database, ports: lifecycle.ports(), connections }, 'cidgate serving');
    },
    stop() {
      const draining = lifecycle.stop(); // a second stop is logged by the lifecycle and waits for the first
      if (!started) return draining;
      stopped ??= draining.then(() => {
        logger.info({ event: 'stopped', decisions: gateway.stats.decisions }, 'cidgate stopped');
        logger.flush();
      });
      return stopped;
    },
  };
}

/** Prepares and starts the service; `signal` stops it (also during the start). */
export async function startService(opts: { config?: string; db?: string; migrate?: boolean }, signal?: AbortSignal): Promise<Service> {
  const service = prepareService(opts);
  signal?.addEventListener('abort', () => void service.stop(), { once: true });
  await service.start();
  return service;
}

/**
 * `cidgate serve`: SIGTERM/SIGINT drain and stop (also during the start), SIGHUP reloads the
 * config; what each does in each state is the lifecycle's table (src/service/lifecycle.ts). A stop
 * that overruns its grace is cut (bin/cidgate.js then exits even if a library left a handle open).
 */
export async function serveCommand(opts: { config?: string; db?: string; migrate?: boolean }): Promise<number> {
  const service = prepareService(opts); // a bad config or database: main() prints the one-line error and returns 2
  let stopping: Promise<void> | undefined;
  let stopAsked!: () => void;
  const asked = new Promise<void>((resolve) => { stopAsked = resolve; });
  const onStop = () => {
    const draining = service.stop();
    stopping ??= draining;
    stopAsked();
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => void service.reload('SIGHUP'));
  try {
    await service.start();
  } catch (err) {
    if (err instanceof StartAbandoned) return 0;
    throw err;
  }
  await asked;
  const watchdog = setTimeout(() => {
    process.stderr.write(`cidgate: stop did not finish within ${SHUTDOWN_GRACE_MS + STOP_WATCHDOG_MS} ms, exiting\n`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS + STOP_WATCHDOG_MS);
  watchdog.unref();
  await stopping;
  clearTimeout(watchdog);
  return 0;
}
