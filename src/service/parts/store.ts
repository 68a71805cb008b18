import { CidgateError } from '../../errors.js';
import type { PartFactory } from './part.js';

const READY_CHECK_TIMEOUT_MS = 1_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

/**
 * The store, opened before the part list runs (the gateway needs it): its schema is checked (or
 * migrated) before anything listens, so a node never answers calls on a schema it cannot use.
 */
export const storePart: PartFactory = ({ store, gateway, migrate, database }) => ({
  name: 'store',
  underlying: true,
  async open() { await store.ensureSchema(migrate); },
  async ready() {
    await withTimeout(store.findAttempt({ attemptId: 0 }), READY_CHECK_TIMEOUT_MS, 'store');
    // Readable is not enough: a full disk or a replaced database file cannot record.
    const health = gateway.health();
    return health.ok ? { ok: true } : { ok: false, detail: health.reason ?? 'store cannot record' };
  },
  async stop() {
    try {
      await store.close();
    } catch (err) {
      throw err instanceof CidgateError ? err : new CidgateError('STORE_ERROR', [database, (err as Error).message]);
    }
  },
});
