import { EslOutboundServer } from '../../freeswitch/outbound-server.js';
import { listenerPart, sessionSpec } from './listener.js';
import type { PartFactory } from './part.js';

/** FreeSWITCH's outbound Event Socket listener (`freeswitch.outbound`). */
export const freeswitchOutboundPart: PartFactory = ({ gateway, logger, config }) => listenerPart('freeswitch', ({ raw: { freeswitch: { outbound } } }) =>
  (outbound.enabled ? sessionSpec(outbound, () => new EslOutboundServer({ name: 'freeswitch', ...outbound }, gateway, logger)) : null), logger, config);
