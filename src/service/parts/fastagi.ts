import { FastAgiServer } from '../../asterisk/fastagi-server.js';
import { listenerPart, sessionSpec } from './listener.js';
import type { PartFactory } from './part.js';

/** Asterisk's FastAGI listener (`asterisk.fastagi`). */
export const fastagiPart: PartFactory = ({ gateway, logger, config }) => listenerPart('fastagi', ({ raw: { asterisk: { fastagi } } }) =>
  (fastagi.enabled ? sessionSpec(fastagi, () => new FastAgiServer({ name: 'fastagi', ...fastagi }, gateway, logger)) : null), logger, config);
