import type { Config } from '../../config/compile.js';
import { errorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { SHUTDOWN_GRACE_MS } from '../lifecycle.js';
import type { SessionServer } from '../listener.js';
import type { Part, PartReload } from './part.js';

/** A bound listener. */
export interface Bound {
  readonly port: number;
  readonly sessions: () => number;
  stop(graceMs: number): Promise<void>;
}

/** A listener's identity: its address (a changed one is re-bound on reload), and how to bind it. */
export interface ListenerSpec {
  readonly address: string;
  open(): Promise<Bound>;
}

/**
 * A listener that follows the config: bound at start if enabled; on reload a new address is bound
 * first and the old one then drains (nothing refused meanwhile), a disabled one drains, an enabled
 * one is bound. A bind that fails on reload keeps the old address and is named for a restart.
 */
export function listenerPart(name: string, specOf: (config: Config) => ListenerSpec | null, logger: Logger, config: Config): Part {
  let current: { spec: ListenerSpec; bound: Bound } | null = null;
  /** Old addresses still draining after a reload moved them. */
  const draining = new Set<Promise<void>>();

  const retire = (old: Bound) => {
    const closing = old.stop(SHUTDOWN_GRACE_MS).catch((err: Error) =>
      logger.error({ event: 'stop-failed', code: errorCode(err), part: name, err: { message: err.message } }, `${name}: stop failed`));
    draining.add(closing);
    void closing.finally(() => draining.delete(closing));
  };

  return {
    name,
    async open() {
      const spec = specOf(config);
      if (spec) current = { spec, bound: await spec.open() };
    },
    async reload(next): Promise<PartReload> {
      const spec = specOf(next);
      const old = current;
      if (spec && old && spec.address === old.spec.address) return {};
      if (!spec) {
        if (!old) return {};
        current = null;
        retire(old.bound);
        return { rebound: [name] };
      }
      try {
        current = { spec, bound: await spec.open() };
      } catch (err) {
        logger.error({ event: 'rebind-failed', code: errorCode(err), listener: name, address: spec.address, err: { message: (err as Error).message } },
          old ? `${name}: kept on ${old.spec.address}` : `${name}: not started`);
        return { needsRestart: [name] };
      }
      if (old) retire(old.bound);
      return { rebound: [name] };
    },
    async stop(graceMs) {
      const bound = current?.bound;
      current = null;
      await Promise.all([bound?.stop(graceMs), ...draining]);
    },
    port: () => current?.bound.port,
    sessions: () => current?.bound.sessions(),
  };
}

/** A PBX-facing listener (FastAGI, FreeSWITCH outbound): the server made and bound when opened. */
export function sessionSpec(o: { host: string; port: number }, make: () => SessionServer): ListenerSpec {
  return {
    address: `${o.host}:${o.port}`,
    async open() {
      const s = make();
      const { port } = await s.listen();
      return { port, stop: (g) => s.close(g), sessions: () => s.sessions };
    },
  };
}
