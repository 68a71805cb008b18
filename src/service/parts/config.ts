import type { RawConfig } from '../../config/schema.js';
import type { PartFactory } from './part.js';

/** Settings a running node cannot take: they are named in the reload's answer. */
const RESTART_KEYS = ['database', 'asterisk.ami', 'freeswitch.inbound', 'sip', 'store', 'kamailio'] as const;

function pick(raw: RawConfig, key: string): string {
  return JSON.stringify(key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], raw));
}

/** The config itself: a reload gives the gateway the new campaigns and pools, and the log its level. */
export const configPart: PartFactory = ({ gateway, logger }) => ({
  name: 'config',
  open: () => undefined,
  stop: () => undefined,
  reload(next) {
    const before = gateway.config.raw;
    const needsRestart = RESTART_KEYS.filter((key) => pick(next.raw, key) !== pick(before, key));
    gateway.reconfigure(next);
    logger.level = next.raw.log.level;
    return { needsRestart };
  },
});
