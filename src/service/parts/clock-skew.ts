import { clockSkewMonitor } from '../clock-skew.js';
import type { PartFactory } from './part.js';

/** PostgreSQL: this node's clock against the server's, the one that decides (gauge, warning, readiness `clock`). */
export const clockSkewPart: PartFactory = ({ store, config, logger, service }) => {
  const skew = clockSkewMonitor(store, config.raw, logger, service.registry);
  return skew && { name: 'clock', async open() { await skew.start(); }, stop: () => skew.stop(), ready: () => skew.check() };
};
